/**
 * The mock cloud: a real TCP server that answers a BOX the way the contract says the real cloud
 * does (CloudLogic decides, this file only carries it out), plus the HTTP control API over its
 * setting queue. Each connection is isolated: a bad peer is logged and dropped, the rest go on.
 */
import net from 'node:net'
import { ReplyPolicy, type ReplyPolicyOptions } from '../../contract/reply-policy.js'
import type { Contract } from '../../contract/schema.js'
import type { ServeEvent } from '../../evidence/schemas/serve-events.js'
import { SERVE_EVENTS_SCHEMA_VERSION } from '../../evidence/schemas/serve-events.js'
import type { BoxClass } from '../../protocol/frame-class.js'
import { MAX_FRAME_BYTES } from '../../protocol/frame-splitter.js'
import { CloudLogic } from '../replies/cloud-logic.js'
import { SettingQueue } from '../replies/setting-queue.js'
import {
  ControlApi,
  settingView,
  type ControlGuardOptions,
  type SettingView,
} from '../control-api.js'
import { closeServer, listenOn } from '../listen.js'
import { MockConnection, type MockCounters } from './connection.js'

/** The one frame-size limit of oigctl (the splitter's MAX_FRAME_BYTES, 16 KiB). */
export const DEFAULT_MOCK_MAX_FRAME_BYTES = MAX_FRAME_BYTES

/** How long close() lets peers flush and close before it destroys their sockets. */
const SHUTDOWN_GRACE_MS = 3_000

export interface MockCloudOptions {
  readonly host: string
  /** 0 = a free port. */
  readonly port: number
  /** Host of the control API (default 127.0.0.1). */
  readonly controlHost?: string
  /** 0 = a free port, null = no control API. */
  readonly controlPort: number | null
  /** Bearer token and request timeout of the control API. */
  readonly controlGuard?: ControlGuardOptions
  readonly contract: Contract
  /** 0 = never. */
  readonly idleTimeoutMs: number
  readonly maxConnections: number
  readonly maxFrameBytes: number
  readonly log: (event: ServeEvent) => void
  readonly now?: () => number
  /** Polls that may carry a Setting (default: those the contract shows carrying one). */
  readonly settingPolls?: readonly BoxClass[]
  /** How replies pick among the contract's observed replies (default dominant). */
  readonly replies?: ReplyPolicyOptions
}

export interface MockCloudState {
  readonly target: 'mock'
  readonly host: string
  readonly port: number
  readonly controlHost: string | null
  readonly controlPort: number | null
  readonly contractVersion: string
  readonly settingPolls: readonly BoxClass[]
  readonly startedAt: string
  readonly connections: {
    readonly open: ReadonlyArray<{
      readonly conn: number
      readonly peer: string
      readonly openedAt: string
      readonly framesIn: number
      readonly framesOut: number
      /** Bytes of an incomplete frame received so far. */
      readonly pendingBytes: number
      readonly awaitingAck: string | null
    }>
    readonly accepted: number
    readonly rejected: number
  }
  readonly settings: Readonly<Record<'pending' | 'delivered' | 'acked' | 'nacked', SettingView[]>>
  readonly counters: Readonly<MockCounters>
}

export interface MockCloud {
  readonly port: number
  readonly controlPort: number | null
  readonly logic: CloudLogic
  state(): MockCloudState
  /**
   * Stops accepting, ends every connection after its pending replies (destroying those still
   * open after `graceMs`, default 3 s), closes the control API.
   */
  close(reason?: string, graceMs?: number): Promise<void>
}

