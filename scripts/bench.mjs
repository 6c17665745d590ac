// Benchmark (`npm run bench`): writes a synthetic capture DB (default 1,000,000 rows, seed 1) with
// `oigctl simulate`, then times `oigctl extract --json --quiet` on it in a child process and
// reports wall time, frames per second and peak RSS against the targets. Informational: exits 0
// unless a step fails to run. Options: --rows N. Local files only, no network.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'bin', 'oigctl.js')
const CHILD = path.join(ROOT, 'scripts', 'bench-child.mjs')
const SYNTHETIC_DB = path.join(ROOT, 'dist', 'simulate', 'synthetic-db.js')
const TARGET_EXTRACT_S = 10
const TARGET_RSS_MB = 300
const SEED = 1

class BenchError extends Error {}

function parseArgs(argv) {
  let rows = 1_000_000
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = arg === '--rows' ? argv[++i] : arg.startsWith('--rows=') ? arg.slice(7) : null
    if (value === null)
      throw new BenchError(`unknown argument ${arg} (usage: bench.mjs [--rows N])`)
    rows = Number(value)
    if (!Number.isSafeInteger(rows) || rows < 1) {
      throw new BenchError(`--rows needs a positive integer, got ${value}`)
    }
  }
  return { rows }
}

/** Runs node with args; returns wall seconds, exit status and captured stderr. */
function runNode(args, { stdoutFile } = {}) {
  const stdoutFd = stdoutFile === undefined ? 'pipe' : fs.openSync(stdoutFile, 'w')
  const started = performance.now()
  const child = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', stdoutFd, 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  const seconds = (performance.now() - started) / 1000
  if (typeof stdoutFd === 'number') fs.closeSync(stdoutFd)
  if (child.error) throw new BenchError(`could not start node: ${child.error.message}`)
  return {
    seconds,
    status: child.status,
    signal: child.signal,
    stdout: child.stdout ?? '',
    stderr: child.stderr ?? '',
  }
}

function failed(step, r) {
  const how = r.signal ? `signal ${r.signal}` : `exit code ${r.status}`
  return new BenchError(
    `${step} failed (${how}):\n${r.stderr.trim().split('\n').slice(-15).join('\n')}`,
  )
}

/** The CLI's simulate command when it is wired in, else writeSyntheticDb through a tiny script. */
function simulate(db, rows) {
  const cli = fs.existsSync(BIN) && runNode([BIN, 'simulate', '--help']).status === 0
  if (cli) {
    const args = [BIN, 'simulate', '--out', db, '--rows', String(rows), '--seed', String(SEED)]
    const r = runNode([...args, '--quiet'])
    if (r.status !== 0) throw failed('oigctl simulate', r)
    return { seconds: r.seconds, via: 'oigctl simulate' }
  }
  if (!fs.existsSync(SYNTHETIC_DB))
    throw new BenchError('dist/ is missing: run `npm run build` first')
  const script = [
    `const { writeSyntheticDb } = await import(${JSON.stringify(pathToFileURL(SYNTHETIC_DB).href)})`,
    `await writeSyntheticDb({ out: ${JSON.stringify(db)}, rows: ${rows}, seed: ${SEED} })`,
  ].join('\n')
  const r = runNode(['--input-type=module', '-e', script])
  if (r.status !== 0) throw failed('writeSyntheticDb', r)
  return { seconds: r.seconds, via: 'writeSyntheticDb (CLI simulate not available)' }
}

/** Runs one oigctl command through bench-child.mjs and reads its peak RSS report (last stderr line). */
function measured(step, cliArgs, stdoutFile) {
  const args = [CHILD, ...cliArgs]
  const r = runNode(args, { stdoutFile })
  const last = r.stderr.trim().split('\n').at(-1) ?? ''
  let report
  try {
    report = JSON.parse(last)
  } catch {
    throw failed(step, r)
  }
  // 0 = ok, 1 = findings: both mean the command ran. 2 = could not run.
  if (r.status !== 0 && r.status !== 1) throw failed(step, r)
  return { seconds: r.seconds, maxRssKiB: report.maxRssKiB, exitCode: report.exitCode }
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

async function main() {
  const { rows } = parseArgs(process.argv.slice(2))
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new BenchError('dist/ is missing: run `npm run build` first')
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oigctl-bench-'))
  try {
    const db = path.join(tmp, 'bench.db')
    console.log(
      `oigctl bench: ${rows.toLocaleString('en')} synthetic rows (seed ${SEED}) in ${tmp}`,
    )
    const sim = simulate(db, rows)
    const dbMb = fs.statSync(db).size / 1024 / 1024
    const ext = measured(
      'oigctl extract',
      ['extract', '--db', db, '--out', path.join(tmp, 'out'), '--json', '--quiet'],
      path.join(tmp, 'extract.json'),
    )
    const rssMb = ext.maxRssKiB / 1024
    const der = measured(
      'oigctl contract derive',
      ['contract', 'derive', '--db', db, '--out', path.join(tmp, 'contract.json'), '--quiet'],
      path.join(tmp, 'derive.txt'),
    )
    const derRssMb = der.maxRssKiB / 1024
    const verdict = (ok) => (ok ? 'PASS' : 'MISS')
    console.log('')
    printTable([
      ['measure', 'value', 'target', 'result'],
      ['rows', rows.toLocaleString('en'), '', ''],
      ['simulate', `${sim.seconds.toFixed(2)} s`, '', ''],
      ['DB size', `${dbMb.toFixed(0)} MB`, '', ''],
      [
        'extract',
        `${ext.seconds.toFixed(2)} s`,
        `< ${TARGET_EXTRACT_S} s`,
        verdict(ext.seconds < TARGET_EXTRACT_S),
      ],
      ['frames/s', Math.round(rows / ext.seconds).toLocaleString('en'), '', ''],
      [
        'peak RSS',
        `${rssMb.toFixed(0)} MB`,
        `< ${TARGET_RSS_MB} MB`,
        verdict(rssMb < TARGET_RSS_MB),
      ],
      [
        'contract derive',
        `${der.seconds.toFixed(2)} s`,
        `< ${TARGET_EXTRACT_S} s`,
        verdict(der.seconds < TARGET_EXTRACT_S),
      ],
      [
        'derive peak RSS',
        `${derRssMb.toFixed(0)} MB`,
        `< ${TARGET_RSS_MB} MB`,
        verdict(derRssMb < TARGET_RSS_MB),
      ],
    ])
    console.log('')
    console.log(`  simulate via ${sim.via}; extract exit code ${ext.exitCode}; MB = 2^20 bytes`)
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

main().catch((error) => {
  console.error(error instanceof BenchError ? `bench: ${error.message}` : error)
  process.exitCode = 1
})
