/**
 * The proxy's TCP server (PROTOCOL.md §5): accepts BOX connections, forwards frame by frame to an
 * upstream (the real cloud, the mock, anything) or answers locally as the hybrid policy says, runs
 * the local setting queue with its control API, probes the upstream while hybrid is offline, and
 * optionally records everything into a capture DB.
 */
import net from 'node:net'
import { ReplyPolicy, type ReplyPolicyOptions } from '../../contract/reply-policy.js'
import type { BoxClass } from '../../protocol/frame-class.js'
import type { Contract } from '../../contract/schema.js'
import {
  SERVE_EVENTS_SCHEMA_VERSION,
  type ControlEvent,
} from '../../evidence/schemas/serve-events.js'
import type { ProxyEventSink } from '../../evidence/schemas/proxy-events.js'
import { MAX_FRAME_BYTES } from '../../protocol/frame-splitter.js'
import { CloudLogic } from '../replies/cloud-logic.js'
import { SettingQueue } from '../replies/setting-queue.js'
import { closeServer, listenOn } from '../listen.js'
import { BoxConnections } from './box-connections.js'
import { openCapture } from './capture-thread.js'
import { newCounters, proxyState, type ProxyCore, type ProxyState } from './proxy-core.js'
import { HybridPolicy, type ModeTransition, type ProxyMode } from './hybrid-policy.js'
import { LocalReplies } from '../replies/local-replies.js'
import type { LocalReplySet } from '../replies/local-reply.js'
import { settingsByState, type ControlGuardOptions } from '../control-api.js'
import { startProxyControl, type ProxyControlApi } from './proxy-control.js'
import { proxySwitches } from './switches.js'
import { UpstreamProber } from './prober.js'
import type { Endpoint } from './upstream.js'

export interface ProxyOptions {
  readonly listen: Endpoint
  readonly mode: ProxyMode
  /** Required for online and hybrid. */
  readonly upstream?: Endpoint | null
  readonly replyTimeoutMs: number
  readonly failThreshold: number
  readonly retryIntervalMs: number
  readonly localReplies: LocalReplySet
  readonly contract: Contract
  /** Port of the control API (0 = a free one); null or absent: no control API. */
  readonly controlPort?: number | null
  /** Host of the control API (default 127.0.0.1). */
  readonly controlHost?: string
  /** Bearer token and request timeout of the control API. */
  readonly controlGuard?: ControlGuardOptions
  /** Capture DB to record into. */
  readonly capture?: string
  readonly idleTimeoutMs: number
  readonly maxConnections: number
  readonly maxFrameBytes?: number
  readonly log?: ProxyEventSink | null
  /** Problems that do not stop the server (a capture write error). */
  readonly onError?: (message: string) => void
  /** Random source for Setting `ver` values (tests). */
  readonly random?: () => number
  /** How local replies pick among the contract's observed replies (default dominant). */
  readonly replies?: ReplyPolicyOptions
  /** Polls a local Setting may be delivered on (default: the ones the contract shows carrying one). */
  readonly settingPolls?: readonly BoxClass[]
}

export type { ProxyState }

export interface ProxyHandle {
  readonly port: number
  readonly controlPort: number | null
  readonly queue: SettingQueue
  /**
   * Stops accepting, answers the frames already received, closes everything; connections still
   * open after `graceMs` (default: the reply timeout + 1 s) are dropped.
   */
  close(reason?: string, graceMs?: number): Promise<void>
  state(): ProxyState
  setLocalReplies(set: LocalReplySet): void
  /** Switches the mode; throws when online/hybrid is asked for without an upstream. */
  setMode(mode: ProxyMode): void
}

const hostPort = (e: Endpoint): string => `${e.host}:${e.port}`

