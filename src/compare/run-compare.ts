/** `oigctl compare` at the I/O edge: replay each session against each target, then judge. */
import os from 'node:os'
import path from 'node:path'
import type { ReplyPolicyOptions } from '../contract/reply-policy.js'
import type { LoadedContract } from '../contract/files.js'
import type { Contract } from '../contract/schema.js'
import { OigError } from '../errors.js'
import { StagedOutput } from '../evidence/files.js'
import { EVIDENCE_NAMES } from '../evidence/layout.js'
import { progressCounter, type OnProgress } from '../progress.js'
import type { ReplayPacing } from '../replay/client.js'
import { loadSessions } from '../replay/load-session.js'
import type { SettingSpec } from '../replay/plan.js'
import { replayPlan, transcriptFile } from '../replay/run-replay.js'
import type { ReplayTranscript } from '../replay/transcript-schema.js'
import { isBuiltIn } from '../replay/targets.js'
import { GENERATOR } from '../version.js'
import { compareSession, onlineRun, type TargetRun } from './compare.js'
import { toJunit } from './junit.js'
import type { CompareReport, FailOn } from './report-schema.js'
import { checkTargetList, ONLINE } from './target-list.js'
import { summarise } from './verdict.js'

export interface CompareOptions {
  readonly sessions: readonly string[]
  readonly targets: readonly string[]
  /** The contract the built-in targets follow and the rows are judged by (file and sha256 go into the report). */
  readonly contract: LoadedContract
  /** A live online endpoint instead of the recorded cloud replies. */
  readonly online: string | null
  readonly allowRemote: boolean
  readonly pacing: ReplayPacing
  readonly extraSettings: readonly SettingSpec[]
  readonly strictTiming: boolean
  /** `any` (default): every mismatch fails the run; `critical`: only polls and the handshake. */
  readonly failOn: FailOn
  readonly out: string
  readonly junit: string | null
  /** The reply mix of built-in targets (default dominant). */
  readonly replies?: ReplyPolicyOptions
  /** Sessions replayed at once (default: defaultCompareJobs); targets of a session run in parallel. */
  readonly jobs?: number
}

const CORES = Math.max(1, os.availableParallelism())

/**
 * Sessions per core replayed at once when every target is built in. Such a replay waits, it does
 * not compute: each BOX frame costs at least the 1 ms quiet window plus a loopback round trip, so
 * one session of ~8 frames takes ≥ 9 ms and one lane tops out near 110 sessions/s whatever the
 * CPU does; a lane per core leaves the cores idle. scripts/bench-replay.mjs on 2 busy cores: 8
 * lanes 281–449 sessions/s, 16: 352–759, 32: 453–811, 64 no more than 32.
 */
export const WAIT_BOUND_JOBS_PER_CORE = 16

/**
 * Default of --jobs: 16 sessions per core when every target is built in (each session gets its own
 * targets, so sessions never share state); one per core when a tcp:// target or a live --online
 * endpoint is shared by the concurrent sessions.
 */
export function defaultCompareJobs(targets: readonly string[], online: string | null): number {
  const shared = online !== null || targets.some((t) => t !== ONLINE && !isBuiltIn(t))
  return shared ? CORES : CORES * WAIT_BOUND_JOBS_PER_CORE
}

/**
 * Runs `work` on every item with at most `limit` running at once; results keep the items' order,
 * so that a concurrent run reports exactly what a sequential one does.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await work(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane))
  return results
}

/**
 * Pacing of one target: the built-in targets answer in-process, so they replay as fast as they
 * reply (latency is judged per reply, the recorded gaps add nothing); --speed applies to a live
 * tcp:// target, where the gaps may matter.
 */
function pacingFor(target: string, pacing: ReplayPacing): ReplayPacing {
  return isBuiltIn(target) ? { ...pacing, maxSpeed: true } : pacing
}

export async function runCompare(
  opts: CompareOptions,
  onProgress?: OnProgress,
): Promise<CompareReport> {
  if (opts.sessions.length === 0)
    throw new OigError('USAGE', 'Failed to compare: no --session given.', {
      hint: 'Pass --session FILE (repeatable).',
    })
  const targets = checkTargetList(opts.targets).filter((t) => t !== ONLINE)
  const loaded: LoadedSession[] = []
  for (const file of opts.sessions)
    for (const s of await loadSessions(file)) loaded.push({ ...s, file })
  // Transcripts, the report and the JUnit file are staged and moved into place together
  // (StagedOutput): a failed or stopped compare leaves none of them.
  const output = new StagedOutput(opts.out)
  try {
    const replayed = await replayAll(
      loaded,
      {
        targets,
        contract: opts.contract.contract,
        online: opts.online,
        pacing: opts.pacing,
        extraSettings: opts.extraSettings,
        allowRemote: opts.allowRemote,
        replies: opts.replies,
      },
      opts.jobs ?? defaultCompareJobs(targets, opts.online),
      (t) => {
        const relative = transcriptFile(EVIDENCE_NAMES.replayDir, t)
        output.writeJson(relative, t)
        return relative.split(path.sep).join('/')
      },
      onProgress,
    )
    const report = judge(replayed, {
      contract: opts.contract,
      targets,
      online: opts.online,
      strictTiming: opts.strictTiming,
      failOn: opts.failOn,
    })
    output.writeJson(EVIDENCE_NAMES.compare, report)
    if (opts.junit) output.writeFileAt(opts.junit, toJunit(report))
    output.commit()
    return report
  } catch (error) {
    output.abort()
    throw error
  }
}

