/**
 * One BOX connection of the mock cloud at the socket edge: stream framing, one CloudLogic decision
 * per frame, the reply written back, and every frame and problem in the event log. Garbage, an
 * oversize frame (after the frames of the same read are answered: frame-intake.ts), a peer that
 * stops reading and an idle connection end the connection with a logged reason; nothing that
 * happens on one socket escapes it.
 */
import type { Socket } from 'node:net'
import type { ServeEvent } from '../../evidence/schemas/serve-events.js'
import { FRAME_CLOSE, wireBytes } from '../../protocol/frame.js'
import { FrameSplitter } from '../../protocol/frame-splitter.js'
import type { CloudLogic, Decision } from '../replies/cloud-logic.js'
import { countProblem, takeRead, type IntakeCounters, type IntakeRead } from '../frame-intake.js'

/** After we end a connection, the peer gets this long to close its side before it is destroyed. */
const CLOSE_GRACE_MS = 2_000
/** Replies queued to a peer that does not read them; past this the peer is dropped. */
const MAX_UNREAD_REPLY_BYTES = 1024 * 1024

export interface MockCounters extends IntakeCounters {
  framesIn: number
  repliesOut: number
  settingsSent: number
  unobserved: number
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
    // A partial frame left at the BOX's FIN is logged and counted as garbage.
    if (!this.closing) this.onRead(takeRead(this.splitter.end()), true)
    this.reason ??= 'closed by peer'
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return
    this.onRead(takeRead(this.splitter.push(chunk)), false)
  }

  /** Answers every frame of the read, then ends the connection if the read had a problem. */
  private onRead(read: IntakeRead, atEnd: boolean): void {
    for (const frame of read.frames) {
      if (this.socket.destroyed) return
      this.onFrame(frame)
    }
    let reason: string | null = null
    for (const p of read.problems) {
      const why = countProblem(this.deps.counters, p, this.deps.maxFrameBytes, atEnd)
      reason ??= why
      this.log({ event: 'problem', conn: this.id, ...p })
    }
    if (reason !== null) this.end(reason)
  }

  private onFrame(bytes: Buffer): void {
    const { counters, logic } = this.deps
    this.framesIn++
    counters.framesIn++
    const d = logic.onFrame(this.id, bytes, this.deps.now())
    if (d.crcOk === false) counters.crcErrors++
    this.log({
      event: 'frame',
      conn: this.id,
      dir: 'in',
      class: d.request,
      ...(d.table === null ? {} : { table: d.table }),
      bytes: bytes.length,
      crcOk: d.crcOk,
      ...(d.transition === null ? {} : { transition: d.transition }),
      ...(d.unobserved === null ? {} : { unobserved: d.unobserved }),
      ...(d.unbuildable === null ? {} : { unbuildable: d.unbuildable }),
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
    const wire = wireBytes(reply)
    this.socket.write(wire)
    this.framesOut++
    counters.repliesOut++
    if (setting) counters.settingsSent++
    this.log({
      event: 'frame',
      conn: this.id,
      dir: 'out',
      class: d.replyClass!,
      ...(setting ? { table: setting.table, setting: setting.id } : {}),
      bytes: wire.lastIndexOf(FRAME_CLOSE) + FRAME_CLOSE.length,
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
