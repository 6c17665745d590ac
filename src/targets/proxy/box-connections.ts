/**
 * The proxy's open BOX connections: accepted up to the cap and while not shutting down (a
 * connection refused is logged and dropped), and at shutdown drained — the frames already
 * received are answered — then destroyed after a grace time.
 */
import type { Socket } from 'node:net'
import type { ProxyEventSink } from '../../evidence/schemas/proxy-events.js'
import { BoxConnection } from './box-connection.js'
import type { ProxyCore } from './proxy-core.js'

export class BoxConnections {
  private readonly conns = new Set<BoxConnection>()
  private nextConnId = 0
  private rejectedCount = 0
  private closing = false

  constructor(
    private readonly core: ProxyCore,
    private readonly maxConnections: number,
    private readonly log: ProxyEventSink | null,
    private readonly at: () => string,
  ) {}

  /** Open, total accepted and rejected, as `GET /state` shows them. */
  counts(): { open: number; total: number; rejected: number } {
    return { open: this.conns.size, total: this.nextConnId, rejected: this.rejectedCount }
  }

  accept(socket: Socket): void {
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`
    if (this.closing || this.conns.size >= this.maxConnections) {
      this.rejectedCount++
      socket.on('error', () => undefined)
      socket.destroy()
      const reason = this.closing
        ? 'shutting down'
        : `at the cap of ${this.maxConnections} connections`
      this.log?.write({ at: this.at(), event: 'reject', peer, reason })
      return
    }
    const id = ++this.nextConnId
    this.log?.write({ at: this.at(), event: 'open', conn: id, peer })
    const conn = new BoxConnection(id, socket, peer, this.core)
    this.conns.add(conn)
    void conn.closed.then(() => this.conns.delete(conn))
  }

  /** Refuses new connections from now on. */
  refuse(): void {
    this.closing = true
  }

  /**
   * Reads nothing more, answers the frames already received and closes every connection; those
   * still open after `graceMs` are dropped.
   */
  async drainAll(graceMs: number): Promise<void> {
    for (const c of this.conns) c.drain()
    const deadline = setTimeout(() => {
      for (const c of this.conns) c.destroy()
    }, graceMs)
    await Promise.all([...this.conns].map((c) => c.closed))
    clearTimeout(deadline)
  }
}
