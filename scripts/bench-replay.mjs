// Replay throughput (part of `npm run bench`): 1,000 SYNTHETIC sessions (oigctl simulate) replayed
// with --max-speed (1 ms quiet window kept) against the built-in mock and the offline proxy on
// loopback, --jobs sessions at a time as compare runs them; sessions per second per jobs value.
// Usage: node scripts/bench-replay.mjs [--sessions N] [--jobs 1,2,16]. Needs a build (dist/).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { openSources, streamSessions } from '../dist/capture/sources.js'
import { toFixture } from '../dist/extract/fixture.js'
import { deriveContract } from '../dist/contract/run-derive.js'
import { DEFAULT_COMPARE_JOBS, mapBounded } from '../dist/compare/run-compare.js'
import { runReplay } from '../dist/replay/client.js'
import { planReplay } from '../dist/replay/plan.js'
import { startBuiltIn } from '../dist/replay/targets.js'
import { writeSyntheticDb } from '../dist/simulate/synthetic-db.js'

const arg = process.argv.indexOf('--sessions')
const count = arg > 0 ? Number(process.argv[arg + 1]) : 1000
const jobsArg = process.argv.indexOf('--jobs')
const jobsList = (jobsArg > 0 ? process.argv[jobsArg + 1] : `1,${DEFAULT_COMPARE_JOBS},16`)
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
  for (const name of ['mock', 'offline']) {
    for (const jobs of jobsList) {
      const target = await startBuiltIn(name, contract)
      const started = performance.now()
      let replies = 0
      let missing = 0
      await mapBounded(plans, jobs, async (plan) => {
        for (const s of plan.settings) target.queueSetting(s)
        const steps = await runReplay(plan, { host: target.host, port: target.port }, pacing)
        replies += steps.filter((s) => s.outcome === 'reply').length
        missing += steps.filter(
          (s) => s.outcome === 'no-reply' || s.outcome === 'closed' || s.outcome === 'not-sent',
        ).length
      })
      const seconds = (performance.now() - started) / 1000
      await target.close()
      const rate = plans.length / seconds
      console.log(
        `  ${name.padEnd(8)} --jobs ${String(jobs).padEnd(3)} ${seconds.toFixed(2)} s   ${rate.toFixed(0)} sessions/s (goal ≥ ${TARGET_RATE}: ${rate >= TARGET_RATE ? 'PASS' : 'MISS'})   ${replies} replies, ${missing} without reply (unobserved requests get none)`,
      )
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true })
}
