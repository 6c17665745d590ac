/**
 * What the control API refuses before routing (pure): requests a web page in a browser could
 * send. A foreign `Host` means DNS rebinding (421), a foreign `Origin` a cross-site page (403), a
 * missing or wrong bearer token 401, and a body that is not `application/json` 415 — a browser
 * sends `text/plain` or a form type cross-site without a CORS preflight, never `application/json`.
 */
import { timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { isLoopbackHost } from './listen.js'

export interface RequestGuard {
  /** The address the API is bound to, and its port. */
  readonly host: string
  readonly port: number
  /** Bearer token every request must carry; null = none. */
  readonly token: string | null
}

export interface Refusal {
  readonly status: 401 | 403 | 415 | 421
  readonly reason: string
  readonly headers?: Record<string, string>
}

/** Host part of a `Host` header or an origin's authority, lower-cased, brackets removed. */
function splitAuthority(authority: string): { host: string; port: string | null } | null {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]/]+))(?::(\d{1,5}))?$/i.exec(authority.trim())
  if (!m) return null
  return { host: (m[1] ?? m[2])!.toLowerCase(), port: m[3] ?? null }
}

const bare = (host: string): string => host.toLowerCase().replace(/^\[(.*)\]$/, '$1')

/** True when `host` is a wildcard address (`0.0.0.0`, `::`): the Host then cannot be pinned. */
function isWildcard(host: string): boolean {
  const h = bare(host)
  return h === '0.0.0.0' || h === '::' || h === '0:0:0:0:0:0:0:0'
}

/**
 * The Host a request must name: the bound loopback address and port (or `localhost` with that
 * port). Off loopback the token guards the API (it is then required), so any Host is taken.
 */
function hostAllowed(guard: RequestGuard, header: string | undefined): boolean {
  if (!isLoopbackHost(guard.host) || isWildcard(guard.host)) return true
  if (header === undefined) return false
  const a = splitAuthority(header)
  if (!a || a.port !== String(guard.port)) return false
  return a.host === bare(guard.host) || a.host === 'localhost'
}

/** An `Origin` is accepted only when it is an http(s) origin on a loopback host. */
function originAllowed(origin: string): boolean {
  const m = /^https?:\/\/([^/]+)$/i.exec(origin.trim())
  const a = m ? splitAuthority(m[1]!) : null
  return a !== null && isLoopbackHost(a.host)
}

function tokenMatches(expected: string, header: string | undefined): boolean {
  const m = /^Bearer +(\S+)\s*$/i.exec(header ?? '')
  if (!m) return false
  const given = Buffer.from(m[1]!, 'utf8')
  const want = Buffer.from(expected, 'utf8')
  return given.length === want.length && timingSafeEqual(given, want)
}

function hasBody(method: string, headers: IncomingHttpHeaders): boolean {
  if (method === 'POST') return true
  const length = headers['content-length']
  return (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined
}

/** `application/json`, optionally with parameters (`; charset=utf-8`). */
function isJsonType(value: string | undefined): boolean {
  return value !== undefined && /^application\/json\s*(;.*)?$/i.test(value.trim())
}

/** Returns why a request is refused, or null when it may be routed. */
export function guardRequest(
  guard: RequestGuard,
  method: string,
  headers: IncomingHttpHeaders,
): Refusal | null {
  if (!hostAllowed(guard, headers.host)) {
    return {
      status: 421,
      reason: `Host ${JSON.stringify(headers.host ?? null)} is not this API's address (${guard.host}:${guard.port}); requests through another name (DNS rebinding) are refused`,
    }
  }
  const origin = headers.origin
  if (origin !== undefined && !originAllowed(origin)) {
    return {
      status: 403,
      reason: `Origin ${JSON.stringify(origin)} is not a loopback origin; requests from web pages are refused`,
    }
  }
  if (guard.token !== null && !tokenMatches(guard.token, headers.authorization)) {
    return {
      status: 401,
      reason: 'missing or wrong bearer token (send Authorization: Bearer <--control-token>)',
      headers: { 'www-authenticate': 'Bearer realm="oigctl control API"' },
    }
  }
  if (hasBody(method, headers) && !isJsonType(headers['content-type'])) {
    return {
      status: 415,
      reason: `Content-Type ${JSON.stringify(headers['content-type'] ?? null)} refused; send application/json`,
    }
  }
  return null
}
