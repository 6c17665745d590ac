/**
 * The replaying BOX at the I/O edge: BOX frames sent in order, paced by the recorded gaps (scaled)
 * or as fast as replies come, one reply awaited per frame. `ReplayConnection` is one live
 * connection (the rollback rehearsal replays three times on it); `runReplay` replays a session
 * and opens a new connection after a no-reply, so that a late reply is never taken for the reply
 * to a later request.
 */
import net from 'node:net'
import { classifyText } from '../protocol/classify.js'
import { CRLF } from '../protocol/frame.js'
import { FrameSplitter, type SplitterEvent } from '../protocol/frame-splitter.js'
import type { CloudClass } from '../protocol/frame-class.js'
import { frameBytes, type ReplayPlan, type ReplayStep } from './plan.js'
import type { ReplayStepResult, ReplyRecord } from './transcript-schema.js'

export interface ReplayTargetAddress {
  readonly host: string
  readonly port: number
}

export interface ReplayPacing {
  /** Recorded gaps are divided by this; ignored with maxSpeed. */
  readonly speed: number
  readonly maxSpeed: boolean
  /** Wait this long for each reply; also the connect timeout of `runReplay`. */
  readonly replyTimeoutMs: number
  /** Keep the connection open this long after the last reply, to catch late frames. */
  readonly holdAfterS: number
  /** Longest pause between two frames, whatever the recording says (ms). */
  readonly maxGapMs?: number
  /**
   * Quiet window after a reply before the next frame goes out (and after the last reply): frames
   * that follow a reply within it are recorded as its `extra`, not taken for the next request's
   * reply. Default `DEFAULT_QUIET_MS` with maxSpeed, else 0 (the recorded gap already waits).
   */
  readonly quietMs?: number
}

/** Quiet window (ms) under maxSpeed when the pacing sets none. */
export const DEFAULT_QUIET_MS = 1
/** Connect timeout (ms) of `ReplayConnection.open` when none is given. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000

interface Inbound {
  /** The frame as it came off the wire. */
  readonly bytes: Buffer
  readonly at: number
}

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r))

const quietOf = (p: ReplayPacing): number => p.quietMs ?? (p.maxSpeed ? DEFAULT_QUIET_MS : 0)

/** The bytes a BOX frame is sent as (`rawB64`, else `raw` as UTF-8), with its line ending. */
function withCrlf(step: ReplayStep): Buffer {
  const bytes = frameBytes(step)
  const last = bytes[bytes.length - 1]
  return last === 0x0a || last === 0x0d ? bytes : Buffer.concat([bytes, CRLF])
}

function record(f: Inbound, sentAt: number): ReplyRecord {
  const c = classifyText(f.bytes, 'cloud')
  return {
    class: c.class as CloudClass,
    raw: f.bytes.toString('utf8'),
    crcOk: c.crcOk,
    latencyMs: Math.round((f.at - sentAt) * 1000) / 1000,
  }
}

/** One BOX connection to a target; never throws on peer errors (they become step outcomes). */
export class ReplayConnection {
  private readonly splitter = new FrameSplitter()
  private readonly inbox: Inbound[] = []
  private waiter: (() => void) | null = null
  private isClosed = false
  private desynced = false
  private reason = ''
  /** Non-frame bytes received and not yet noted on a step (PROTOCOL.md §1 framing). */
  private garbageBytes = 0
  private oversizeBytes = 0
  /** The class of the last reply on this connection (a BOX ACK is only sent after a Setting). */
  private lastReply: CloudClass | null = null
  /** The last step sent in the current replay: frames that follow its reply go to its `extra`. */
  private lastSent: ReplayStepResult | null = null

  private constructor(
    private readonly socket: net.Socket,
    readonly address: ReplayTargetAddress,
    /** Why the connection could not be made (null: connected). */
    readonly connectError: string | null,
  ) {}