type LoadedSession = Awaited<ReturnType<typeof loadSessions>>[number] & { file: string }

/** What the replays of a session need: its targets and how to replay against them. */
interface ReplaySetup {
  /** The live targets (built-in or tcp://), without `online`. */
  readonly targets: readonly string[]
  readonly contract: Contract
  readonly online: string | null
  readonly pacing: ReplayPacing
  readonly extraSettings: readonly SettingSpec[]
  readonly allowRemote: boolean
  readonly replies: ReplyPolicyOptions | undefined
}

/** A session replayed against every target: the runs judged, and the transcripts written. */
interface ReplayedSession {
  readonly session: LoadedSession
  readonly runs: TargetRun[]
  /** Transcript file per target name, relative to the output folder. */
  readonly transcripts: Record<string, string>
  readonly live: ReadonlyArray<{ readonly name: string; readonly t: ReplayTranscript }>
}

/**
 * Replays every session against every target, `jobs` sessions at a time and the targets of a
 * session in parallel, each started on its own ports; `write` stages a transcript and names it.
 * Results are in session and target order, as a sequential run gives them.
 */
async function replayAll(
  loaded: readonly LoadedSession[],
  setup: ReplaySetup,
  jobs: number,
  write: (t: ReplayTranscript) => string,
  onProgress: OnProgress | undefined,
): Promise<ReplayedSession[]> {
  const { targets, online } = setup
  // Progress in frames sent over all replays (a replay per session and live target).
  const perSession = targets.length + (online ? 1 : 0)
  const frames = loaded.reduce((n, l) => n + l.plan.steps.length, 0) * perSession
  const step = progressCounter('compare', frames, 'frames', onProgress)
  let replaysDone = 0
  const finished = (): void =>
    step(0, `${++replaysDone}/${loaded.length * perSession} replays done`)
  const onStep = (): void => step()
  return mapBounded(loaded, jobs, async (session) => {
    const { plan, file } = session
    const transcripts: Record<string, string> = {}
    const onlineReplay = online
      ? (async () => {
          const t = await replayPlan(plan, file, {
            target: online,
            contract: setup.contract,
            pacing: setup.pacing,
            extraSettings: [],
            allowRemote: setup.allowRemote,
            queueRecorded: false,
            onStep,
          })
          finished()
          return { t, run: { name: 'online', steps: t.steps } satisfies TargetRun }
        })()
      : null
    const replays = targets.map(async (name) => {
      const t = await replayPlan(plan, file, {
        target: name,
        contract: setup.contract,
        pacing: pacingFor(name, setup.pacing),
        extraSettings: setup.extraSettings,
        allowRemote: setup.allowRemote,
        ...(setup.replies ? { replies: setup.replies } : {}),
        onStep,
      })
      finished()
      return { name, t }
    })
    const onlineDone = onlineReplay ? await onlineReplay : null
    const live = await Promise.all(replays)
    const runs: TargetRun[] = []
    if (onlineDone) {
      transcripts.online = write(onlineDone.t)
      runs.push(onlineDone.run)
    } else runs.push(onlineRun(plan))
    for (const { name, t } of live) {
      transcripts[name] = write(t)
      runs.push({ name, steps: t.steps })
    }
    return { session, runs, transcripts, live }
  })
}

/** The compare report of the replayed sessions: every row judged, the verdicts summed. */
function judge(
  replayed: readonly ReplayedSession[],
  rule: {
    readonly contract: LoadedContract
    readonly targets: readonly string[]
    readonly online: string | null
    readonly strictTiming: boolean
    readonly failOn: FailOn
  },
): CompareReport {
  const sessions: CompareReport['sessions'] = []
  const perTarget = new Map<string, { address: string | null; builtIn: boolean }>([
    ['online', { address: rule.online, builtIn: false }],
  ])
  for (const { session, runs, transcripts, live } of replayed) {
    const { plan, fixture, file } = session
    for (const { name, t } of live) {
      perTarget.set(name, {
        address: t.target.builtIn ? null : t.target.address,
        builtIn: t.target.builtIn,
      })
    }
    const c = compareSession(rule.contract.contract, plan, runs, {
      strictTiming: rule.strictTiming,
    })
    sessions.push({
      id: plan.sessionId,
      source: plan.source,
      file,
      sha256: fixture.source.sha256,
      boxOnly: c.boxOnly,
      handshakes: c.handshakes,
      rows: c.rows,
      lines: c.lines,
      contradictions: c.contradictions,
      transcripts,
    })
  }
  const summary = ['online', ...rule.targets].map((name) => {
    const info = perTarget.get(name) ?? { address: null, builtIn: true }
    return {
      name,
      address: info.address,
      builtIn: info.builtIn,
      ...summarise(name, sessions, rule.failOn),
    }
  })
  return {
    kind: 'compare',
    schemaVersion: 1,
    generator: GENERATOR,
    generatedAt: new Date().toISOString(),
    contract: {
      file: rule.contract.file,
      version: rule.contract.contract.version,
      sha256: rule.contract.sha256,
    },
    strictTiming: rule.strictTiming,
    failOn: rule.failOn,
    targets: summary,
    sessions,
    // A recorded reply the contract lacks fails the run too: contradictions are never passed.
    verdict:
      summary.some((t) => t.verdict === 'FAIL') || sessions.some((s) => s.contradictions.length > 0)
        ? 'FAIL'
        : 'PASS',
  }
}
