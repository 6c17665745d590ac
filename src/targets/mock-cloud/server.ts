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
import { ControlApi, type ControlGuardOptions } from '../control-api.js'
import { closeServer, listenOn } from '../listen.js'
import { MockConnections } from './mock-connections.js'
import { mockState, newMockCounters, type MockCloudState, type MockEndpoint } from './mock-state.js'

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
  const polls = opts.settingPolls ? { settingPolls: opts.settingPolls } : {}
  const logic = new CloudLogic({ policy, queue, ...polls })
  const settingPolls = opts.settingPolls ?? policy.settingPolls()
  const counters = newMockCounters()
  const deps = {
    logic,
    log: opts.log,
    now,
    counters,
    maxFrameBytes: opts.maxFrameBytes,
    idleTimeoutMs: opts.idleTimeoutMs,
  }
  const conns = new MockConnections(deps, opts.maxConnections, opts.log, at)
  const server = net.createServer((socket) => conns.accept(socket))
  const controlHost = opts.controlPort === null ? null : (opts.controlHost ?? '127.0.0.1')
  let port = opts.port
  let controlPort: number | null = null
  const endpoint = (): MockEndpoint => ({
    target: 'mock',
    host: opts.host,
    port,
    controlHost,
    controlPort,
    contractVersion: opts.contract.version,
  })
  const state = (): MockCloudState =>
    mockState({
      endpoint: endpoint(),
      settingPolls,
      startedAt,
      open: conns.list(),
      accepted: conns.accepted,
      rejected: conns.rejected,
      queue,
      counters,
    })
  const control =
    controlHost === null
      ? null
      : new ControlApi(queue, state, { now, onRequest: (e) => opts.log(e), ...opts.controlGuard })

  port = await listenOn(server, opts.host, opts.port, 'mock cloud')
  // After listening, a server error (e.g. EMFILE on accept) is logged; it never crashes the process.
  server.on('error', (error) =>
    opts.log({ at: at(), event: 'server-error', reason: error.message }),
  )
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
      await Promise.all([stopped, conns.endAll(graceMs), control?.close()])
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
