// Replay throughput (part of `npm run bench`): 1,000 SYNTHETIC sessions (oigctl simulate) replayed
// with --max-speed (1 ms quiet window kept) against the built-in mock and the offline proxy on
// loopback, --jobs sessions at a time, each session against its own target started for it with the
// Settings its capture delivered — as compare runs them (replayPlan), so that one session's Setting
// is never delivered to another. Sessions per second per jobs value; every step that got no reply
// is listed by class, and one to a poll fails the bench (exit 1).
// Then compare of the real 47-s session (session-2026-02-17-conn2315, from $OIGCTL_CAPTURES or
// ../shared/captures; said so and skipped when absent) against all five targets with compare's
// default options, timed as the CLI runs it (goal ≤ 10 s); exit 1 there is the expected verdict
// (legacy answers uploads with a plain ACK), exit 2 fails the bench.
// Usage: node scripts/bench-replay.mjs [--sessions N] [--jobs 1,2,16]. Needs a build (dist/).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { openSources, streamSessions } from '../dist/capture/sources.js'
import { toFixture } from '../dist/extract/fixture.js'
import { deriveContract } from '../dist/contract/run-derive.js'
import { defaultCompareJobs, mapBounded } from '../dist/compare/run-compare.js'
import { planReplay } from '../dist/replay/plan.js'
import { replayPlan } from '../dist/replay/run-replay.js'
import { writeSyntheticDb } from '../dist/simulate/synthetic-db.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'bin', 'oigctl.js')
const COMPARE_SESSION = 'session-2026-02-17-conn2315'
const COMPARE_GOAL_S = 10

/** The built CLI, NO_COLOR, output discarded; wall seconds and exit code. */
function cli(args) {
  const started = performance.now()
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
  })
  return { seconds: (performance.now() - started) / 1000, status: r.status, stderr: r.stderr }
}

/** compare of the real 47-s session against the five targets, default options otherwise. */
function benchCompare(tmp) {
  const dir = process.env.OIGCTL_CAPTURES || path.resolve(ROOT, '..', 'shared', 'captures')
  const db = path.join(dir, `${COMPARE_SESSION}.db`)
  if (!fs.existsSync(db)) {
    console.log(`  compare: skipped, ${db} is not there (set OIGCTL_CAPTURES)`)
    return
  }
  const out = path.join(tmp, 'compare')
  const ex = cli(['extract', '--db', db, '--out', out, '--quiet'])
  if (ex.status !== 0) throw new Error(`oigctl extract failed (${ex.status}): ${ex.stderr}`)
  const pack = path.join(out, 'sessions', `${COMPARE_SESSION}.sessions.json`)
  const targets = 'online,mock,offline,hybrid,legacy'
  const r = cli([
    'compare',
    '--session',
    pack,
    '--targets',
    targets,
    '--out',
    path.join(tmp, 'compare-out'),
    '--quiet',
  ])
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`oigctl compare failed (${r.status}): ${r.stderr}`)
  console.log(
    `  compare ${COMPARE_SESSION} × ${targets}, other options at their defaults: ${r.seconds.toFixed(2)} s incl. node start-up (goal ≤ ${COMPARE_GOAL_S} s: ${r.seconds <= COMPARE_GOAL_S ? 'PASS' : 'MISS'}); exit ${r.status} (${r.status === 1 ? 'differences found: the verdict, not a failure' : 'no difference'})`,
  )
}

const arg = process.argv.indexOf('--sessions')
const count = arg > 0 ? Number(process.argv[arg + 1]) : 1000
const jobsArg = process.argv.indexOf('--jobs')
// compare's default for built-in targets, and one session per core (the old default) beside it.
const defaultJobs = defaultCompareJobs(['mock', 'offline'], null)
const jobsList = (
  jobsArg > 0 ? process.argv[jobsArg + 1] : `${os.availableParallelism()},${defaultJobs}`
)
  .split(',')
  .map(Number)
if (!(count > 0) || jobsList.some((j) => !Number.isSafeInteger(j) || j < 1)) {
  console.error('bench-replay: --sessions N and --jobs a,b,… need positive integers')
  process.exit(1)
}
const TARGET_RATE = 500
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oigctl-bench-replay-'))
try {
  const db = path.join(tmp, 'synthetic.db')
  await writeSyntheticDb({ out: db, seed: 3, sessions: count })
  const [source] = openSources([db], [])
  const plans = []
  await streamSessions(source, {
    sessionGapMs: 600_000,
    onSession: (s) => {
      const fx = toFixture(s, source.ref, { name: 'oigctl', version: 'bench' }, source.label)
      plans.push(planReplay(fx.session.id, fx.source.file, fx.frames))
    },
  })
  source.close()
  // The targets follow a contract derived from the same SYNTHETIC capture: the shipped contract has
  // no captured reply to IsNewFW / IsNewWeather, and waiting out those timeouts is not throughput.
  const contract = await deriveContract({
    dbs: [db],
    sessionFiles: [],
    version: '0.0.0',
    maxCitations: 1,
  })
  const pacing = { speed: 1, maxSpeed: true, replyTimeoutMs: 2000, holdAfterS: 0 }
  console.log(
    `oigctl bench replay: ${plans.length} synthetic sessions, ${plans.reduce((n, p) => n + p.steps.length, 0)} BOX frames, --max-speed`,
  )
  let unansweredPolls = 0
  for (const name of ['mock', 'offline']) {
    for (const jobs of jobsList) {
      const started = performance.now()
      const outcomes = new Map()
      const missing = new Map()
      await mapBounded(plans, jobs, async (plan) => {
        const t = await replayPlan(plan, plan.source, {
          target: name,
          contract,
          pacing,
          extraSettings: [],
          allowRemote: false,
        })
        for (const s of t.steps) {
          outcomes.set(s.outcome, (outcomes.get(s.outcome) ?? 0) + 1)
          if (s.outcome === 'reply') continue
          const key = `${s.requestClass} ${s.outcome}`
          missing.set(key, (missing.get(key) ?? 0) + 1)
          if (s.outcome !== 'skipped' && s.requestClass.startsWith('box.poll.')) unansweredPolls++
        }
      })
      const seconds = (performance.now() - started) / 1000
      const rate = plans.length / seconds
      const counts = [...outcomes].map(([k, v]) => `${v} ${k}`).join(', ')
      const gaps = [...missing].map(([k, v]) => `${v}× ${k}`).join(', ') || 'none'
      console.log(
        `  ${name.padEnd(8)} --jobs ${String(jobs).padEnd(3)}${jobs === defaultJobs ? ' (default)' : '          '} ${seconds.toFixed(2)} s   ${rate.toFixed(0)} sessions/s (goal ≥ ${TARGET_RATE}: ${rate >= TARGET_RATE ? 'PASS' : 'MISS'})   steps: ${counts}; without a reply: ${gaps}`,
      )
    }
  }
  benchCompare(tmp)
  console.log(
    `  load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, ${os.availableParallelism()} cores`,
  )
  if (unansweredPolls > 0) {
    console.error(`bench-replay: ${unansweredPolls} poll(s) got no reply`)
    process.exitCode = 1
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true })
}
