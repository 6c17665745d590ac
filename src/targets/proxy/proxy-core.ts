/** What every BOX connection of a proxy shares with its server: policy, replies, sinks, counters. */
import type { ProxyEventSink } from '../../evidence/schemas/proxy-events.js'
import type { SettingState } from '../replies/setting-queue.js'
import type { IntakeCounters } from '../frame-intake.js'
import type { SettingView } from '../control-api.js'
import type { HybridPolicy, ModeTransition, ProxyMode } from './hybrid-policy.js'
import type { LocalReplies } from '../replies/local-replies.js'
import type { LocalReplySet } from '../replies/local-reply.js'
import type { CaptureSink } from './capture-thread.js'
import type { Endpoint } from './upstream.js'

export interface ProxyCounters extends IntakeCounters {
  framesIn: number
  forwarded: number
  upstreamReplies: number
  localReplies: number
  rescued: number
  unanswered: number
  unobserved: number
  /** Times reading paused because more than MAX_QUEUED_FRAMES frames waited for replies. */
  backlogPauses: number
  upstreamFailures: { timeout: number; reset: number; refused: number }
}

/** What every connection shares with the server. */
export interface ProxyCore {
  readonly policy: HybridPolicy
  readonly local: LocalReplies
  readonly upstream: Endpoint | null
  readonly replyTimeoutMs: number
  readonly idleTimeoutMs: number
  readonly maxFrameBytes: number
  readonly capture: CaptureSink | null
  readonly log: ProxyEventSink | null
  readonly counters: ProxyCounters
  onTransition(t: ModeTransition): void
}

export function newCounters(): ProxyCounters {
  return {
    framesIn: 0,
    forwarded: 0,
    upstreamReplies: 0,
    localReplies: 0,
    rescued: 0,
    unanswered: 0,
    unobserved: 0,
    crcErrors: 0,
    garbage: 0,
    oversize: 0,
    backlogPauses: 0,
    upstreamFailures: { timeout: 0, reset: 0, refused: 0 },
  }
}

/** What `GET /state` shows (and `serve proxy --json` prints at shutdown). */
export interface ProxyState {
  readonly target: 'proxy'
  readonly mode: ProxyMode
  readonly state: 'online' | 'offline'
  readonly failCount: number
  readonly failThreshold: number
  readonly retryIntervalMs: number
  readonly replyTimeoutMs: number
  readonly nextProbeAt: string | null
  readonly transitions: readonly ModeTransition[]
  readonly localReplies: LocalReplySet
  readonly listen: string
  readonly upstream: string | null
  readonly contractVersion: string
  readonly capture: string | null
  readonly connections: { readonly open: number; readonly total: number; readonly rejected: number }
  readonly counters: ProxyCounters
  readonly settings: Readonly<Record<SettingState, SettingView[]>>
}

export interface ProxyStateParts {
  readonly policy: HybridPolicy
  readonly retryIntervalMs: number
  readonly replyTimeoutMs: number
  readonly localReplies: LocalReplySet
  readonly listen: string
  readonly upstream: string | null
  readonly contractVersion: string
  readonly capture: string | null
  readonly connections: ProxyState['connections']
  readonly counters: ProxyCounters
  readonly settings: ProxyState['settings']
}

/** The state document from its parts (pure): a snapshot, nothing shared with the live proxy. */
export function proxyState(p: ProxyStateParts): ProxyState {
  const { policy } = p
  return {
    target: 'proxy',
    mode: policy.mode,
    state: policy.state,
    failCount: policy.failCount,
    failThreshold: policy.failThreshold,
    retryIntervalMs: p.retryIntervalMs,
    replyTimeoutMs: p.replyTimeoutMs,
    nextProbeAt:
      policy.nextProbeAtMs === null ? null : new Date(policy.nextProbeAtMs).toISOString(),
    transitions: [...policy.transitions],
    localReplies: p.localReplies,
    listen: p.listen,
    upstream: p.upstream,
    contractVersion: p.contractVersion,
    capture: p.capture,
    connections: p.connections,
    counters: { ...p.counters, upstreamFailures: { ...p.counters.upstreamFailures } },
    settings: p.settings,
  }
}
