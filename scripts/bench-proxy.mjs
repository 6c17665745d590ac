// Proxy benchmark: N concurrent BOX connections (default 500) on loopback, first straight to a
// mock cloud, then through a bare Node byte pipe (scripts/bench-pipe-proxy.mjs, the floor), then
// through `oigctl serve proxy --mode online`, all in front of the same mock, each for
// --duration-s (default 60). Every connection sends the frames of the real session conn2315 (or
// SYNTHETIC ones when ../shared/captures is absent) one at a time, waiting for each reply and then
// --interval-ms (default 100, jittered ±50 %) before the next. Reports frames sent vs replies
// (lost, duplicated), latency p50/p99 direct and through the proxy, the latency the proxy adds,
// and peak RSS. Informational: exits 0 unless a step fails to run.
// CPU per forwarded frame is read from /proc for the forwarding process only (user + system over
// its phase, divided by the replies), for the proxy and for the pipe floor in the same run. --cpu-prof DIR writes a V8 CPU profile of the proxy process into DIR.
// Usage: node scripts/bench-proxy.mjs [--duration-s 60] [--connections 500] [--interval-ms 100]
//   [--cpu-prof DIR] [--json]
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'bin', 'oigctl.js')
const DIST = path.join(ROOT, 'dist')
const PIPE = path.join(ROOT, 'scripts', 'bench-pipe-proxy.mjs')
const TARGET_P99_ADDED_MS = 2
const TARGET_CPU_US = 25
const DRAIN_MS = 5000

class BenchError extends Error {}

function parseArgs(argv) {
  const opts = { durationS: 60, connections: 500, intervalMs: 100, json: false, cpuProf: null }
  const names = {
    '--duration-s': 'durationS',
    '--connections': 'connections',
    '--interval-ms': 'intervalMs',
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2)
    if (flag === '--json') {
      opts.json = true
      continue
    }
    if (flag === '--cpu-prof') {
      opts.cpuProf = path.resolve(inline ?? argv[++i] ?? '')
      if (!argv[i]) throw new BenchError('--cpu-prof needs a directory')
      continue
    }
    const key = names[flag]
    if (!key)
      throw new BenchError(
        `unknown argument ${argv[i]} (see the usage line in ${path.basename(fileURLToPath(import.meta.url))})`,
      )
    const value = Number(inline ?? argv[++i])
    if (!(value > 0)) throw new BenchError(`${flag} needs a positive number`)
    opts[key] = value
  }
  return opts
}

/** The BOX frames of the real session (with CRLF), else SYNTHETIC ones built by the project. */
async function boxFrames() {
  const dir = process.env.OIGCTL_CAPTURES || path.resolve(ROOT, '..', 'shared', 'captures')
  const file = path.join(dir, 'session-2026-02-17-conn2315.json')
  if (fs.existsSync(file)) {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'))
    const frames = doc.frames.filter((f) => f.direction === 'box_to_proxy').map((f) => f.raw)
    return { frames, source: 'real session-2026-02-17-conn2315' }
  }
  const { buildFrameFromPairs } = await import(
    pathToFileURL(path.join(DIST, 'protocol', 'frame.js')).href
  )
  const poll = buildFrameFromPairs([
    ['Result', 'IsNewSet'],
    ['ID_Device', '0000000001'],
    ['Lat', '100'],
    ['ver', '12345'],
  ])
  const upload = buildFrameFromPairs([
    ['TblName', 'tbl_actual'],
    ['ID_Set', '1'],
    ['DT', '2026-02-17 09:05:00'],
    ['Reason', 'Table'],
    ['ID_Device', '0000000001'],
    ['ver', '11111'],
  ])
  return { frames: [poll, upload, upload, upload], source: 'SYNTHETIC (no ../shared/captures)' }
}

/** Starts `oigctl serve …` and resolves with its port once it prints its listening line. */
function serve(args, what, nodeArgs = []) {
  return listening([...nodeArgs, BIN, 'serve', ...args], what)
}

/** Starts a Node child and resolves with its port once it prints `listening WHAT 127.0.0.1:PORT`. */
function listening(argv, what) {
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  return new Promise((resolve, reject) => {
    const re = new RegExp(`^listening ${what} 127\\.0\\.0\\.1:(\\d+)`, 'm')
    child.stderr.on('data', (d) => {
      stderr += d
      const m = re.exec(stderr)
      if (m) resolve({ child, port: Number(m[1]) })
    })
    child.on('exit', (code) => reject(new BenchError(`${what} exited (${code}): ${stderr.trim()}`)))
  })
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.removeAllListeners('exit')
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

/** Peak resident set size of a process in MiB (Linux /proc), or null elsewhere. */
function peakRssMiB(pid) {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : null
  } catch {
    return null
  }
}

