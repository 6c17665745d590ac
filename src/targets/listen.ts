/** Binding servers at the I/O edge: listen, with "could not run" errors a user can act on. */
import type { Server } from 'node:net'
import { OigError, reasonOf } from '../errors.js'

/** Loopback hosts: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v4)
  return m !== null && m[1] === '127' && m.slice(2).every((o) => Number(o) <= 255)
}

function reasonOfListen(error: unknown): string {
  switch ((error as { code?: string }).code) {
    case 'EADDRINUSE':
      return 'address in use'
    case 'EACCES':
      return 'permission denied'
    case 'EADDRNOTAVAIL':
      return 'address not available on this machine'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found'
    default:
      return reasonOf(error)
  }
}

/**
 * Starts `server` listening on host:port (0 = a free port) and resolves with the bound port.
 * A failure (port in use, …) rejects with `OigError('LISTEN_FAILED')` naming `what`.
 */
export function listenOn(
  server: Server,
  host: string,
  port: number,
  what: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: unknown): void => {
      reject(
        new OigError(
          'LISTEN_FAILED',
          `Failed to listen on ${host}:${port} (${what}): ${reasonOfListen(error)}.`,
          {
            hint:
              (error as { code?: string }).code === 'EADDRINUSE'
                ? 'Stop the program using that port, or choose another one (0 picks a free port).'
                : 'Check the host and port options.',
            cause: error,
          },
        ),
      )
    }
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      const address = server.address()
      resolve(typeof address === 'object' && address !== null ? address.port : port)
    })
  })
}

/** Closes a listening server; resolves once it no longer accepts (already closed is fine). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve()
      return
    }
    server.close(() => resolve())
  })
}
