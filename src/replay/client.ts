/**
 * The replaying BOX at the I/O edge: one TCP connection per session, BOX frames sent in order,
 * paced by the recorded gaps (scaled) or as fast as replies come, one reply awaited per frame.
 * `ReplayConnection` keeps the connection open between replays (the rollback rehearsal replays
 * twice on one live connection); `runReplay` is one replay on a connection of its own.
 */
import net from 'node:net'
import { classifyText } from '../protocol/classify.js'
import { FrameSplitter } from '../protocol/frame-splitter.js'
import type { CloudClass } from '../protocol/frame-class.js'
import type { ReplayPlan } from './plan.js'
import type { ReplayStepResult, ReplyRecord } from './transcript-schema.js'

export interface ReplayTargetAddress {
  readonly host: string
  readonly port: number
}

export interface ReplayPacing {
  /** Recorded gaps are divided by this; ignored with maxSpeed. */
  readonly speed: number
  readonly maxSpeed: boolean
  readonly replyTimeoutMs: number
  /** Keep the connection open this long after the last reply, to catch late frames. */
  readonly holdAfterS: number
  /** Longest pause between two frames, whatever the recording says (ms). */
  readonly maxGapMs?: number
}

interface Inbound {
  readonly text: string
  readonly at: number
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function withCrlf(raw: string): string {
  return raw.endsWith('\n') || raw.endsWith('\r') ? raw : `${raw}\r\n`
}

function record(f: Inbound, sentAt: number): ReplyRecord {
  const c = classifyText(f.text, 'cloud')
  return {
    class: c.class as CloudClass,
    raw: f.text,
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
  private reason = ''
  /** The class of the last reply on this connection (a BOX ACK is only sent after a Setting). */
  private lastReply: CloudClass | null = null

  private constructor(
    private readonly socket: net.Socket,
    readonly address: ReplayTargetAddress,
    readonly connected: boolean,
  ) {}

  /** Connects to `address`; a refused connection gives a connection whose steps are `not-sent`. */
  static async open(address: ReplayTargetAddress): Promise<ReplayConnection> {
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
    const connected = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true))
      socket.once('error', () => resolve(false))
    })
    self = new ReplayConnection(socket, address, connected)
    for (const f of early) f(self)
    return self
  }

  /** True once the target closed the connection or it failed. */
  get closed(): boolean {
    return this.isClosed
  }

  get closeReason(): string {
    return this.reason
  }

  private onData(chunk: Buffer): void {
    const at = performance.now()
    for (const e of this.splitter.push(chunk))
      if (e.type === 'frame') this.inbox.push({ text: e.text, at })
    this.wake()
  }

  private onClose(reason: string): void {
    this.isClosed = true
    this.reason ||= reason
    this.wake()
  }

  private wake(): void {
    const w = this.waiter
    this.waiter = null
    w?.()
  }

  private async waitFrame(timeoutMs: number): Promise<Inbound | null> {
    const deadline = performance.now() + timeoutMs
    while (this.inbox.length === 0 && !this.isClosed) {
      const left = deadline - performance.now()
      if (left <= 0) return null
      await Promise.race([new Promise<void>((r) => (this.waiter = r)), sleep(left)])
    }
    return this.inbox.shift() ?? null
  }

  /** Frames that arrived while no request was waiting (late, extra or duplicate replies). */
  takeUnsolicited(): ReplyRecord[] {
    return this.inbox.splice(0).map((f) => record(f, f.at))
  }

  /** Sends the plan's BOX frames on this connection and records what came back; keeps it open. */
  async replay(plan: ReplayPlan, pacing: ReplayPacing): Promise<ReplayStepResult[]> {
    const results: ReplayStepResult[] = []
    for (const step of plan.steps) {
      const base = {
        seq: step.seq,
        id: step.id,
        requestClass: step.class,
        table: step.table,
        recorded: step.recorded
          ? { class: step.recorded.class, latencyMs: step.recorded.latencyMs }
          : null,
      }
      if (!this.connected || this.isClosed) {
        const { host, port } = this.address
        results.push({
          ...base,
          outcome: this.connected ? 'closed' : 'not-sent',
          reply: null,
          extra: [],
          notes: [
            this.connected
              ? `connection closed: ${this.reason}`
              : `could not connect to ${host}:${port}`,
          ],
        })
        continue
      }
      if (step.answersSetting && this.lastReply !== 'cloud.setting') {
        const notes = ['skipped: no Setting to acknowledge']
        results.push({ ...base, outcome: 'skipped', reply: null, extra: [], notes })
        continue
      }
      if (!pacing.maxSpeed && step.gapMs !== null && step.seq > 1) {
        const wait = Math.min(step.gapMs / pacing.speed, pacing.maxGapMs ?? Infinity)
        if (wait > 0) await sleep(wait)
      }
      // Frames that arrived while nothing was waiting belong to the previous step.
      const unsolicited = this.takeUnsolicited()
      results[results.length - 1]?.extra.push(...unsolicited)
      const sentAt = performance.now()
      this.socket.write(withCrlf(step.raw))
      const f = await this.waitFrame(pacing.replyTimeoutMs)
      if (f) {
        const reply = record(f, sentAt)
        this.lastReply = reply.class as CloudClass
        const notes = reply.crcOk === false ? ['reply CRC does not verify'] : []
        results.push({ ...base, outcome: 'reply', reply, extra: [], notes })
      } else {
        this.lastReply = null
        results.push({
          ...base,
          outcome: this.isClosed ? 'closed' : 'no-reply',
          reply: null,
          extra: [],
          notes: this.isClosed
            ? [`connection closed: ${this.reason}`]
            : [`no reply within ${pacing.replyTimeoutMs} ms`],
        })
      }
    }
    return results
  }

  /** Keeps the connection open for `ms` (to catch late frames) unless it is closed. */
  async hold(ms: number): Promise<void> {
    if (this.connected && !this.isClosed && ms > 0) await sleep(ms)
  }

  /** Ends the connection at once. */
  destroy(): void {
    this.socket.destroy()
  }
}

/** Sends the plan's BOX frames to `address` and records what came back. Never throws on peer errors. */
export async function runReplay(
  plan: ReplayPlan,
  address: ReplayTargetAddress,
  pacing: ReplayPacing,
): Promise<ReplayStepResult[]> {
  const conn = await ReplayConnection.open(address)
  try {
    const results = await conn.replay(plan, pacing)
    await conn.hold(pacing.holdAfterS * 1000)
    const late = conn.takeUnsolicited()
    results[results.length - 1]?.extra.push(...late)
    return results
  } finally {
    conn.destroy()
  }
}
