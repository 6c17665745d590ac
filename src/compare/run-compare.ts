/** `oigctl compare` at the I/O edge: replay each session against each target, then judge. */
import os from 'node:os'
import path from 'node:path'
import type { ReplyPolicyOptions } from '../contract/reply-policy.js'
import type { LoadedContract } from '../contract/files.js'
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
  const loaded = []
  for (const file of opts.sessions)
    for (const s of await loadSessions(file)) loaded.push({ ...s, file })
  // Transcripts, the report and the JUnit file are staged and moved into place together
  // (StagedOutput): a failed or stopped compare leaves none of them.
  const output = new StagedOutput(opts.out)
  try {
    const report = await compareInto(output, opts, targets, loaded, onProgress)
    output.writeJson(EVIDENCE_NAMES.compare, report)
    if (opts.junit) output.writeFileAt(opts.junit, toJunit(report))
    output.commit()
    return report
  } catch (error) {
    output.abort()
    throw error
  }
}

/** Replays every session against every target, staging each transcript, and judges them. */
async function compareInto(
  output: StagedOutput,
  opts: CompareOptions,
  targets: readonly string[],
  loaded: ReadonlyArray<Awaited<ReturnType<typeof loadSessions>>[number] & { file: string }>,
  onProgress: OnProgress | undefined,
): Promise<CompareReport> {
  // Progress in frames sent over all replays (a replay per session and live target).
  const perSession = targets.length + (opts.online ? 1 : 0)
  const frames = loaded.reduce((n, l) => n + l.plan.steps.length, 0) * perSession
  const step = progressCounter('compare', frames, 'frames', onProgress)
  let replaysDone = 0
  const finished = (): void =>
    step(0, `${++replaysDone}/${loaded.length * perSession} replays done`)
  const onStep = (): void => step()
  const sessions: CompareReport['sessions'] = []
  const perTarget = new Map<string, { address: string | null; builtIn: boolean }>([
    ['online', { address: opts.online, builtIn: false }],
  ])
  const written = (t: ReplayTranscript): string => {
    const relative = transcriptFile('replay', t)
    output.writeJson(relative, t)
    return relative.split(path.sep).join('/')
  }
  // Sessions run --jobs at a time and the targets of a session in parallel, each started on its
  // own ports; results are gathered in session and target order, as a sequential run gives them.
  const judged = await mapBounded(
    loaded,
    opts.jobs ?? defaultCompareJobs(targets, opts.online),
    async (loadedSession) => {
      const { plan, fixture, file } = loadedSession
      const transcripts: Record<string, string> = {}
      const online = opts.online
        ? (async () => {
            const t = await replayPlan(plan, file, {
              target: opts.online!,
              contract: opts.contract.contract,
              pacing: opts.pacing,
              extraSettings: [],
              allowRemote: opts.allowRemote,
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
          contract: opts.contract.contract,
          pacing: pacingFor(name, opts.pacing),
          extraSettings: opts.extraSettings,
          allowRemote: opts.allowRemote,
          ...(opts.replies ? { replies: opts.replies } : {}),
          onStep,
        })
        finished()
        return { name, t }
      })
      const onlineDone = online ? await online : null
      const done = await Promise.all(replays)
      const runs: TargetRun[] = []
      if (onlineDone) {
        transcripts.online = written(onlineDone.t)
        runs.push(onlineDone.run)
      } else runs.push(onlineRun(plan))
      for (const { name, t } of done) {
        transcripts[name] = written(t)
        runs.push({ name, steps: t.steps })
      }
      return { plan, fixture, file, runs, transcripts, done }
    },
  )
  for (const { plan, fixture, file, runs, transcripts, done } of judged) {
    for (const { name, t } of done) {
      perTarget.set(name, {
        address: t.target.builtIn ? null : t.target.address,
        builtIn: t.target.builtIn,
      })
    }
    const c = compareSession(opts.contract.contract, plan, runs, {
      strictTiming: opts.strictTiming,
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
  const names = ['online', ...targets]
  const summary = names.map((name) => {
    const info = perTarget.get(name) ?? { address: null, builtIn: true }
    return {
      name,
      address: info.address,
      builtIn: info.builtIn,
      ...summarise(name, sessions, opts.failOn),
    }
  })
  const report: CompareReport = {
    kind: 'compare',
    schemaVersion: 1,
    generator: GENERATOR,
    generatedAt: new Date().toISOString(),
    contract: {
      file: opts.contract.file,
      version: opts.contract.contract.version,
      sha256: opts.contract.sha256,
    },
    strictTiming: opts.strictTiming,
    failOn: opts.failOn,
    targets: summary,
    sessions,
    // A recorded reply the contract lacks fails the run too: contradictions are never passed.
    verdict:
      summary.some((t) => t.verdict === 'FAIL') || sessions.some((s) => s.contradictions.length > 0)
        ? 'FAIL'
        : 'PASS',
  }
  return report
}
