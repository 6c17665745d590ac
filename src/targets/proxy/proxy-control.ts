/**
 * The proxy's control API: the shared one (settings, state) plus `GET|POST /local-replies`
 * (`{"set": "contract"|"legacy"}`, the documented runtime rollback to the legacy replies) and
 * `GET|POST /mode` (`{"mode": "online"|"hybrid"|"offline"}`).
 */
import { z } from 'zod'
import type { SettingQueue } from '../replies/setting-queue.js'
import { ControlApi, type ControlApiOptions, type ControlResponse } from '../control-api.js'
import { PROXY_MODES, type ProxyMode } from './hybrid-policy.js'
import type { ProxySwitches } from './switches.js'
import { LOCAL_REPLY_SETS, type LocalReplySet } from '../replies/local-reply.js'

export const LocalRepliesRequestSchema = z.strictObject({
  set: z.enum(LOCAL_REPLY_SETS, 'expected "contract" or "legacy"'),
})

export const ModeRequestSchema = z.strictObject({
  mode: z.enum(PROXY_MODES, 'expected "online", "hybrid" or "offline"'),
})

export interface ProxyControlHooks {
  localReplies(): LocalReplySet
  setLocalReplies(set: LocalReplySet): void
  mode(): ProxyMode
  /** Switches the mode; returns a reason when it cannot (e.g. no upstream configured). */
  setMode(mode: ProxyMode): string | null
}

const fail = (status: number, reason: string): ControlResponse => ({
  status,
  body: { error: reason },
})

function parseBody<T extends z.ZodType>(
  schema: T,
  body: string | null,
  shape: string,
): { ok: true; value: z.infer<T> } | { ok: false; response: ControlResponse } {
  let json: unknown
  try {
    json = JSON.parse(body ?? '')
  } catch {
    return { ok: false, response: fail(400, `body is not JSON; expected ${shape}`) }
  }
  const parsed = schema.safeParse(json)
  if (parsed.success) return { ok: true, value: parsed.data }
  const reason = parsed.error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ')
  return { ok: false, response: fail(400, reason) }
}

export class ProxyControlApi extends ControlApi {
  constructor(
    queue: SettingQueue,
    state: () => unknown,
    private readonly hooks: ProxyControlHooks,
    options: ControlApiOptions = {},
  ) {
    super(queue, state, options)
  }

  override handle(method: string, url: string, body: string | null): ControlResponse {
    const path = url.split('?')[0]!.replace(/\/+$/, '') || '/'
    if (path === '/local-replies') {
      if (method === 'GET') return { status: 200, body: { set: this.hooks.localReplies() } }
      if (method !== 'POST') return notAllowed()
      const r = parseBody(LocalRepliesRequestSchema, body, '{"set": "contract"|"legacy"}')
      if (!r.ok) return r.response
      const from = this.hooks.localReplies()
      this.hooks.setLocalReplies(r.value.set)
      return { status: 200, body: { set: r.value.set, previous: from } }
    }
    if (path === '/mode') {
      if (method === 'GET') return { status: 200, body: { mode: this.hooks.mode() } }
      if (method !== 'POST') return notAllowed()
      const r = parseBody(ModeRequestSchema, body, '{"mode": "online"|"hybrid"|"offline"}')
      if (!r.ok) return r.response
      const from = this.hooks.mode()
      const problem = this.hooks.setMode(r.value.mode)
      if (problem !== null) return fail(409, problem)
      return { status: 200, body: { mode: r.value.mode, previous: from } }
    }
    return super.handle(method, url, body)
  }
}

const notAllowed = (): ControlResponse => ({
  status: 405,
  body: { error: 'method not allowed; use GET, POST' },
  headers: { allow: 'GET, POST' },
})

/** Starts the proxy's control API on `host:port`; resolves with the port it listens on. */
export async function startProxyControl(
  queue: SettingQueue,
  state: () => unknown,
  hooks: {
    localReplies(): LocalReplySet
    mode(): ProxyMode
    readonly switches: ProxySwitches
  },
  host: string,
  port: number,
  options: ControlApiOptions,
): Promise<{ api: ProxyControlApi; port: number }> {
  const api = new ProxyControlApi(
    queue,
    state,
    {
      localReplies: hooks.localReplies,
      setLocalReplies: (set) => hooks.switches.setLocalReplies(set),
      mode: hooks.mode,
      setMode: (mode) => {
        try {
          hooks.switches.setMode(mode)
          return null
        } catch (error) {
          return error instanceof Error ? error.message : String(error)
        }
      },
    },
    options,
  )
  return { api, port: await api.listen(host, port) }
}