/** Starts the mock cloud; rejects with OigError('LISTEN_FAILED') when a port cannot be bound. */
export async function startMockCloud(opts: MockCloudOptions): Promise<MockCloud> {
  const now = opts.now ?? Date.now
  const at = (): string => new Date(now()).toISOString()
  const startedAt = at()
  const queue = new SettingQueue()
  const policy = new ReplyPolicy(opts.contract, opts.replies ?? {})
  const logic = new CloudLogic({
    policy,
    queue,
    ...(opts.settingPolls ? { settingPolls: opts.settingPolls } : {}),
  })
  const settingPolls = opts.settingPolls ?? policy.settingPolls()
  const counters: MockCounters = {
    framesIn: 0,
    repliesOut: 0,
    settingsSent: 0,
    unobserved: 0,
    crcErrors: 0,
    garbage: 0,
    oversize: 0,
    idleTimeouts: 0,
    socketErrors: 0,
  }
  const open = new Map<number, MockConnection>()
  let nextConn = 1
  /** Resolvers waiting for the last connection to close (its 'close' event logged). */
  const drainWaiters: Array<() => void> = []
  const drained = (): Promise<void> =>
    open.size === 0 ? Promise.resolve() : new Promise((resolve) => drainWaiters.push(resolve))
  let rejected = 0
  const controlHost = opts.controlPort === null ? null : (opts.controlHost ?? '127.0.0.1')
  let port = opts.port
  let controlPort: number | null = null

  const deps = {
    logic,
    log: opts.log,
    now,
    counters,
    maxFrameBytes: opts.maxFrameBytes,
    idleTimeoutMs: opts.idleTimeoutMs,
  }
  const server = net.createServer((socket) => {
    if (open.size >= opts.maxConnections) {
      rejected++
      socket.on('error', () => undefined)
      opts.log({
        at: at(),
        event: 'reject',
        peer: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
        reason: `${opts.maxConnections} connections open (--max-connections)`,
      })
      socket.destroy()
      return
    }
    const conn = new MockConnection(nextConn++, socket, deps, (c) => {
      open.delete(c.id)
      if (open.size === 0) for (const resolve of drainWaiters.splice(0)) resolve()
    })
    open.set(conn.id, conn)
  })
  // After listening, a server error (e.g. EMFILE on accept) is logged; it never crashes the process.
  const onServerError = (error: Error): void =>
    opts.log({ at: at(), event: 'server-error', reason: error.message })

  /** Where the mock listens and what it follows: the head of its state and of its listen event. */
  const endpoint = () => ({
    target: 'mock' as const,
    host: opts.host,
    port,
    controlHost,
    controlPort,
    contractVersion: opts.contract.version,
  })

  const state = (): MockCloudState => {
    const settings: MockCloudState['settings'] = {
      pending: [],
      delivered: [],
      acked: [],
      nacked: [],
    }
    for (const s of queue.list()) settings[s.state].push(settingView(s))
    return {
      ...endpoint(),
      settingPolls,
      startedAt,
      connections: {
        open: [...open.values()].map((c) => ({
          conn: c.id,
          peer: c.peer,
          openedAt: new Date(c.openedAtMs).toISOString(),
          framesIn: c.framesIn,
          framesOut: c.framesOut,
          pendingBytes: c.pendingBytes,
          awaitingAck: queue.awaitingOn(c.id)?.id ?? null,
        })),
        accepted: nextConn - 1,
        rejected,
      },
      settings,
      counters: { ...counters },
    }
  }
  const control =
    opts.controlPort === null
      ? null
      : new ControlApi(queue, state, {
          now,
          onRequest: (e) => opts.log(e),
          ...opts.controlGuard,
        })

  port = await listenOn(server, opts.host, opts.port, 'mock cloud')
  server.on('error', onServerError)
  if (control && controlHost !== null) {
    try {
      controlPort = await control.listen(controlHost, opts.controlPort ?? 0)
    } catch (error) {
      await closeServer(server)
      throw error
    }
  }
  opts.log({
    at: at(),
    event: 'listen',
    kind: 'serve-events',
    schemaVersion: SERVE_EVENTS_SCHEMA_VERSION,
    ...endpoint(),
  })

  let closing: Promise<void> | null = null
  const close = (reason = 'closed', graceMs = SHUTDOWN_GRACE_MS): Promise<void> =>
    (closing ??= (async () => {
      opts.log({ at: at(), event: 'shutdown', reason })
      const stopped = closeServer(server)
      for (const c of open.values()) c.end('server shutdown')
      const grace = setTimeout(() => {
        for (const c of open.values()) c.destroy()
      }, graceMs)
      await Promise.all([stopped, drained(), control?.close()])
      clearTimeout(grace)
    })())

  return {
    port,
    get controlPort() {
      return controlPort
    },
    logic,
    state,
    close,
  }
}
