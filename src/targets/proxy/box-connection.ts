/**
 * One BOX connection through the proxy: stream framing, one frame at a time (the BOX is strictly
 * request/response, PROTOCOL.md §3), each frame forwarded upstream or answered locally as the
 * hybrid policy and the local setting queue say, with capture rows and events for all of it.
 * Bad input is handled as the mock does (frame-intake.ts): every frame of a read is answered,
 * garbage and oversize frames are counted and logged and end the connection after that; frames
 * are bytes from the socket to the capture DB.
 */
import type net from 'node:net'
import { performance } from 'node:perf_hooks'
import type { CaptureDirection } from '../../capture/capture-writer.js'
import type { ProxyEventSink } from '../../evidence/schemas/proxy-events.js'
import type { CloudClass, FrameClass } from '../../protocol/frame-class.js'
import { carriedCrcOk, CRLF, wireBytes } from '../../protocol/frame.js'
import { FrameSplitter } from '../../protocol/frame-splitter.js'
import { countProblem, takeRead, type IntakeRead } from '../frame-intake.js'
import {
  inspectBoxFrame,
  inspectReply,
  mayBeSetting,
  type BoxFrameInfo,
} from '../replies/frame-info.js'
import type { ProxyCore } from './proxy-core.js'
import { UpstreamLink } from './upstream.js'

/**
 * Frames received but not yet answered before the proxy stops reading (a BOX never pipelines,
 * §3): past this, reading pauses (logged as a `backlog` problem) until the queue is half empty, so
 * a burst is answered in full and memory stays bounded (at most one read more).
 */
export const MAX_QUEUED_FRAMES = 64
/** After the proxy ends a connection, the BOX gets this long to close its side. */
const CLOSE_GRACE_MS = 2_000
/** Unsent reply bytes, at most, before a peer that does not read is dropped. */
const MAX_WRITE_BACKLOG = 1 << 20

const iso = (ms: number): string => new Date(ms).toISOString()
const hostPort = (e: { host: string; port: number }): string => `${e.host}:${e.port}`
const captureNow = (): number => performance.timeOrigin + performance.now()

export class BoxConnection {
  private readonly splitter: FrameSplitter
  private readonly queue: Buffer[] = []
  private busy = false
  private halfClosed = false
  private draining = false
  /** Reading is paused because too many frames wait for replies. */
  private backlogged = false
  /** A problem (garbage, oversize) ends the connection once the queue is answered. */
  private ending = false
  /** FIN sent: a timeout now destroys the socket. */
  private finSent = false
  private link: UpstreamLink | null = null
  private reason = 'closed by the BOX'
  private framesIn = 0
  private framesOut = 0
  /** Resolves once the socket is closed. */
  readonly closed: Promise<void>

