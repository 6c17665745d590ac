/**
 * HTTP control API over a SettingQueue (node:http, meant for loopback), shared by the mock cloud
 * and the proxy: `POST /settings`, `GET /settings`, `GET /settings/:id`, `DELETE /settings/:id`,
 * `GET /state` (whatever the server's `state()` returns). Every response body is JSON.
 *
 * It refuses what a web page in a browser on the same machine could send (see request-guard.ts):
 * a foreign `Host` (DNS rebinding), a foreign `Origin`, a body that is not `application/json`, and
 * — when a token is set — a request without `Authorization: Bearer <token>`.
 */
import http from 'node:http'
import type { Socket } from 'node:net'
import { z } from 'zod'
import type { ControlEvent } from '../evidence/schemas/serve-events.js'
import type { QueuedSetting, SettingQueue, SettingState } from './replies/setting-queue.js'
import { closeServer, listenOn } from './listen.js'
import { guardRequest, type RequestGuard } from './request-guard.js'

/** A request body larger than this is refused (413); a real one is ~60 bytes. */
export const MAX_CONTROL_BODY_BYTES = 16 * 1024
/** A request line plus headers larger than this is refused (431). */
export const MAX_CONTROL_HEADER_BYTES = 8 * 1024
/** A request not fully received after this long is answered 408 and closed. */
export const CONTROL_REQUEST_TIMEOUT_MS = 10_000
/** Longest table or item name accepted (the longest in the captures has 15 characters). */
export const MAX_SETTING_NAME_LENGTH = 64

/**
 * `{table, item, value}` of a new Setting. The values end up inside a frame's tag stream
 * (PROTOCOL.md §1), so `<`, `>`, `&` and line breaks are refused rather than escaped.
 */
export const SettingRequestSchema = z.strictObject({
  table: z
    .string()
    .max(MAX_SETTING_NAME_LENGTH, `at most ${MAX_SETTING_NAME_LENGTH} characters`)
    .regex(/^tbl_[A-Za-z0-9_]+$/, 'expected a table name like tbl_box_prms'),
  item: z
    .string()
    .max(MAX_SETTING_NAME_LENGTH, `at most ${MAX_SETTING_NAME_LENGTH} characters`)
    .regex(/^[A-Za-z0-9_]+$/, 'expected an item name like MODE (letters, digits, _)'),
  value: z
    .union([z.string(), z.number()], 'expected a string or a number')
    .transform(String)
    .pipe(
      z
        .string()
        .min(1, 'must not be empty')
        .max(64, 'at most 64 characters')
        .regex(/^[^<>&]*$/, 'must not contain <, >, & or line breaks')
        // C0, DEL and C1 control characters (line breaks included) have no place in a frame.
        // eslint-disable-next-line no-control-regex
        .regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'must not contain control characters'),
    ),
})

/** A queued Setting as the API shows it. */
export interface SettingView {
  readonly id: string
  readonly cloudId: number
  readonly table: string
  readonly item: string
  readonly value: string
  readonly state: QueuedSetting['state']
  readonly queuedAt: string
  /** `ID_Set` of its frames: Unix seconds of queueing. */
  readonly idSet: number
  readonly deliveries: ReadonlyArray<{ readonly conn: number; readonly at: string }>
  readonly resolvedAt: string | null
  readonly resolvedOnConn: number | null
}

const iso = (ms: number): string => new Date(ms).toISOString()

/** The API's JSON view of a queued Setting (times as ISO strings). */
export function settingView(s: QueuedSetting): SettingView {
  return {
    id: s.id,
    cloudId: s.cloudId,
    table: s.table,
    item: s.item,
    value: s.value,
    state: s.state,
    queuedAt: iso(s.queuedAtMs),
    idSet: Math.floor(s.queuedAtMs / 1000),
    deliveries: s.deliveries.map((d) => ({ conn: d.connId, at: iso(d.atMs) })),
    resolvedAt: s.resolvedAtMs === null ? null : iso(s.resolvedAtMs),
    resolvedOnConn: s.resolvedOnConn,
  }
}

export interface ControlResponse {
  readonly status: number
  /** JSON body; absent for 204. */
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
  /** Control API id of the setting the request created or removed. */
  readonly setting?: string
}

/** What guards the API on its socket (both servers take these from the command line). */
export interface ControlGuardOptions {
  /** Bearer token every request must carry (`Authorization: Bearer …`); null/absent = none. */
  readonly token?: string | null
  /** 408 after this long without the whole request (default CONTROL_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs?: number
}

export interface ControlApiOptions extends ControlGuardOptions {
  readonly now?: () => number
  readonly maxBodyBytes?: number
  /** Called once per request answered (for the server's event log). */
  readonly onRequest?: (event: ControlEvent) => void
}

const error = (
  status: number,
  reason: string,
  headers?: Record<string, string>,
): ControlResponse =>
  headers ? { status, body: { error: reason }, headers } : { status, body: { error: reason } }

/** The control API: routes are answered by `handle`, `listen` puts them on a socket. */
/** The queue's settings as the control API shows them, grouped by state (both servers' state). */
export function settingsByState(queue: SettingQueue): Record<SettingState, SettingView[]> {
  const out: Record<SettingState, SettingView[]> = {
    pending: [],
    delivered: [],
    acked: [],
    nacked: [],
  }
  for (const s of queue.list()) out[s.state].push(settingView(s))
  return out
}

export class ControlApi {
  private server: http.Server | null = null
  private guard: RequestGuard | null = null
  private readonly now: () => number
  private readonly maxBodyBytes: number

  constructor(
    private readonly queue: SettingQueue,
    private readonly state: () => unknown,
    private readonly options: ControlApiOptions = {},
  ) {
    this.now = options.now ?? Date.now
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_CONTROL_BODY_BYTES
  }

