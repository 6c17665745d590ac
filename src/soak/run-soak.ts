/**
 * `oigctl soak` at the I/O edge: mock cloud ← faulty front ← hybrid proxy ← simulated BOXes, all on
 * 127.0.0.1, with every timeout, interval and pause divided by the time scale; the fault schedule
 * applied in scaled time; the proxy's transitions and counters collected into a SoakReport.
 */
import path from 'node:path'
import type { ReplyPolicyOptions } from '../contract/reply-policy.js'
import type { LoadedContract } from '../contract/files.js'
import type { Contract } from '../contract/schema.js'
import { OigError } from '../errors.js'
import type { OnProgress } from '../progress.js'
import { layout } from '../evidence/layout.js'
import { writeJsonFilesTogether } from '../evidence/files.js'
import type { ProxyLogEvent } from '../evidence/schemas/proxy-events.js'
import { loadSessions } from '../replay/load-session.js'
import type { ReplayPlan } from '../replay/plan.js'
import { MAX_FRAME_BYTES } from '../protocol/frame-splitter.js'
import { startMockCloud } from '../targets/mock-cloud/server.js'
import { startProxy } from '../targets/proxy/server.js'
import { GENERATOR } from '../version.js'
import { runBoxLanes } from './box-lanes.js'
import { answerablePlans, SYNTHETIC_SOURCE, syntheticPlans } from './box-traffic.js'
import { countOscillations, evaluateSoak, timeInState } from './evaluate.js'
import { startFaultyUpstream } from './faulty-upstream.js'
import type { SoakReport } from './report-schema.js'
import { buildSchedule, frameFaultAt, type ScheduleParams } from './schedule.js'

/** Compresses the default 10-minute soak into about one minute of wall time. */
export const DEFAULT_TIME_SCALE = 10
/** Concurrent simulated BOXes (their frames interleave at the proxy). */
export const DEFAULT_LANES = 2
/** Scaled timeouts below this many wall ms would measure the event loop, not the protocol. */
export const MIN_SCALED_TIMEOUT_MS = 20

/** One soak run: its fault schedule's parameters (the policy and the seed) and what it runs. */
export interface SoakOptions extends ScheduleParams {
  readonly timeScale: number
  /** What the mock and the local replies follow (its sha256 goes into the report). */
  readonly contract: LoadedContract
  readonly plans: readonly ReplayPlan[]
  /** `sessions.source` of the report: "synthetic" or the fixture files. */
  readonly source: string
  readonly lanes?: number
  /** The reply mix of the mock and the local replies (default dominant). */
  readonly replies?: ReplyPolicyOptions
  /** Simulated seconds of --duration, twice a second. */
  readonly progress?: OnProgress
}