/** Starts the proxy; rejects with OigError('LISTEN_FAILED' | 'CAPTURE_UNWRITABLE') when it cannot. */
export async function startProxy(opts: ProxyOptions): Promise<ProxyHandle> {
  const upstream = opts.upstream ?? null
  if (opts.mode !== 'offline' && upstream === null)
    throw new RangeError(`mode ${opts.mode} needs an upstream`)
  const log = opts.log ?? null
  const at = (): string => new Date().toISOString()
  const policy = new HybridPolicy(opts)
  const { queue, local } = localReplyParts(opts)
  const counters = newCounters()

  const onTransition = (t: ModeTransition): void => {
    log?.write({ event: 'mode', ...t })
    if (t.to === 'offline') prober.schedule()
  }
  const prober = new UpstreamProber(
    policy,
    upstream,
    opts.replyTimeoutMs,
    (result) => log?.write({ at: at(), event: 'probe', result }),
    onTransition,
  )
  const switches = proxySwitches(policy, local, prober, upstream, log, onTransition)
  const capture = opts.capture
    ? await openCapture(opts.capture, opts.onError ?? (() => undefined))
    : null
  const core: ProxyCore = {
    policy,
    local,
    upstream,
    replyTimeoutMs: opts.replyTimeoutMs,
    idleTimeoutMs: opts.idleTimeoutMs,
    maxFrameBytes: opts.maxFrameBytes ?? MAX_FRAME_BYTES,
    capture,
    log,
    counters,
    onTransition,
  }
  const conns = new BoxConnections(core, opts.maxConnections, log, at)
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) =>
    conns.accept(socket),
  )

  let port = 0
  const state = (): ProxyState =>
    proxyState({
      policy,
      retryIntervalMs: opts.retryIntervalMs,
      replyTimeoutMs: opts.replyTimeoutMs,
      localReplies: local.set,
      listen: hostPort({ host: opts.listen.host, port }),
      upstream: upstream === null ? null : hostPort(upstream),
      contractVersion: opts.contract.version,
      capture: capture?.file ?? null,
      connections: conns.counts(),
      counters,
      settings: settingsByState(queue),
    })

  let api: ProxyControlApi | null = null
  let controlPort: number | null = null
  const controlHost = opts.controlHost ?? '127.0.0.1'
  try {
    port = await listenOn(server, opts.listen.host, opts.listen.port, 'proxy')
    // After listening, a server error (e.g. EMFILE on accept) is reported, never a crash.
    server.on('error', (e) => opts.onError?.(`proxy server error: ${e.message}`))
    if (opts.controlPort !== undefined && opts.controlPort !== null) {
      const hooks = { localReplies: () => local.set, mode: () => policy.mode, switches }
      const guard = { onRequest: (e: ControlEvent) => log?.write(e), ...opts.controlGuard }
      const started = await startProxyControl(
        queue,
        state,
        hooks,
        controlHost,
        opts.controlPort,
        guard,
      )
      api = started.api
      controlPort = started.port
    }
  } catch (error) {
    await closeServer(server)
    await capture?.close()
    throw error
  }
  log?.write({
    at: at(),
    event: 'listen',
    kind: 'serve-events',
    schemaVersion: SERVE_EVENTS_SCHEMA_VERSION,
    target: 'proxy',
    host: opts.listen.host,
    port,
    controlHost: api ? controlHost : null,
    controlPort,
    contractVersion: opts.contract.version,
  })

  let closing: Promise<void> | null = null
  const close = (reason = 'close', graceMs?: number): Promise<void> => {
    closing ??= (async () => {
      conns.refuse()
      log?.write({ at: at(), event: 'shutdown', reason })
      prober.stop()
      const stopped = closeServer(server)
      await conns.drainAll(graceMs ?? opts.replyTimeoutMs + 1000)
      await stopped
      await api?.close()
      await capture?.close()
    })()
    return closing
  }

  return { port, controlPort, queue, close, state, ...switches }
}

/** The local reply machinery: the contract's policy, the setting queue, both local reply sets. */
function localReplyParts(opts: ProxyOptions): { queue: SettingQueue; local: LocalReplies } {
  const replyPolicy = new ReplyPolicy(opts.contract, opts.replies ?? {})
  const queue = new SettingQueue()
  const random = opts.random === undefined ? {} : { random: opts.random }
  const polls = opts.settingPolls === undefined ? {} : { settingPolls: opts.settingPolls }
  const logic = new CloudLogic({ policy: replyPolicy, queue, ...random, ...polls })
  const local = new LocalReplies({ logic, policy: replyPolicy, set: opts.localReplies, ...polls })
  return { queue, local }
}