/** CPU seconds a process has used so far, user and system (Linux /proc, 100 ticks/s), or null. */
function cpuSeconds(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 }
  } catch {
    return null
  }
}

/** Runs the closed-loop load against a port for `durationS`; every reply is matched to one frame. */
async function load(port, frames, opts) {
  const stats = { sent: 0, replies: 0, duplicated: 0, lost: 0, closedEarly: 0, latencies: [] }
  const warmupEnd = performance.now() + Math.min(2000, opts.durationS * 100)
  const end = performance.now() + opts.durationS * 1000
  const conns = []
  const connect = (i) =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, noDelay: true })
      const c = { socket, next: i % frames.length, sentAt: null, buffer: '', done: false }
      socket.setEncoding('latin1')
      socket.once('error', reject)
      socket.once('connect', () => {
        socket.off('error', reject)
        socket.on('error', () => undefined)
        resolve(c)
      })
      socket.on('close', () => {
        if (!c.done) stats.closedEarly++
        c.done = true
      })
      socket.on('data', (chunk) => {
        c.buffer += chunk
        let at
        while ((at = c.buffer.indexOf('</Frame>')) >= 0) {
          c.buffer = c.buffer.slice(at + 8).replace(/^\r?\n/, '')
          if (c.sentAt === null) {
            stats.duplicated++
            continue
          }
          const now = performance.now()
          if (now >= warmupEnd) stats.latencies.push(now - c.sentAt)
          stats.replies++
          c.sentAt = null
          if (now < end) setTimeout(() => send(c), opts.intervalMs * (0.5 + Math.random()))
        }
      })
    })
  const send = (c) => {
    if (c.done || performance.now() >= end) return
    c.sentAt = performance.now()
    stats.sent++
    c.socket.write(frames[c.next])
    c.next = (c.next + 1) % frames.length
  }
  for (let i = 0; i < opts.connections; i++) conns.push(await connect(i))
  // Start staggered over one interval so the connections do not move in lockstep.
  for (const c of conns) setTimeout(() => send(c), Math.random() * opts.intervalMs)
  await new Promise((r) => setTimeout(r, opts.durationS * 1000))
  const drainEnd = performance.now() + DRAIN_MS
  while (conns.some((c) => c.sentAt !== null && !c.done) && performance.now() < drainEnd)
    await new Promise((r) => setTimeout(r, 20))
  stats.lost = conns.filter((c) => c.sentAt !== null).length
  for (const c of conns) {
    c.done = true
    c.socket.destroy()
  }
  return stats
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

function summary(stats, durationS) {
  const sorted = Float64Array.from(stats.latencies).sort()
  return {
    sent: stats.sent,
    replies: stats.replies,
    lost: stats.lost,
    duplicated: stats.duplicated,
    closedEarly: stats.closedEarly,
    framesPerS: Math.round(stats.replies / durationS),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1] : null,
  }
}

const ms = (v) => (v === null ? 'n/a' : `${v.toFixed(3)} ms`)
const us = (v) => (v === null ? 'n/a' : `${v} µs`)
const cpuOf = (s) =>
  `${us(s.cpuUsPerFrame)} (user ${us(s.cpuUserUsPerFrame)}, system ${us(s.cpuSystemUsPerFrame)})`
const mib = (v) => (v === null ? 'n/a' : `${v.toFixed(1)} MiB`)

/**
 * One load phase through a forwarding process: latency and exactly-once as for direct, plus the CPU
 * (user + system) that process alone used during the phase, per reply, and its peak RSS.
 */
