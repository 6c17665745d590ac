// Benchmark (`npm run bench`): extract, one-day slice, contract derive and contract merge on
// SYNTHETIC capture DBs written by `oigctl simulate`, shaped like real ones (real frame sizes,
// 2025-style long connections via --connection-minutes, no index on ts). Each figure is printed
// next to the floor measured in the same run on the same DB: the faster of two full reads of the
// `raw` column, by the sqlite3 CLI (if installed: `apt-get install -y sqlite3`) and by
// better-sqlite3 with pluck(). Informational: exits 0 unless a step fails to run. Local files only.
//
// Usage: node scripts/bench.mjs [--rows N] [--connection-minutes M] [--merge-days N] [--repeat N]
//                               [--only extract-setting,extract-all,extract-day,derive,merge] [--quick]
//   --quick: 100,000 rows, 10 merge days (a fast smoke run). Defaults: 1,000,000 rows, 30 minutes,
//   30 merge days, best of 1 run per figure (floors: best of 3).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'bin', 'oigctl.js')
const CHILD = path.join(ROOT, 'scripts', 'bench-child.mjs')
const PLUCK = path.join(ROOT, 'scripts', 'bench-pluck.mjs')
const NODE_FLOOR = path.join(ROOT, 'scripts', 'bench-node-floor.mjs')
const SEED = 1
const START = '2025-12-01T00:00:00Z'
const RSS_TARGET_MB = 250
const STEPS = ['extract-setting', 'extract-all', 'extract-day', 'derive', 'merge']

class BenchError extends Error {}

function parseArgs(argv) {
  const opts = {
    rows: 1_000_000,
    connectionMinutes: 30,
    mergeDays: 30,
    repeat: 1,
    only: STEPS,
  }
  const numeric = {
    '--rows': 'rows',
    '--connection-minutes': 'connectionMinutes',
    '--merge-days': 'mergeDays',
    '--repeat': 'repeat',
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2)
    if (flag === '--quick') {
      opts.rows = 100_000
      opts.mergeDays = 10
      continue
    }
    if (flag === '--only') {
      const value = inline ?? argv[++i] ?? ''
      opts.only = value.split(',').filter(Boolean)
      const unknown = opts.only.filter((s) => !STEPS.includes(s))
      if (unknown.length > 0 || opts.only.length === 0)
        throw new BenchError(`--only takes a list of ${STEPS.join(', ')}`)
      continue
    }
    const key = numeric[flag]
    if (!key) throw new BenchError(`unknown argument ${argv[i]} (see the usage line in bench.mjs)`)
    const value = Number(inline ?? argv[++i])
    if (!(value > 0) || (key !== 'connectionMinutes' && !Number.isSafeInteger(value)))
      throw new BenchError(
        `${flag} needs a positive ${key === 'connectionMinutes' ? 'number' : 'integer'}`,
      )
    opts[key] = value
  }
  return opts
}

/** Runs a program; returns wall seconds, exit status and captured stderr. */
function run(cmd, args, { stdoutFile } = {}) {
  const stdoutFd = fs.openSync(stdoutFile ?? '/dev/null', 'w')
  const started = performance.now()
  const child = spawnSync(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', stdoutFd, 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  const seconds = (performance.now() - started) / 1000
  fs.closeSync(stdoutFd)
  if (child.error) throw new BenchError(`could not start ${cmd}: ${child.error.message}`)
  return { seconds, status: child.status, signal: child.signal, stderr: child.stderr ?? '' }
}

function failed(step, r) {
  const how = r.signal ? `signal ${r.signal}` : `exit code ${r.status}`
  return new BenchError(
    `${step} failed (${how}):\n${r.stderr.trim().split('\n').slice(-15).join('\n')}`,
  )
}

function simulate(db, args) {
  const r = run(process.execPath, [
    BIN,
    'simulate',
    '--out',
    db,
    '--seed',
    String(SEED),
    '--quiet',
    ...args,
  ])
  if (r.status !== 0) throw failed('oigctl simulate', r)
  return r.seconds
}

/** One oigctl command through bench-child.mjs (peak RSS from its last stderr line); best of `repeat`. */
function measured(step, cliArgs, repeat, stdoutFile) {
  let best = null
  for (let i = 0; i < repeat; i++) {
    const r = run(process.execPath, [CHILD, ...cliArgs], { stdoutFile })
    let report
    try {
      report = JSON.parse(r.stderr.trim().split('\n').at(-1) ?? '')
    } catch {
      throw failed(step, r)
    }
    // 0 = ok, 1 = findings: both mean the command ran. 2 = could not run.
    if (r.status !== 0 && r.status !== 1) throw failed(step, r)
    const m = { seconds: r.seconds, rssMb: report.maxRssKiB / 1024 }
    if (best === null || m.seconds < best.seconds) best = m
  }
  return best
}

function hasSqliteCli() {
  const r = spawnSync('sqlite3', ['-version'], { stdio: 'ignore' })
  return !r.error && r.status === 0
}

/** The floor of a DB: best of 3 full reads of `raw` by each reader, and the faster reader. */
function floorOf(db) {
  const best = (fn) => Math.min(fn(), fn(), fn())
  const sqlite = hasSqliteCli()
    ? best(() => {
        const r = run('sqlite3', ['-readonly', db, 'SELECT raw FROM frames'])
        if (r.status !== 0) throw failed('sqlite3 raw scan', r)
        return r.seconds
      })
    : null
  const pluck = best(() => {
    const r = run(process.execPath, [PLUCK, db])
    if (r.status !== 0) throw failed('better-sqlite3 pluck() raw scan', r)
    return r.seconds
  })
  return { sqlite, pluck, floor: sqlite === null ? pluck : Math.min(sqlite, pluck) }
}

/** What Node itself costs (bench-node-floor.mjs), best of 3: context for the ratios, not a goal. */
function nodeFloorOf(args) {
  return Math.min(
    ...[0, 1, 2].map(() => {
      const r = run(process.execPath, [NODE_FLOOR, ...args])
      if (r.status !== 0) throw failed(`node floor (${args[0]})`, r)
      return r.seconds
    }),
  )
}

/** Bytes of the files under `dir`. */
function bytesUnder(dir) {
  let total = 0
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath ?? e.path, e.name)).size
  return total
}

function printTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)))
  for (const [i, r] of rows.entries()) {
    console.log(
      `  ${r
        .map((v, c) => String(v).padEnd(widths[c]))
        .join('   ')
        .trimEnd()}`,
    )
    if (i === 0) console.log(`  ${widths.map((w) => '-'.repeat(w)).join('   ')}`)
  }
}

const s = (x) => `${x.toFixed(2)} s`
const verdict = (ok) => (ok ? 'PASS' : 'MISS')

function tsIndexNote(db) {
  if (!hasSqliteCli()) return 'not checked (no sqlite3 CLI)'
  const r = spawnSync(
    'sqlite3',
    [
      '-readonly',
      db,
      "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql LIKE '%ts%'",
    ],
    { encoding: 'utf8' },
  )
  return r.stdout.trim() === '0' ? 'none' : `${r.stdout.trim()} (unexpected)`
}

function sameDayWindow() {
  // The third simulated day: well inside the capture, so sessions cross both edges.
  const from = new Date(Date.parse(START) + 2 * 86_400_000).toISOString()
  const to = new Date(Date.parse(START) + 3 * 86_400_000 - 1000).toISOString()
  return { from, to }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js')))
    throw new BenchError('dist/ is missing: run `npm run build` first')
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oigctl-bench-'))
  const shape = ['--connection-minutes', String(opts.connectionMinutes), '--start', START]
  try {
    const db = path.join(tmp, 'bench.db')
    console.log(
      `oigctl bench [SYNTHETIC DATA]: ${opts.rows.toLocaleString('en')} rows (seed ${SEED}, connections of ${opts.connectionMinutes} min) in ${tmp}`,
    )
    if (!hasSqliteCli())
      console.log(
        '  sqlite3 CLI not installed (apt-get install -y sqlite3): floor from pluck() only',
      )
    const simS = simulate(db, ['--rows', String(opts.rows), ...shape])
    const dbMb = fs.statSync(db).size / 1024 / 1024
    const fl = floorOf(db)
    const table = [['target', 'floor', 'figure', 'ratio', 'goal', 'peak RSS', 'result']]
    const row = (name, floor, m, goalRatio, extra = null) => {
      const ratio = m.seconds / floor
      const ok =
        ratio <= goalRatio &&
        (extra === null || m.seconds <= extra) &&
        (m.rssMb ?? 0) <= RSS_TARGET_MB
      table.push([
        name,
        s(floor),
        s(m.seconds),
        `${ratio.toFixed(1)}×`,
        `≤ ${goalRatio}×${extra === null ? '' : ` and ≤ ${extra} s`}${m.rssMb === undefined ? '' : `, ≤ ${RSS_TARGET_MB} MB`}`,
        m.rssMb === undefined ? '' : `${m.rssMb.toFixed(0)} MB`,
        verdict(ok),
      ])
    }
    const only = new Set(opts.only)
    let outBytes = null
    if (only.has('extract-setting')) {
      const m = measured(
        'oigctl extract --select setting',
        [
          'extract',
          '--db',
          db,
          '--out',
          path.join(tmp, 'out-setting'),
          '--select',
          'setting',
          '--json',
          '--quiet',
        ],
        opts.repeat,
      )
      row('extract --select setting', fl.floor, m, 3)
    }
    if (only.has('extract-all')) {
      const m = measured(
        'oigctl extract',
        ['extract', '--db', db, '--out', path.join(tmp, 'out-all'), '--json', '--quiet'],
        opts.repeat,
      )
      outBytes = bytesUnder(path.join(tmp, 'out-all'))
      fs.rmSync(path.join(tmp, 'out-all'), { recursive: true, force: true })
      row('extract (all fixtures)', fl.floor, m, 6, 5)
    }
    if (only.has('extract-day')) {
      const { from, to } = sameDayWindow()
      const m = measured(
        'oigctl extract --from/--to',
        [
          'extract',
          '--db',
          db,
          '--out',
          path.join(tmp, 'out-day'),
          '--from',
          from,
          '--to',
          to,
          '--json',
          '--quiet',
        ],
        opts.repeat,
      )
      // The upstream's extract_day_slice.py is not available here: the goal (≤ 0.5× its time) is
      // stood in for by the floor of a full raw scan, which that script cannot beat on a DB without
      // a ts index. Shown as a ratio, not judged.
      table.push([
        'extract one day (--from/--to)',
        s(fl.floor),
        s(m.seconds),
        `${(m.seconds / fl.floor).toFixed(1)}×`,
        'vs full raw scan (no upstream here)',
        `${m.rssMb.toFixed(0)} MB`,
        '',
      ])
    }
    if (only.has('derive')) {
      const m = measured(
        'oigctl contract derive',
        ['contract', 'derive', '--db', db, '--out', path.join(tmp, 'contract.json'), '--quiet'],
        opts.repeat,
      )
      row('contract derive', fl.floor, m, 3)
    }
    let mergeNote = null
    if (only.has('merge')) {
      const days = []
      for (let d = 0; d < opts.mergeDays; d++) {
        const file = path.join(tmp, `day-${String(d + 1).padStart(2, '0')}.db`)
        const start = new Date(Date.parse(START) + d * 86_400_000).toISOString()
        const r = run(process.execPath, [
          BIN,
          'simulate',
          '--out',
          file,
          '--seed',
          String(SEED + d),
          '--days',
          '1',
          '--start',
          start,
          '--connection-minutes',
          String(opts.connectionMinutes),
          '--quiet',
        ])
        if (r.status !== 0) throw failed('oigctl simulate (day)', r)
        days.push(file)
      }
      const parts = []
      for (const file of days) {
        const out = `${file}.contract.json`
        const r = run(process.execPath, [
          BIN,
          'contract',
          'derive',
          '--db',
          file,
          '--out',
          out,
          '--quiet',
        ])
        if (r.status !== 0) throw failed('oigctl contract derive (day)', r)
        parts.push(out)
      }
      const merged = path.join(tmp, 'merged.json')
      const m = measured(
        'oigctl contract merge',
        ['contract', 'merge', ...parts, '--out', merged],
        opts.repeat,
      )
      const whole = path.join(tmp, 'whole.json')
      const w = run(process.execPath, [
        BIN,
        'contract',
        'derive',
        ...days.flatMap((f) => ['--db', f]),
        '--out',
        whole,
        '--quiet',
      ])
      if (w.status !== 0) throw failed('oigctl contract derive (all days)', w)
      const same = fs.readFileSync(merged).equals(fs.readFileSync(whole))
      table.push([
        `contract merge of ${opts.mergeDays} per-day contracts`,
        '',
        s(m.seconds),
        '',
        '< 1 s, same bytes as one derive',
        `${m.rssMb.toFixed(0)} MB`,
        verdict(m.seconds < 1 && same),
      ])
      mergeNote = `merge: bytes ${same ? 'identical to' : 'DIFFER from'} one derive over the ${opts.mergeDays} day DBs`
    }
    console.log('')
    printTable(table)
    console.log('')
    console.log(
      `  floor = faster of: sqlite3 CLI ${fl.sqlite === null ? 'n/a' : s(fl.sqlite)}, better-sqlite3 pluck() ${s(fl.pluck)} (best of 3 each); figures best of ${opts.repeat}`,
    )
    console.log(
      `  DB: ${dbMb.toFixed(0)} MB, simulate ${s(simS)}, ts index: ${tsIndexNote(db)}; times are wall clock incl. node start-up; MB = 2^20 bytes`,
    )
    if (mergeNote) console.log(`  ${mergeNote}`)
    // Context for the ratios: Node's own cost for what every figure must do at least.
    const lean = nodeFloorOf(['lean', db])
    let line = `Node floor (no oigctl code): reading every row's rowid, ts, conn_id, direction ${s(lean)} (${(lean / fl.floor).toFixed(1)}× the floor)`
    if (outBytes !== null) {
      const write = nodeFloorOf(['write', tmp, String(outBytes)])
      line += `; writing the full extract's ${(outBytes / 1024 / 1024).toFixed(0)} MB ${s(write)} (${(write / fl.floor).toFixed(1)}×)`
    }
    console.log(`  ${line}`)
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

main().catch((error) => {
  console.error(error instanceof BenchError ? `bench: ${error.message}` : error)
  process.exitCode = 1
})