  /** Answers one request (body already read; null when none was sent). */
  handle(method: string, url: string, body: string | null): ControlResponse {
    const path = url.split('?')[0]!.replace(/\/+$/, '') || '/'
    if (path === '/state') {
      return method === 'GET' ? { status: 200, body: this.state() } : notAllowed('GET')
    }
    if (path === '/settings') {
      if (method === 'GET')
        return { status: 200, body: { settings: this.queue.list().map(settingView) } }
      if (method === 'POST') return this.create(body)
      return notAllowed('GET, POST')
    }
    const m = /^\/settings\/([^/]+)$/.exec(path)
    if (m) {
      const id = decodePathSegment(m[1]!)
      const s = this.queue.get(id)
      if (method === 'GET') return s ? { status: 200, body: settingView(s) } : unknownSetting(id)
      if (method !== 'DELETE') return notAllowed('GET, DELETE')
      if (!s) return unknownSetting(id)
      if (!this.queue.remove(id)) return error(409, `setting ${id} is already ${s.state}`)
      return { status: 204, setting: id }
    }
    return error(404, `no such endpoint: ${method} ${path}`)
  }

  private create(body: string | null): ControlResponse {
    let json: unknown
    try {
      json = JSON.parse(body ?? '')
    } catch {
      return error(400, 'body is not JSON; expected {"table", "item", "value"}')
    }
    const parsed = SettingRequestSchema.safeParse(json)
    if (!parsed.success) {
      const reason = parsed.error.issues
        .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
        .join('; ')
      return error(400, reason)
    }
    const s = this.queue.add(parsed.data, this.now())
    return { status: 201, body: settingView(s), setting: s.id }
  }

  /** Listens on host:port (0 = free port) and resolves with the bound port. */
  async listen(host: string, port: number): Promise<number> {
    const timeoutMs = this.options.requestTimeoutMs ?? CONTROL_REQUEST_TIMEOUT_MS
    const server = http.createServer(
      { maxHeaderSize: MAX_CONTROL_HEADER_BYTES, requestTimeout: timeoutMs },
      (req, res) => this.serve(req, res),
    )
    // Node checks request timeouts on this interval (default 30 s): check often enough that a
    // stalled request is answered close to its deadline.
    ;(server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval = Math.max(
      50,
      Math.min(1000, Math.floor(timeoutMs / 4)),
    )
    server.headersTimeout = timeoutMs
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) =>
      answerClientError(err, socket),
    )
    this.server = server
    const bound = await listenOn(server, host, port, 'control API')
    this.guard = { host, port: bound, token: this.options.token ?? null }
    return bound
  }

  /** Stops listening and drops open HTTP connections. */
  async close(): Promise<void> {
    const server = this.server
    this.server = null
    if (!server) return
    const closed = closeServer(server)
    server.closeAllConnections()
    await closed
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const refused = this.guard ? guardRequest(this.guard, req.method ?? 'GET', req.headers) : null
    if (refused) {
      // Answered before the body is read; the connection is not reused.
      this.reply(req, res, error(refused.status, refused.reason, refused.headers), true)
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      // Keep reading (to answer cleanly) but stop keeping the bytes.
      if (size <= this.maxBodyBytes) chunks.push(chunk)
    })
    req.on('error', () => res.destroy())
    req.on('end', () => {
      const method = req.method ?? 'GET'
      const url = req.url ?? '/'
      let reply: ControlResponse
      try {
        reply =
          size > this.maxBodyBytes
            ? error(413, `body larger than ${this.maxBodyBytes} bytes`)
            : this.handle(method, url, size === 0 ? null : Buffer.concat(chunks).toString('utf8'))
      } catch (e) {
        reply = error(500, `internal error: ${e instanceof Error ? e.message : String(e)}`)
      }
      this.reply(req, res, reply, false)
    })
  }

  private reply(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    reply: ControlResponse,
    close: boolean,
  ): void {
    const method = req.method ?? 'GET'
    const url = req.url ?? '/'
    const text = reply.body === undefined ? '' : `${JSON.stringify(reply.body)}\n`
    res.writeHead(reply.status, {
      ...(text ? { 'content-type': 'application/json' } : {}),
      'content-length': String(Buffer.byteLength(text)),
      ...(close ? { connection: 'close' } : {}),
      ...reply.headers,
    })
    res.end(text)
    if (close) res.on('finish', () => req.socket.destroySoon())
    this.options.onRequest?.({
      at: new Date(this.now()).toISOString(),
      event: 'control',
      method,
      path: url.split('?')[0]!.slice(0, 256),
      status: reply.status,
      ...(reply.setting === undefined ? {} : { setting: reply.setting }),
    })
  }
}

const CLIENT_ERROR_STATUS: ReadonlyMap<string, string> = new Map([
  ['HPE_HEADER_OVERFLOW', '431 Request Header Fields Too Large'],
  ['ERR_HTTP_REQUEST_TIMEOUT', '408 Request Timeout'],
])

/** A request node:http could not parse or receive in time: answer its status, then close. */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy()
    return
  }
  const status = CLIENT_ERROR_STATUS.get(err.code ?? '') ?? '400 Bad Request'
  const body = `${JSON.stringify({ error: status.slice(4).toLowerCase() })}\n`
  socket.end(
    `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  )
  socket.destroySoon()
}

const notAllowed = (allow: string): ControlResponse =>
  error(405, `method not allowed; use ${allow}`, { allow })

const unknownSetting = (id: string): ControlResponse => error(404, `no setting ${id}`)

/** Percent-decodes a path segment; a malformed escape is kept as written (it then matches nothing). */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}