  constructor(
    readonly id: number,
    private readonly socket: net.Socket,
    private readonly peer: string,
    private readonly core: ProxyCore,
  ) {
    this.splitter = new FrameSplitter({ maxFrameBytes: core.maxFrameBytes })
    socket.setNoDelay(true)
    socket.setTimeout(core.idleTimeoutMs)
    socket.on('data', (chunk: Buffer) => this.guard(() => this.onData(chunk)))
    socket.on('end', () =>
      this.guard(() => {
        this.halfClosed = true
        // A partial frame left at the BOX's FIN is logged and counted as garbage.
        if (!this.ending) this.onRead(takeRead(this.splitter.end()), true)
        this.finishIfDone()
      }),
    )
    socket.on('timeout', () => {
      if (this.finSent) socket.destroy()
      else if (this.busy || this.queue.length > 0) socket.setTimeout(core.idleTimeoutMs)
      else this.drop(`idle for ${core.idleTimeoutMs} ms`)
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.reason = `error: ${error.code ?? error.message}`
      this.emit({ at: iso(Date.now()), event: 'error', conn: id, reason: this.reason })
    })
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.link?.close()
        this.core.local.close(id)
        const at = iso(Date.now())
        const { framesIn, framesOut } = this
        this.emit({ at, event: 'close', conn: id, reason: this.reason, framesIn, framesOut })
        resolve()
      }),
    )
    if (core.upstream && core.policy.route() === 'forward') this.upstreamLink().warm()
  }

  /** Server shutdown: read nothing more, answer the frames already received, then close. */
  drain(): void {
    this.draining = true
    this.reason = 'shutdown'
    this.socket.pause()
    this.finishIfDone()
  }

  /** Closes at once (shutdown deadline passed). */
  destroy(): void {
    this.drop('shutdown deadline')
  }

  private drop(reason: string): void {
    this.reason = reason
    this.socket.destroy()
  }

  private emit(event: Parameters<ProxyEventSink['write']>[0]): void {
    this.core.log?.write(event)
  }

  /** A failure inside the proxy's logic ends this connection only, with the reason logged. */
  private guard(fn: () => void): void {
    try {
      fn()
    } catch (error) {
      this.drop(`internal error: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  private onData(chunk: Buffer): void {
    if (this.ending || this.draining) return
    this.onRead(takeRead(this.splitter.push(chunk)), false)
    if (this.queue.length > MAX_QUEUED_FRAMES && !this.backlogged && !this.ending) {
      this.backlogged = true
      this.core.counters.backlogPauses++
      this.socket.pause()
      const bytes = this.queue.reduce((n, f) => n + f.length, 0)
      const at = iso(Date.now())
      this.emit({ at, event: 'problem', conn: this.id, problem: 'backlog', bytes })
    }
    void this.pump()
  }

  /** Queues every frame of the read; a problem is counted, logged and ends the connection. */
  private onRead(read: IntakeRead, atEnd: boolean): void {
    this.queue.push(...read.frames)
    for (const p of read.problems) {
      const reason = countProblem(this.core.counters, p, this.core.maxFrameBytes, atEnd)
      if (!this.ending) this.reason = reason
      this.ending = true
      this.emit({ at: iso(Date.now()), event: 'problem', conn: this.id, ...p })
    }
    if (this.ending) this.socket.pause()
  }

  private async pump(): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      while (this.queue.length > 0 && !this.socket.destroyed) {
        await this.handle(this.queue.shift()!)
        if (this.backlogged && this.queue.length <= MAX_QUEUED_FRAMES / 2) {
          this.backlogged = false
          if (!this.ending && !this.draining) this.socket.resume()
        }
      }
    } catch (error) {
      this.drop(`internal error: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      this.busy = false
    }
    this.finishIfDone()
  }

  private finishIfDone(): void {
    const done = this.halfClosed || this.draining || this.ending
    if (done && !this.busy && this.queue.length === 0 && !this.finSent) {
      this.finSent = true
      this.link?.close()
      this.socket.setTimeout(CLOSE_GRACE_MS)
      this.socket.end()
    }
  }

  private upstreamLink(): UpstreamLink {
    this.link ??= new UpstreamLink(
      this.core.upstream!,
      (p) => this.emit({ at: iso(Date.now()), event: 'upstream-problem', conn: this.id, ...p }),
      this.core.maxFrameBytes,
    )
    return this.link
  }

  private async handle(text: Buffer): Promise<void> {
    const core = this.core
    const arrivedMs = Date.now()
    // Parsed only when something needs it: the forwarding hot path only checks the CRC.
    let parsed: BoxFrameInfo | null = null
    const info = (): BoxFrameInfo => (parsed ??= inspectBoxFrame(text))
    this.framesIn++
    core.counters.framesIn++
    if ((parsed === null ? carriedCrcOk(text) : info().crcOk) === false) core.counters.crcErrors++
    if (core.capture) this.record('box_to_proxy', text, info(), info().deviceId, this.peer)
    const claimed = core.local.mayClaim(this.id) && core.local.claims(this.id, info())
    if (claimed || core.policy.route() === 'local' || !core.upstream) {
      this.answerLocally(text, info(), arrivedMs)
      return
    }
    core.counters.forwarded++
    const r = await this.upstreamLink().exchange(Buffer.concat([text, CRLF]), core.replyTimeoutMs)
    if (r.result === 'aborted') return
    const nowMs = Date.now()
    const outcome = core.policy.onUpstreamResult(r.result, nowMs)
    if (outcome.transition) core.onTransition(outcome.transition)
    if (r.result === 'ok') {
      core.counters.upstreamReplies++
      // Only a Setting changes what happens next on the connection; the rest is for the log.
      const reply = core.log || mayBeSetting(r.reply) ? inspectReply(r.reply) : null
      core.local.noteForwarded(this.id, reply?.cls ?? null)
      if (core.log) this.logIn(text, info(), arrivedMs, {})
      if (core.capture)
        this.record('cloud_to_proxy', r.reply, info(), null, hostPort(core.upstream))
      this.send(r.reply, reply?.cls ?? 'cloud.unknown', reply?.crcOk ?? null)
      return
    }
    core.counters.upstreamFailures[r.result]++
    const decision = outcome.decision === 'rescue' ? 'rescue' : 'unanswered'
    this.emit({
      at: iso(nowMs),
      event: 'upstream-failure',
      conn: this.id,
      request: info().request,
      result: r.result,
      decision,
      failCount: outcome.failCount,
    })
    if (decision === 'rescue') {
      core.counters.rescued++
      this.answerLocally(text, info(), arrivedMs)
      return
    }
    core.counters.unanswered++
    this.logIn(text, info(), arrivedMs, { unobserved: `upstream ${r.result}: ${r.detail}` })
  }

  private answerLocally(text: Buffer, info: BoxFrameInfo, arrivedMs: number): void {
    const d = this.core.local.reply(this.id, text, info, Date.now())
    const extra = {
      ...(d.transition === null ? {} : { transition: d.transition }),
      ...(d.unobserved === null ? {} : { unobserved: d.unobserved }),
      ...(d.unbuildable === null ? {} : { unbuildable: d.unbuildable }),
    }
    this.logIn(text, info, arrivedMs, extra)
    if (d.reply === null || d.replyClass === null) {
      this.core.counters.unobserved++
      return
    }
    this.core.counters.localReplies++
    const reply = wireBytes(d.reply.endsWith('\r\n') ? d.reply.slice(0, -2) : d.reply)
    this.record('proxy_to_box', reply, info, null, this.peer)
    // The control API id of a Setting sent, from the queue transition (`setting s1 delivered …`).
    const setting = /setting (\S+) (?:re-)?delivered/.exec(d.transition ?? '')?.[1]
    this.send(reply, d.replyClass, true, setting === undefined ? {} : { setting })
  }

  private send(text: Buffer, cls: CloudClass, crcOk: boolean | null, extra: object = {}): void {
    if (this.socket.destroyed || !this.socket.writable) return
    this.socket.write(Buffer.concat([text, CRLF]))
    this.framesOut++
    this.logFrame('out', text, cls, null, crcOk, Date.now(), extra)
    if (this.socket.writableLength > MAX_WRITE_BACKLOG) this.drop('slow-reader')
  }

  private logIn(text: Buffer, info: BoxFrameInfo, atMs: number, extra: object): void {
    this.logFrame('in', text, info.request, info.table, info.crcOk, atMs, extra)
  }

  private logFrame(
    dir: 'in' | 'out',
    text: Buffer,
    cls: FrameClass,
    table: string | null,
    crcOk: boolean | null,
    atMs: number,
    extra: object,
  ): void {
    if (!this.core.log) return
    const t = table === null ? {} : { table }
    const ev = { at: iso(atMs), event: 'frame' as const, conn: this.id, dir, class: cls, ...t }
    this.emit({ ...ev, bytes: text.length, crcOk, ...extra })
  }

  private record(
    direction: CaptureDirection,
    bytes: Buffer,
    info: BoxFrameInfo,
    deviceId: string | null,
    peer: string | null,
  ): void {
    this.core.capture?.record({
      atMs: captureNow(),
      direction,
      connId: this.id,
      bytes,
      tableName: info.label,
      deviceId,
      peer,
    })
  }
}
