/**
 * One BOX connection of the mock cloud at the socket edge: stream framing, one CloudLogic decision
 * per frame, the reply written back, and every frame and problem in the event log. Garbage, an
 * oversize frame, a peer that stops reading and an idle connection end the connection with a
 * logged reason; nothing that happens on one socket escapes it.
 */
import type { Socket } from 'node:net'
import type { ServeEvent } from '../../evidence/schemas/serve-events.js'
import { FRAME_CLOSE } from '../../protocol/frame.js'
import { FrameSplitter, type SplitterEvent } from '../../protocol/frame-splitter.js'
import type { CloudLogic, Decision } from '../cloud-logic/cloud-logic.js'

/** After we end a connection, the peer gets this long to close its side before it is destroyed. */
const CLOSE_GRACE_MS = 2_000
/** Replies queued to a peer that does not read them; past this the peer is dropped. */
const MAX_UNREAD_REPLY_BYTES = 1024 * 1024

export interface MockCounters {
  framesIn: number
  repliesOut: number
  settingsSent: number
  unobserved: number
  crcErrors: number
  garbage: number
  oversize: number
  idleTimeouts: number
  socketErrors: number
}

export interface ConnectionDeps {
  readonly logic: CloudLogic
  readonly log: (event: ServeEvent) => void
  readonly now: () => number
  readonly counters: MockCounters
  readonly maxFrameBytes: number
  readonly idleTimeoutMs: number
}

export class MockConnection {
  readonly openedAtMs: number
  readonly peer: string
  framesIn = 0
  framesOut = 0
  private closing = false
  private reason: string | null = null
  private readonly splitter: FrameSplitter

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly deps: ConnectionDeps,
    onClosed: (conn: MockConnection) => void,
  ) {
    this.openedAtMs = deps.now()
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
    this.splitter = new FrameSplitter({ maxFrameBytes: deps.maxFrameBytes })
    socket.setNoDelay(true)
    if (deps.idleTimeoutMs > 0) socket.setTimeout(deps.idleTimeoutMs)
    socket.on('data', (chunk: Buffer) => this.guard(() => this.onData(chunk)))
    socket.on('end', () => this.guard(() => this.onEnd()))
    socket.on('timeout', () => this.onTimeout())
    socket.on('error', (error: NodeJS.ErrnoException) => {
      deps.counters.socketErrors++
      const reason = error.code ?? error.message
      this.reason ??= `socket error ${reason}`
      this.log({ event: 'error', conn: id, reason })
    })
    socket.on('close', () => {
      this.guard(() => deps.logic.close(id))
      this.log({
        event: 'close',
        conn: id,
        reason: this.reason ?? 'closed',
        framesIn: this.framesIn,
        framesOut: this.framesOut,
      })
      onClosed(this)
    })
    this.log({ event: 'open', conn: id, peer: this.peer })
  }

  /** Ends the connection: pending replies are flushed, then FIN; destroyed if the peer lingers. */
  end(reason: string): void {
    if (this.closing) return
    this.closing = true
    this.reason ??= reason
    this.socket.setTimeout(CLOSE_GRACE_MS)
    this.socket.end()
  }

  /** Bytes of an incomplete frame held for this connection. */
  get pendingBytes(): number {
    return this.splitter.pendingBytes
  }

  /** Drops the connection at once (shutdown grace expired). */
  destroy(): void {
    this.socket.destroy()
  }

  private log(event: DistributiveOmit<ServeEvent, 'at'>): void {
    this.deps.log({ at: new Date(this.deps.now()).toISOString(), ...event } as ServeEvent)
  }

  /** A failure inside the logic ends this connection only. */
  private guard(fn: () => void): void {
    try {
      fn()
    } catch (error) {
      this.reason ??= `internal error: ${error instanceof Error ? error.message : String(error)}`
      this.socket.destroy()
    }
  }

  private onTimeout(): void {
    if (this.closing) {
      this.socket.destroy()
      return
    }
    this.deps.counters.idleTimeouts++
    this.end(`idle timeout: no data for ${this.deps.idleTimeoutMs} ms`)
  }

  private onEnd(): void {
    this.reason ??= 'closed by peer'
    if (this.closing) return
    for (const e of this.splitter.end()) this.onSplitterEvent(e)
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return
    for (const e of this.splitter.push(chunk)) {
      this.onSplitterEvent(e)
      if (this.closing) return
    }
  }

  private onSplitterEvent(e: SplitterEvent): void {
    if (e.type === 'frame') {
      this.onFrame(e.text)
      return
    }
    const { counters } = this.deps
    if (e.type === 'garbage') counters.garbage++
    else counters.oversize++
    this.log({
      event: 'problem',
      conn: this.id,
      problem: e.type,
      bytes: e.bytes,
      ...(e.type === 'garbage' ? { sample: e.sample } : {}),
    })
    this.end(
      e.type === 'garbage'
        ? `garbage: ${e.bytes} byte(s) outside a frame`
        : `oversize frame: over ${this.deps.maxFrameBytes} bytes`,
    )
  }

  private onFrame(text: string): void {
    const { counters, logic } = this.deps
    this.framesIn++
    counters.framesIn++
    const d = logic.onFrame(this.id, text, this.deps.now())
    if (d.crcOk === false) counters.crcErrors++
    this.log({
      event: 'frame',
      conn: this.id,
      dir: 'in',
      class: d.request,
      ...(d.table === null ? {} : { table: d.table }),
      bytes: text.length,
      crcOk: d.crcOk,
      ...(d.transition === null ? {} : { transition: d.transition }),
      ...(d.unobserved === null ? {} : { unobserved: d.unobserved }),
    })
    if (d.reply === null || d.replyClass === null) {
      counters.unobserved++
      return
    }
    this.write(d, d.reply)
  }

  private write(d: Decision, reply: string): void {
    const { counters, logic } = this.deps
    const setting = d.replyClass === 'cloud.setting' ? logic.queue.awaitingOn(this.id) : undefined
    this.socket.write(reply, 'latin1')
    this.framesOut++
    counters.repliesOut++
    if (setting) counters.settingsSent++
    this.log({
      event: 'frame',
      conn: this.id,
      dir: 'out',
      class: d.replyClass!,
      ...(setting ? { table: setting.table, setting: setting.id } : {}),
      bytes: reply.indexOf(FRAME_CLOSE) + FRAME_CLOSE.length,
      crcOk: true,
    })
    if (this.socket.writableLength > MAX_UNREAD_REPLY_BYTES) {
      this.log({
        event: 'problem',
        conn: this.id,
        problem: 'slow-reader',
        bytes: this.socket.writableLength,
      })
      this.reason ??= 'peer does not read its replies'
      this.socket.destroy()
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
