/** One TCP connect to an endpoint before a command sends to it (I/O at the CLI edge). */
import net from 'node:net'
import type { Endpoint } from '../targets/endpoint.js'

/**
 * Opens and closes one TCP connection to `e`: null when it could be made, else the reason
 * (`connection refused`, `no answer within 5000 ms`, …). Used before replaying to an endpoint.
 */
export function probeEndpoint(e: Endpoint, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: e.host, port: e.port })
    const done = (reason: string | null): void => {
      socket.destroy()
      resolve(reason)
    }
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`))
    socket.once('connect', () => done(null))
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(
        error.code === 'ECONNREFUSED'
          ? 'connection refused (nothing listens there)'
          : error.code === 'EHOSTUNREACH' || error.code === 'ENETUNREACH'
            ? 'host unreachable'
            : error.message,
      ),
    )
  })
}
