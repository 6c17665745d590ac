/**
 * HTTP control API over a SettingQueue (node:http, meant for loopback), shared by the mock cloud
 * and the proxy: `POST /settings`, `GET /settings`, `GET /settings/:id`, `DELETE /settings/:id`,
 * `GET /state` (whatever the server's `state()` returns). Every response body is JSON.
 */
import http from 'node:http'
import { z } from 'zod'
import type { ControlEvent } from '../evidence/schemas/serve-events.js'
import type { QueuedSetting, SettingQueue } from './cloud-logic/setting-queue.js'
import { closeServer, listenOn } from './listen.js'

/** A request body larger than this is refused (413); a real one is ~60 bytes. */
export const MAX_CONTROL_BODY_BYTES = 16 * 1024

/**
 * `{table, item, value}` of a new Setting. The values end up inside a frame's tag stream
 * (PROTOCOL.md §1), so `<`, `>`, `&` and line breaks are refused rather than escaped.
 */
export const SettingRequestSchema = z.strictObject({
  table: z.string().regex(/^tbl_[A-Za-z0-9_]+$/, 'expected a table name like tbl_box_prms'),
  item: z.string().regex(/^[A-Za-z0-9_]+$/, 'expected an item name like MODE (letters, digits, _)'),
  value: z
    .union([z.string(), z.number()], 'expected a string or a number')
    .transform(String)
    .pipe(
      z
        .string()
        .min(1, 'must not be empty')
        .max(64, 'at most 64 characters')
        .regex(/^[^<>&\r\n]*$/, 'must not contain <, >, & or line breaks'),
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

export interface ControlApiOptions {
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
export class ControlApi {
  private server: http.Server | null = null
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
    const server = http.createServer((req, res) => this.serve(req, res))
    server.on('clientError', (_err, socket) => socket.destroy())
    this.server = server
    return listenOn(server, host, port, 'control API')
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
      const text = reply.body === undefined ? '' : `${JSON.stringify(reply.body)}\n`
      res.writeHead(reply.status, {
        ...(text ? { 'content-type': 'application/json' } : {}),
        ...reply.headers,
      })
      res.end(text)
      this.options.onRequest?.({
        at: new Date(this.now()).toISOString(),
        event: 'control',
        method,
        path: url.split('?')[0]!,
        status: reply.status,
        ...(reply.setting === undefined ? {} : { setting: reply.setting }),
      })
    })
  }
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