async function measured(server, frames, opts) {
  const cpu0 = cpuSeconds(server.child.pid)
  const s = summary(await load(server.port, frames, opts), opts.durationS)
  const cpu1 = cpuSeconds(server.child.pid)
  const per = (k) =>
    cpu0 === null || cpu1 === null || s.replies === 0
      ? null
      : Math.round(((cpu1[k] - cpu0[k]) * 1e6) / s.replies)
  const user = per('user')
  const system = per('system')
  const cpuUsPerFrame = user === null || system === null ? null : user + system
  return {
    ...s,
    cpuUsPerFrame,
    cpuUserUsPerFrame: user,
    cpuSystemUsPerFrame: system,
    peakRssMiB: peakRssMiB(server.child.pid),
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  if (!fs.existsSync(path.join(DIST, 'cli', 'main.js')))
    throw new BenchError('dist/ is missing: run `npm run build` first')
  const { frames, source } = await boxFrames()
  const log = opts.json ? () => undefined : (s) => console.log(s)
  log(
    `oigctl proxy bench: ${opts.connections} connections, ${opts.durationS} s per phase, ${opts.intervalMs} ms pacing, frames: ${source}`,
  )
  const maxConn = String(opts.connections * 2 + 10)
  const load0 = os.loadavg()
  const mock = await serve(
    ['mock', '--port', '0', '--no-control', '--max-connections', maxConn, '--quiet'],
    'mock',
  )
  let pipe
  let proxy
  try {
    log('phase 1: direct to the mock …')
    const direct = summary(await load(mock.port, frames, opts), opts.durationS)
    pipe = await listening([PIPE, String(mock.port)], 'pipe')
    log('phase 2: through a bare byte pipe (the floor) …')
    const floor = await measured(pipe, frames, opts)
    await stop(pipe.child)
    pipe = null
    proxy = await serve(
      [
        'proxy',
        '--mode',
        'online',
        '--upstream',
        `127.0.0.1:${mock.port}`,
        '--listen',
        '127.0.0.1:0',
        '--no-control',
        '--max-connections',
        maxConn,
        '--quiet',
      ],
      'proxy',
      opts.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProf] : [],
    )
    log('phase 3: through the proxy (online) …')
    const proxied = await measured(proxy, frames, opts)
    const load1 = os.loadavg()
    const minus = (a, b) => (a === null || b === null ? null : a - b)
    const added = {
      p50Ms: minus(proxied.p50Ms, direct.p50Ms),
      p99Ms: minus(proxied.p99Ms, direct.p99Ms),
    }
    const ok = proxied.lost === 0 && proxied.duplicated === 0 && proxied.sent === proxied.replies
    const ratio =
      floor.cpuUsPerFrame && proxied.cpuUsPerFrame
        ? Math.round((proxied.cpuUsPerFrame / floor.cpuUsPerFrame) * 100) / 100
        : null
    const doc = {
      kind: 'bench-proxy',
      ...opts,
      source,
      loadAverage: { before: load0, after: load1 },
      direct,
      floor,
      proxied,
      added,
      cpuRatioToFloor: ratio,
      exactlyOnce: ok,
    }
    if (opts.json) {
      console.log(JSON.stringify(doc, null, 2))
      return
    }
    for (const [name, s] of [
      ['direct', direct],
      ['pipe', floor],
      ['proxied', proxied],
    ]) {
      log(
        `  ${name.padEnd(8)} sent ${s.sent}, replies ${s.replies}, lost ${s.lost}, duplicated ${s.duplicated}, closed early ${s.closedEarly}, ${s.framesPerS} frames/s, p50 ${ms(s.p50Ms)}, p99 ${ms(s.p99Ms)}, max ${ms(s.maxMs)}`,
      )
    }
    log(
      `  added by the proxy: p50 ${ms(added.p50Ms)}, p99 ${ms(added.p99Ms)} (target p99 ≤ ${TARGET_P99_ADDED_MS} ms: ${added.p99Ms !== null && added.p99Ms <= TARGET_P99_ADDED_MS ? 'met' : 'NOT met'}); the pipe adds p50 ${ms(minus(floor.p50Ms, direct.p50Ms))}, p99 ${ms(minus(floor.p99Ms, direct.p99Ms))}`,
    )
    log(`  every frame answered exactly once: ${ok ? 'yes' : 'NO'}`)
    log(
      `  CPU per forwarded frame (that process only): proxy ${cpuOf(proxied)}, pipe floor ${cpuOf(floor)}, ratio ${ratio ?? 'n/a'} (target proxy ≤ ${TARGET_CPU_US} µs: ${proxied.cpuUsPerFrame !== null && proxied.cpuUsPerFrame <= TARGET_CPU_US ? 'met' : 'NOT met'})`,
    )
    log(
      `  peak RSS: proxy ${mib(proxied.peakRssMiB)}, pipe ${mib(floor.peakRssMiB)}; load average ${load0.map((l) => l.toFixed(2)).join(' ')} → ${load1.map((l) => l.toFixed(2)).join(' ')} (2 cores: ${os.availableParallelism()})`,
    )
  } finally {
    if (pipe) await stop(pipe.child)
    if (proxy) await stop(proxy.child)
    await stop(mock.child)
  }
}

main().catch((error) => {
  console.error(error instanceof BenchError ? `bench-proxy: ${error.message}` : error)
  process.exitCode = 1
})