/** Runs one soak scenario for real and returns its report (with the verdict). */
export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const scale = opts.timeScale
  const faults = buildSchedule(opts)
  const hits = faults.map(() => 0)
  const modes: Array<Extract<ProxyLogEvent, { event: 'mode' }>> = []
  const wall = (simMs: number): number => simMs / scale
  const t0 = performance.now()
  const epoch0 = Date.now()
  const simNowS = (): number => ((performance.now() - t0) / 1000) * scale

  const mock = await startMockCloud({
    host: '127.0.0.1',
    port: 0,
    controlPort: null,
    contract: opts.contract.contract,
    replies: opts.replies ?? {},
    idleTimeoutMs: 0,
    maxConnections: 1000,
    maxFrameBytes: MAX_FRAME_BYTES,
    log: () => undefined,
  })
  const front = await startFaultyUpstream({
    target: { host: '127.0.0.1', port: mock.port },
    slowDelayMs: wall(2 * opts.replyTimeoutMs),
    decide: () => {
      const i = frameFaultAt(faults, simNowS(), hits)
      if (i === null) return null
      hits[i]!++
      const kind = faults[i]!.kind
      return kind === 'refuse' ? null : kind
    },
  }).catch(async (error: unknown) => {
    await mock.close()
    throw error
  })
  const proxy = await startProxy({
    listen: { host: '127.0.0.1', port: 0 },
    mode: 'hybrid',
    upstream: { host: '127.0.0.1', port: front.port },
    replyTimeoutMs: wall(opts.replyTimeoutMs),
    failThreshold: opts.failThreshold,
    retryIntervalMs: wall(opts.retryIntervalS * 1000),
    localReplies: 'contract',
    contract: opts.contract.contract,
    replies: opts.replies ?? {},
    controlPort: null,
    idleTimeoutMs: 3_600_000,
    maxConnections: 1000,
    log: { write: (e) => void (e.event === 'mode' && modes.push(e)) },
  }).catch(async (error: unknown) => {
    await Promise.all([front.close(), mock.close()])
    throw error
  })

  const timers: NodeJS.Timeout[] = []
  let faultError: unknown = null
  const at = (simS: number, fn: () => Promise<void>): void => {
    const ms = wall(simS * 1000) - (performance.now() - t0)
    timers.push(setTimeout(() => void fn().catch((e: unknown) => (faultError ??= e)), ms))
  }
  for (const w of faults.filter((f) => f.kind === 'refuse')) {
    at(w.fromS, () => front.setRefusing(true))
    at(w.toS, () => front.setRefusing(false))
  }
  const ticker = setInterval(() => {
    const s = proxy.state()
    opts.progress?.({
      task: `soak ${opts.scenario}`,
      done: Math.min(simNowS(), opts.durationS),
      total: opts.durationS,
      unit: 's simulated',
      detail: `${s.state}, ${modes.length} transitions, ${s.counters.rescued} rescues`,
    })
  }, 500)

  let lanes
  try {
    lanes = await runBoxLanes({
      plans: opts.plans,
      lanes: opts.lanes ?? DEFAULT_LANES,
      port: proxy.port,
      durationS: opts.durationS,
      timeScale: scale,
      boxReplyTimeoutMs: Math.max(1000, wall(2 * opts.replyTimeoutMs + 2000)),
      seed: opts.seed,
      simNowS,
    })
  } finally {
    clearInterval(ticker)
    for (const t of timers) clearTimeout(t)
    await proxy.close()
    await front.close()
    await mock.close()
  }
  if (faultError !== null) throw faultError
  const endS = simNowS()
  const state = proxy.state()
  const transitions = modes.map((m) => ({
    atS: Math.round((Date.parse(m.at) - epoch0) * scale) / 1000,
    from: m.from,
    to: m.to,
    reason: m.reason,
    failCount: m.failCount,
  }))
  const f = state.counters.upstreamFailures
  const policy = {
    failThreshold: opts.failThreshold,
    retryIntervalS: opts.retryIntervalS,
    replyTimeoutMs: opts.replyTimeoutMs,
  }
  const facts = {
    scenario: opts.scenario,
    durationS: opts.durationS,
    faults: faults.map(({ fromS, toS, kind, note }) => ({ fromS, toS, kind, note })),
    counts: {
      resets: f.reset,
      timeouts: f.timeout,
      refusals: f.refused,
      slow: front.injected.slow,
      garbage: front.injected.garbage,
      rescues: state.counters.rescued,
    },
    transitions,
    conservation: {
      boxFrames: lanes.boxFrames,
      replies: lanes.replies,
      lost: lanes.lost,
      duplicated: lanes.duplicated,
      ok: lanes.lost === 0 && lanes.duplicated === 0 && lanes.replies === lanes.boxFrames,
    },
  }
  return {
    kind: 'soak',
    schemaVersion: 1,
    generator: GENERATOR,
    generatedAt: new Date().toISOString(),
    seed: opts.seed,
    timeScale: scale,
    wallS: Math.round(performance.now() - t0) / 1000,
    policy,
    contract: {
      version: opts.contract.contract.version,
      sha256: opts.contract.sha256,
    },
    sessions: { source: opts.source, count: lanes.sessions },
    ...facts,
    timeInStateS: timeInState(transitions, endS),
    oscillations: countOscillations(transitions, opts.retryIntervalS),
    verdict: evaluateSoak(facts, policy),
  }
}

/** Synthetic sessions generated per soak (replayed round-robin as long as the soak lasts). */
const SYNTHETIC_POOL = 64

/**
 * The BOX sessions of a soak: the fixtures or session exports in `files`, or synthetic sessions
 * of the simulator (seed `seed`) when there are none, without the frames `contract` cannot answer
 * (counted per class in `dropped`). Throws OigError for unreadable files or nothing to send.
 */
export async function loadSoakSessions(
  files: readonly string[],
  seed: number,
  contract: Contract,
): Promise<{ plans: ReplayPlan[]; source: string; dropped: Record<string, number> }> {
  const all: ReplayPlan[] = []
  if (files.length === 0) all.push(...syntheticPlans(seed, SYNTHETIC_POOL, GENERATOR))
  for (const file of files) for (const { plan } of await loadSessions(file)) all.push(plan)
  const source =
    files.length === 0 ? SYNTHETIC_SOURCE : files.map((f) => path.basename(f)).join(', ')
  const { plans, dropped } = answerablePlans(all, contract)
  if (plans.length === 0)
    throw new OigError(
      'SESSION_EMPTY',
      `Failed to soak with ${source}: no BOX frame the contract can answer.`,
      {
        hint: 'Pass --session with fixtures holding frames the contract covers, or a --contract derived from them.',
      },
    )
  return { plans, source, dropped }
}

/**
 * Writes each report to `<out>/soak/<scenario>.soak.json`, all together (staged, then moved into
 * place: none of them when one cannot be written); returns the paths.
 */
export function writeSoakReports(out: string, reports: readonly SoakReport[]): string[] {
  const paths = layout(out)
  return writeJsonFilesTogether(
    out,
    reports.map((r) => [path.relative(out, paths.soakFile(r.scenario)), r] as const),
  )
}
