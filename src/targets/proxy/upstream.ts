/**
 * The proxy's TCP client side: one upstream connection per BOX connection, strict
 * request/response (PROTOCOL.md §3), and a connect-only probe. A failed exchange destroys the
 * connection (a late reply must never answer the next request); the next one reconnects.
 */
import net from 'node:net'
import { FrameSplitter } from '../../protocol/frame-splitter.js'
import { runningTimeout, type RunningTimeout } from '../../running-timeout.js'
import type { UpstreamResult } from './hybrid-policy.js'

export interface Endpoint {
  readonly host: string
  readonly port: number
}

export type ExchangeResult =
  /** The reply as it came off the wire (without its line ending). */
  | { readonly result: 'ok'; readonly reply: Buffer }
  | { readonly result: Exclude<UpstreamResult, 'ok'>; readonly detail: string }
  /** The proxy itself dropped the link (BOX gone, shutdown): not the upstream's failure. */
  | { readonly result: 'aborted' }

export interface UpstreamProblem {
  readonly problem: 'unsolicited' | 'garbage' | 'oversize'
  readonly bytes: number
}

interface Pending {
  readonly resolve: (r: ExchangeResult) => void
  readonly timer: RunningTimeout
}

function failureOf(error: NodeJS.ErrnoException): Exclude<UpstreamResult, 'ok'> {
  if (error.code === 'ECONNREFUSED') return 'refused'
  if (error.code === 'ETIMEDOUT') return 'timeout'
  return 'reset'
}

export class UpstreamLink {
  private socket: net.Socket | null = null
  private splitter = new FrameSplitter()
  private pending: Pending | null = null
  private closed = false

  constructor(
    private readonly endpoint: Endpoint,
    private readonly onProblem: (p: UpstreamProblem) => void,
    private readonly maxFrameBytes?: number,
  ) {}

  /** Opens the connection ahead of the first frame (saves the connect time on it). */
  warm(): void {
    if (!this.closed && this.socket === null) this.connect()
  }

  /**
   * Sends one frame (with its line ending) and waits for the one reply, at most `timeoutMs` of
   * the proxy's running time (a stall of its own event loop is not the upstream's delay).
   */
  exchange(bytes: Buffer, timeoutMs: number): Promise<ExchangeResult> {
    if (this.closed) return Promise.resolve({ result: 'aborted' })
    if (this.pending) throw new Error('UpstreamLink: one exchange at a time')
    const socket = this.socket ?? this.connect()
    return new Promise((resolve) => {
      const timer = runningTimeout(
        () => this.fail({ result: 'timeout', detail: `no reply within ${timeoutMs} ms` }),
        timeoutMs,
      )
      this.pending = { resolve, timer }
      socket.write(bytes)
    })
  }

  /** Drops the connection; a pending exchange ends as `aborted`. */
  close(): void {
    this.closed = true
    this.fail({ result: 'aborted' })
  }

  private connect(): net.Socket {
    const socket = net.connect({
      host: this.endpoint.host,
      port: this.endpoint.port,
      noDelay: true,
    })
    const splitter = new FrameSplitter(
      this.maxFrameBytes === undefined ? {} : { maxFrameBytes: this.maxFrameBytes },
    )
    this.socket = socket
    this.splitter = splitter
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return
      for (const ev of splitter.push(chunk)) {
        if (ev.type === 'frame') this.onFrame(ev.bytes)
        else this.onProblem({ problem: ev.type, bytes: ev.bytes })
      }
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.socket === socket)
        this.fail({ result: failureOf(error), detail: error.code ?? error.message })
    })
    // 'end' (the upstream's FIN) already makes the connection unusable: the next frame must not
    // be written into it while the close is still under way.
    const closedByPeer = (): void => {
      if (this.socket === socket) this.fail({ result: 'reset', detail: 'closed by the upstream' })
    }
    socket.on('end', closedByPeer)
    socket.on('close', closedByPeer)
    return socket
  }

  private onFrame(text: Buffer): void {
    const p = this.pending
    if (!p) {
      this.onProblem({ problem: 'unsolicited', bytes: text.length })
      return
    }
    this.pending = null
    p.timer.cancel()
    p.resolve({ result: 'ok', reply: text })
  }

  /** Ends the pending exchange (if any) with `r` and destroys the connection. */
  private fail(r: ExchangeResult): void {
    const socket = this.socket
    this.socket = null
    socket?.destroy()
    const p = this.pending
    this.pending = null
    if (p) {
      p.timer.cancel()
      p.resolve(r)
    }
  }
}

/** Connect-only probe of the upstream: `ok` once the TCP connection opens within `timeoutMs`. */
export function probeUpstream(endpoint: Endpoint, timeoutMs: number): Promise<UpstreamResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: endpoint.host, port: endpoint.port })
    const done = (r: UpstreamResult): void => {
      clearTimeout(timer)
      socket.removeAllListeners()
      socket.on('error', () => undefined)
      socket.destroy()
      resolve(r)
    }
    const timer = setTimeout(() => done('timeout'), timeoutMs)
    socket.once('connect', () => done('ok'))
    socket.once('error', (e: NodeJS.ErrnoException) => done(failureOf(e)))
  })
}