  /**
   * Connects to `address`; a refused connection, or none within `connectTimeoutMs`, gives a
   * connection whose steps are `not-sent`.
   */
  static async open(
    address: ReplayTargetAddress,
    connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS,
  ): Promise<ReplayConnection> {
    const socket = net.createConnection({ host: address.host, port: address.port })
    socket.setNoDelay(true)
    let self: ReplayConnection | null = null
    const early: Array<(c: ReplayConnection) => void> = []
    const on = (f: (c: ReplayConnection) => void): void => {
      if (self) f(self)
      else early.push(f)
    }
    socket.on('data', (chunk) => on((c) => c.onData(chunk)))
    socket.on('error', (error) => on((c) => c.onClose(error.message)))
    socket.on('close', () => on((c) => c.onClose('closed by the target')))
    const connectError = await new Promise<string | null>((resolve) => {
      const timer = setTimeout(
        () => resolve(`no connection within ${connectTimeoutMs} ms`),
        connectTimeoutMs,
      )
      const done = (error: string | null): void => {
        clearTimeout(timer)
        resolve(error)
      }
      socket.once('connect', () => done(null))
      socket.once('error', (error) => done(error.message))
    })
    if (connectError !== null) socket.destroy()
    self = new ReplayConnection(socket, address, connectError)
    for (const f of early) f(self)
    return self
  }

  get connected(): boolean {
    return this.connectError === null
  }

  /** True once the target closed the connection, it failed, or it went out of sync. */
  get closed(): boolean {
    return this.isClosed
  }

  get closeReason(): string {
    return this.reason
  }

  /** True after a no-reply: the connection was closed because a late reply would desynchronise it. */
  get outOfSync(): boolean {
    return this.desynced
  }

  private onData(chunk: Buffer): void {
    this.receive(this.splitter.push(chunk))
  }

  private onClose(reason: string): void {
    this.receive(this.splitter.end())
    this.isClosed = true
    this.reason ||= reason
    this.wake()
  }

  private receive(events: readonly SplitterEvent[]): void {
    const at = performance.now()
    for (const e of events) {
      if (e.type === 'frame') this.inbox.push({ bytes: e.bytes, at })
      else if (e.type === 'garbage') this.garbageBytes += e.bytes
      else this.oversizeBytes += e.bytes
    }
    this.wake()
  }

  private wake(): void {
    const w = this.waiter
    this.waiter = null
    w?.()
  }

  /** Waits until `done()` or `ms` have passed; clears its timer, so nothing keeps the process up. */
  private async waitUntil(done: () => boolean, ms: number): Promise<void> {
    const deadline = performance.now() + ms
    for (let left = ms; !done() && left > 0; left = deadline - performance.now()) {
      let timer: NodeJS.Timeout | undefined
      await new Promise<void>((resolve) => {
        this.waiter = resolve
        timer = setTimeout(resolve, left)
      })
      clearTimeout(timer)
    }
  }

  private async waitFrame(timeoutMs: number): Promise<Inbound | null> {
    await this.waitUntil(() => this.inbox.length > 0 || this.isClosed, timeoutMs)
    return this.inbox.shift() ?? null
  }

  /** Notes on the non-frame bytes received since the last call. */
  private takeJunkNotes(): string[] {
    const notes: string[] = []
    if (this.garbageBytes > 0) notes.push(`garbage from target: ${this.garbageBytes} bytes`)
    if (this.oversizeBytes > 0)
      notes.push(`oversize frame from target: ${this.oversizeBytes} bytes, dropped`)
    this.garbageBytes = 0
    this.oversizeBytes = 0
    return notes
  }

  /** Frames that arrived while no request was waiting (late, extra or duplicate replies). */
  takeUnsolicited(): ReplyRecord[] {
    return this.inbox.splice(0).map((f) => record(f, f.at))
  }

  /**
   * Records what arrived while no request was waiting (frames as `extra`, non-frame bytes as a
   * note) on the last step sent in this replay, else on `fallback`.
   */
  collectLate(fallback?: ReplayStepResult): void {
    const into = this.lastSent ?? fallback
    if (into) this.moveLate(into)
  }

  private moveLate(into: { extra: ReplyRecord[]; notes: string[] }): void {
    into.extra.push(...this.takeUnsolicited())
    into.notes.push(...this.takeJunkNotes())
  }

