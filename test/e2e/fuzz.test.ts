/**
 * Fuzz (issue 12 items 1, 7): 100k SYNTHETIC mutated BOX frames (from real ones, seeded; prototype
 * names in every key tag) against `oigctl serve mock` and `oigctl serve proxy` (the built CLI,
 * real sockets). Each server must stay up, answer a valid frame on another connection, account for
 * every frame (replies lost = frames it logged as answered minus replies the BOX got), survive
 * stream junk with its counters, and write only documents that validate against their schemas.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ContractSchema } from '../../src/contract/schema.js'
import { ExtractResultSchema } from '../../src/evidence/schemas/extract-result.js'
import { ProxyEventSchema } from '../../src/evidence/schemas/proxy-events.js'
import { ServeEventSchema } from '../../src/evidence/schemas/serve-events.js'
import { SessionFixtureSchema } from '../../src/evidence/schemas/session-fixture.js'
import { classifyText } from '../../src/protocol/classify.js'
import { FRAME_CLASSES } from '../../src/protocol/frame-class.js'
import { BoxClient } from '../helpers/box-client.js'
import { burst, bursts, type BurstResult } from '../helpers/box-burst.js'
import { realFrames } from '../helpers/box-frames.js'
import { oigctl } from '../helpers/cli.js'
import { mutatedFrames, rng, streamJunk } from '../helpers/fuzz-frames.js'
import { tempDir } from '../helpers/make-db.js'
import { peakRssMiB, serveCli, type RunningServe } from '../helpers/serve-cli.js'
import { extractedFixtures } from '../helpers/fixtures.js'

const F = realFrames()
const FRAMES_PER_SERVER = 100_000
const LANES = 32
const JUNK_CONNECTIONS = 200
const MAX_FRAME_BYTES = 16_384
const LogLine = z.union([ServeEventSchema, ProxyEventSchema])
type LogLine = z.infer<typeof LogLine>
const VALID = Buffer.from(`${F.upload}\r\n`)

/** Every line of an event log, each validated against the serve-events / proxy-events schemas. */
function readLog(file: string): LogLine[] {
  const lines = readFileSync(file, 'utf8').trim().split('\n')
  return lines.map((l, i) => {
    const r = LogLine.safeParse(JSON.parse(l))
    if (!r.success) throw new Error(`log line ${i + 1} breaks its schema: ${l.slice(0, 300)}`)
    return r.data
  })
}

interface Counters {
  readonly crcErrors: number
  readonly garbage: number
  readonly oversize: number
  readonly backlogPauses?: number
}

interface Accounting {
  readonly sent: number
  readonly loggedIn: number
  /** BOX frames the server logged as answered (no `unobserved`). */
  readonly answerable: number
  readonly loggedOut: number
  readonly received: number
  readonly repliesLost: number
}

/** What the server logged for the burst connections, against what their BOXes sent and got. */
function account(log: readonly LogLine[], runs: readonly BurstResult[]): Accounting {
  const peers = new Set(runs.map((r) => r.peer))
  // The first connection from each burst peer: a later one (junk lanes, sentinels) may reuse the
  // same ephemeral port under load and must not count.
  const conns = new Set<number>()
  const opened = new Set<string>()
  for (const e of log) {
    if (e.event !== 'open' || !peers.has(e.peer) || opened.has(e.peer)) continue
    opened.add(e.peer)
    conns.add(e.conn)
  }
  let loggedIn = 0
  let answerable = 0
  let loggedOut = 0
  for (const e of log) {
    if (e.event !== 'frame' || !conns.has(e.conn)) continue
    if (e.dir === 'out') loggedOut++
    else {
      loggedIn++
      if (e.unobserved === undefined) answerable++
    }
  }
  const received = runs.reduce((n, r) => n + r.replies.length, 0)
  const sent = runs.reduce((n, r) => n + r.sent, 0)
  return { sent, loggedIn, answerable, loggedOut, received, repliesLost: answerable - received }
}

/** Connections that each send stream junk beside a valid frame; all must be closed, none hang. */
async function junkLane(port: number, seed: number): Promise<void> {
  const r = rng(seed)
  await Promise.all(
    Array.from({ length: JUNK_CONNECTIONS }, async () => {
      const box = await BoxClient.connect(port)
      for (const part of streamJunk(r, VALID, MAX_FRAME_BYTES)) await box.write(part)
      box.socket.end()
      await box.closed
    }),
  )
}

/** A valid frame on a fresh connection is still answered with the contract's reply. */
async function sentinel(port: number): Promise<string> {
  const box = await BoxClient.connect(port)
  return classifyText(Buffer.from((await box.request(F.upload)) ?? ''), 'cloud').class
}

async function stop(run: RunningServe): Promise<{ code: number | null; doc: unknown }> {
  run.child.kill('SIGTERM')
  const r = await run.exit
  return { code: r.code, doc: JSON.parse(r.stdout) as unknown }
}

function report(target: string, a: Accounting, ms: number, rss: number | null): void {
  console.log(
    `fuzz ${target}: ${a.sent} frames, ${a.loggedIn} logged in, ${a.answerable} answerable, ${a.received} replies, ${a.repliesLost} lost, peak RSS ${rss} MiB, ${ms} ms`,
  )
}

