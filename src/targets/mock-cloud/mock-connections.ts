/**
 * The mock cloud's open BOX connections: accepted up to the cap (a connection over it is logged
 * and dropped), and at shutdown ended after their pending replies, destroyed after a grace time.
 */
import type { Socket } from 'node:net'
import type { ServeEvent } from '../../evidence/schemas/serve-events.js'
import { MockConnection, type ConnectionDeps } from './connection.js'

export class MockConnections {
  private readonly open = new Map<number, MockConnection>()
  private nextConn = 1
  private rejectedCount = 0
  /** Resolvers waiting for the last connection to close (its 'close' event logged). */
  private readonly drainWaiters: Array<() => void> = []

  constructor(
    private readonly deps: ConnectionDeps,
    private readonly maxConnections: number,
    private readonly log: (event: ServeEvent) => void,
    private readonly at: () => string,
  ) {}

  get accepted(): number {
    return this.nextConn - 1
  }

  get rejected(): number {
    return this.rejectedCount
  }

  list(): Iterable<MockConnection> {
    return this.open.values()
  }

  accept(socket: Socket): void {
    if (this.open.size >= this.maxConnections) {
      this.rejectedCount++
      socket.on('error', () => undefined)
      this.log({
        at: this.at(),
        event: 'reject',
        peer: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
        reason: `${this.maxConnections} connections open (--max-connections)`,
      })
      socket.destroy()
      return
    }
    const conn = new MockConnection(this.nextConn++, socket, this.deps, (c) => {
      this.open.delete(c.id)
      if (this.open.size === 0) for (const resolve of this.drainWaiters.splice(0)) resolve()
    })
    this.open.set(conn.id, conn)
  }

  /** Ends every connection; those still open after `graceMs` are destroyed. */
  async endAll(graceMs: number): Promise<void> {
    for (const c of this.open.values()) c.end('server shutdown')
    const grace = setTimeout(() => {
      for (const c of this.open.values()) c.destroy()
    }, graceMs)
    await this.drained()
    clearTimeout(grace)
  }

  private drained(): Promise<void> {
    return this.open.size === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.drainWaiters.push(resolve))
  }
}