  /** Sends one step's BOX frame (paced) and records what came back; a no-reply closes the connection. */
  async send(step: ReplayStep, pacing: ReplayPacing): Promise<ReplayStepResult> {
    const base = {
      seq: step.seq,
      id: step.id,
      requestClass: step.class,
      table: step.table,
      recorded: step.recorded
        ? { class: step.recorded.class, latencyMs: step.recorded.latencyMs }
        : null,
      reply: null,
    }
    if (this.connectError !== null) {
      const { host, port } = this.address
      const notes = [`could not connect to ${host}:${port}`, this.connectError]
      return { ...base, outcome: 'not-sent', extra: [], notes }
    }
    const extra: ReplyRecord[] = []
    const notes: string[] = []
    if (!this.isClosed && step.answersSetting && this.lastReply !== 'cloud.setting') {
      notes.push('skipped: no Setting to acknowledge')
      return { ...base, outcome: 'skipped', extra, notes }
    }
    const gapMs =
      pacing.maxSpeed || step.gapMs === null || step.seq === 1
        ? 0
        : Math.min(step.gapMs / pacing.speed, pacing.maxGapMs ?? Infinity)
    // The quiet window runs inside the recorded gap: frames trailing the last reply are its extra.
    await this.hold(Math.max(gapMs, this.lastSent ? quietOf(pacing) : 0))
    this.moveLate(this.lastSent ?? { extra, notes })
    const sentAt = performance.now()
    let f: Inbound | null = null
    if (!this.isClosed) {
      this.socket.write(withCrlf(step))
      f = await this.waitFrame(pacing.replyTimeoutMs)
    }
    if (f) {
      const reply = record(f, sentAt)
      this.lastReply = reply.class as CloudClass
      if (reply.crcOk === false) notes.push('reply CRC does not verify')
      notes.push(...this.takeJunkNotes())
      const result: ReplayStepResult = { ...base, outcome: 'reply', reply, extra, notes }
      this.lastSent = result
      return result
    }
    this.lastReply = null
    if (this.isClosed) {
      notes.unshift(`connection closed: ${this.reason}`, ...this.takeJunkNotes())
      return { ...base, outcome: 'closed', extra, notes }
    }
    notes.unshift(`no reply within ${pacing.replyTimeoutMs} ms`, ...this.takeJunkNotes())
    this.desynced = true
    this.isClosed = true
    this.reason = `out of sync: no reply to seq ${step.seq} within ${pacing.replyTimeoutMs} ms, so a later reply could be taken for the reply to another frame`
    this.socket.destroy()
    return { ...base, outcome: 'no-reply', extra, notes }
  }

  /** Sends the plan's BOX frames on this connection and records what came back; keeps it open. */
  async replay(plan: ReplayPlan, pacing: ReplayPacing): Promise<ReplayStepResult[]> {
    this.lastSent = null
    const results: ReplayStepResult[] = []
    for (const step of plan.steps) results.push(await this.send(step, pacing))
    return results
  }

  /**
   * Keeps the connection open for `ms` (less if it closes), then lets the event loop read what
   * already arrived, so that frames trailing a reply are seen before anything else is sent.
   */
  async hold(ms: number): Promise<void> {
    if (this.connected) await this.waitUntil(() => this.isClosed, ms)
    await nextTurn()
  }

  /** Ends the connection at once. */
  destroy(): void {
    this.socket.destroy()
  }
}

/**
 * Sends the plan's BOX frames to `address` and records what came back. After a no-reply it goes
 * on with a new connection. Never throws on peer errors.
 */
export async function runReplay(
  plan: ReplayPlan,
  address: ReplayTargetAddress,
  pacing: ReplayPacing,
  onStep?: () => void,
): Promise<ReplayStepResult[]> {
  let conn = await ReplayConnection.open(address, pacing.replyTimeoutMs)
  try {
    const results: ReplayStepResult[] = []
    for (const step of plan.steps) {
      const reconnect = conn.outOfSync
      if (reconnect) conn = await ReplayConnection.open(address, pacing.replyTimeoutMs)
      const result = await conn.send(step, pacing)
      if (reconnect && conn.connected) result.notes.unshift('reconnected after no-reply')
      results.push(result)
      onStep?.()
    }
    await conn.hold(Math.max(pacing.holdAfterS * 1000, quietOf(pacing)))
    conn.collectLate(results[results.length - 1])
    return results
  } finally {
    conn.destroy()
  }
}
