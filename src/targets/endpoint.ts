/**
 * The one endpoint parser of oigctl: `host:port`, `[v6]:port` and `tcp://host:port` (also
 * `tcp://[v6]:port`), wherever an address is given (`--listen`, `--upstream`, `--online`,
 * `--target`). One port range: 1 … 65535 to connect to, 0 … 65535 to listen on (0 = a free port).
 */
export interface Endpoint {
  readonly host: string
  readonly port: number
}

export type EndpointUse = 'listen' | 'connect'

/** The accepted forms, for messages. */
export const ENDPOINT_FORMS = 'HOST:PORT, [IPv6]:PORT or tcp://HOST:PORT'

/** Parses an endpoint; a string saying what is wrong when it is none. */
export function parseEndpoint(text: string, use: EndpointUse): Endpoint | string {
  const m = /^(?:tcp:\/\/)?(?:\[([0-9A-Fa-f:.%\w-]+)\]|([^:[\]/\s]+)):(\d{1,5})$/.exec(text.trim())
  if (!m) return `expected ${ENDPOINT_FORMS}, got ${JSON.stringify(text)}`
  const port = Number(m[3])
  const min = use === 'listen' ? 0 : 1
  if (port < min || port > 65535)
    return `port ${m[3]} is outside ${min} … 65535${use === 'listen' ? ' (0 = a free port)' : ''}`
  return { host: (m[1] ?? m[2])!, port }
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`
}