describe('fuzz: hostile frames against the servers (built CLI, real sockets)', () => {
  it(`keeps serve mock up through ${FRAMES_PER_SERVER} mutated frames and stream junk`, async () => {
    const started = Date.now()
    const dir = tempDir()
    const log = join(dir, 'mock.jsonl')
    const run = await serveCli('mock', ['--log', log, '--json'])
    const api = `http://127.0.0.1:${run.controlPort}`
    for (const value of ['1', '2', '3']) {
      const post = await fetch(`${api}/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ table: 'tbl_box_prms', item: 'MODE', value }),
      })
      expect(post.status).toBe(201)
    }
    const runs = await bursts(run.port, [...mutatedFrames(FRAMES_PER_SERVER, 12_001)], LANES)
    expect(await sentinel(run.port)).toBe('cloud.ack-getactual')
    await junkLane(run.port, 12_002)
    expect(await sentinel(run.port)).toBe('cloud.ack-getactual')
    const state = (await (await fetch(`${api}/state`)).json()) as { counters: Counters }
    const rss = peakRssMiB(run.child.pid)
    const { code, doc } = await stop(run)
    expect(code).toBe(143)
    // The stop summary carries the same problem counters as GET /state.
    expect(doc).toMatchObject({ kind: 'serve', target: 'mock', counters: state.counters })

    const a = account(readLog(log), runs)
    report('mock', a, Date.now() - started, rss)
    expect(a.sent).toBe(FRAMES_PER_SERVER)
    expect(a.loggedIn).toBe(a.sent)
    expect(a.loggedOut).toBe(a.received)
    expect(a.repliesLost).toBe(0)
    expect(a.answerable).toBeGreaterThan(FRAMES_PER_SERVER / 2)
    expect(state.counters.crcErrors).toBeGreaterThan(1000)
    expect(state.counters.garbage + state.counters.oversize).toBeGreaterThanOrEqual(
      JUNK_CONNECTIONS / 2,
    )
  }, 120_000)

  it(`keeps serve proxy up through ${FRAMES_PER_SERVER} mutated frames (legacy, then contract with queued Settings)`, async () => {
    const started = Date.now()
    const dir = tempDir()
    const log = join(dir, 'proxy.jsonl')
    const run = await serveCli('proxy', [
      '--mode',
      'offline',
      '--local-replies',
      'legacy',
      '--log',
      log,
      '--json',
    ])
    const api = `http://127.0.0.1:${run.controlPort}`
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(`${api}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const frames = [...mutatedFrames(FRAMES_PER_SERVER, 12_003)]
    const half = FRAMES_PER_SERVER / 2
    const legacy = await bursts(run.port, frames.slice(0, half), LANES)
    expect(await sentinel(run.port)).toBe('cloud.ack')
    expect((await post('/local-replies', { set: 'contract' })).status).toBe(200)
    for (const value of ['1', '2', '3'])
      expect((await post('/settings', { table: 'tbl_box_prms', item: 'MODE', value })).status).toBe(
        201,
      )
    const contract = await bursts(run.port, frames.slice(half), LANES)
    expect(await sentinel(run.port)).toBe('cloud.ack-getactual')
    await junkLane(run.port, 12_004)
    expect(await sentinel(run.port)).toBe('cloud.ack-getactual')
    const state = (await (await fetch(`${api}/state`)).json()) as { counters: Counters }
    const rss = peakRssMiB(run.child.pid)
    const { code, doc } = await stop(run)
    expect(code).toBe(143)
    expect(doc).toMatchObject({ kind: 'serve', target: 'proxy', counters: state.counters })

    const a = account(readLog(log), [...legacy, ...contract])
    report('proxy', a, Date.now() - started, rss)
    expect(a.sent).toBe(FRAMES_PER_SERVER)
    expect(a.loggedIn).toBe(a.sent)
    expect(a.loggedOut).toBe(a.received)
    expect(a.repliesLost).toBe(0)
    expect(a.answerable).toBeGreaterThan(FRAMES_PER_SERVER / 2)
    expect(state.counters.crcErrors).toBeGreaterThan(1000)
    expect(state.counters.backlogPauses).toBeGreaterThan(0)
    expect(state.counters.garbage + state.counters.oversize).toBeGreaterThanOrEqual(
      JUNK_CONNECTIONS / 2,
    )
  }, 120_000)

  it('captures hostile frames through the proxy into a DB that extract and contract derive read cleanly', async () => {
    const dir = tempDir()
    const capture = join(dir, 'capture.db')
    const run = await serveCli('proxy', ['--mode', 'offline', '--capture', capture, '--json'])
    const runs = [await burst(run.port, [...mutatedFrames(3_000, 12_005)])]
    expect(runs[0]!.replies.length).toBeGreaterThan(1_000)
    const { code } = await stop(run)
    expect(code).toBe(143)

    const out = join(dir, 'ev')
    const extracted = oigctl(['--json', 'extract', '--db', capture, '--out', out])
    expect(extracted.code, extracted.stderr).not.toBe(2)
    const written = JSON.parse(extracted.stdout) as {
      classCounts: Record<string, unknown>
      tableCounts: Record<string, unknown>
    }
    // Prototype names are plain keys with plain counts, never "function Object() { … }1".
    expect(Object.values(written.tableCounts).every((n) => Number.isInteger(n))).toBe(true)
    expect(Object.keys(written.tableCounts)).toContain('constructor')
    const result = ExtractResultSchema.parse(written)
    expect(result.totals.framesRead).toBe(3_000 + runs[0]!.replies.length)
    // Only the closed class vocabulary, never "function Object() { [native code] }".
    expect(Object.keys(result.classCounts).every((k) => FRAME_CLASSES.includes(k as never))).toBe(
      true,
    )
    for (const f of extractedFixtures(out)) SessionFixtureSchema.parse(f)
    const file = join(dir, 'contract.json')
    const derived = oigctl(['contract', 'derive', '--db', capture, '--out', file])
    expect(derived.code, derived.stderr).toBe(0)
    expect(derived.stderr).not.toMatch(/internal error/)
    ContractSchema.parse(JSON.parse(readFileSync(file, 'utf8')))
  }, 60_000)
})
