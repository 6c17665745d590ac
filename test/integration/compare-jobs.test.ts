import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { mapBounded, runCompare } from '../../src/compare/run-compare.js'
import type { CompareReport } from '../../src/compare/report-schema.js'
import { readContract } from '../../src/contract/files.js'
import { runExtract } from '../../src/extract/run-extract.js'
import { writeSyntheticDb } from '../../src/simulate/synthetic-db.js'
import { SHIPPED_CONTRACT as DEFAULT_CONTRACT_FILE } from '../../src/shipped.js'
import { captureDbPath, capturesDir } from '../helpers/captures.js'
import { tempDir } from '../helpers/make-db.js'

/** The report without what differs between any two runs: times, latencies and transcript files. */
function judged(report: CompareReport): unknown {
  return JSON.parse(
    JSON.stringify(report, (key, value: unknown) =>
      key === 'generatedAt' || key === 'latencyMs' || key === 'transcripts' ? undefined : value,
    ),
  )
}

/** Session files: the real 2026 export, the real 2025-12-10 handshake and SYNTHETIC sessions. */
async function sessionFiles(dir: string): Promise<string[]> {
  const real = await runExtract({
    dbs: [captureDbPath('setting-handshake-2025-12-10.db')],
    sessionFiles: [],
    out: join(dir, 'real'),
    select: 'all',
    from: null,
    to: null,
    conn: null,
    sessionGapS: 600,
  })
  const db = join(dir, 'synthetic.db')
  await writeSyntheticDb({ out: db, seed: 4, sessions: 6, settingsPerDay: 200 })
  const synthetic = await runExtract({
    dbs: [db],
    sessionFiles: [],
    out: join(dir, 'synthetic'),
    select: 'all',
    from: null,
    to: null,
    conn: null,
    sessionGapS: 600,
  })
  return [
    join(capturesDir(), 'session-2026-02-17-conn2315.json'),
    ...real.sessions.map((s) => join(dir, 'real', s.fixture!)),
    ...synthetic.sessions.map((s) => join(dir, 'synthetic', s.fixture!)),
  ]
}

describe('compare runs sessions concurrently and targets in parallel', () => {
  it('reports exactly what a sequential run reports (--jobs 1 and --jobs 4)', async () => {
    const dir = tempDir()
    const sessions = await sessionFiles(dir)
    const contract = readContract(DEFAULT_CONTRACT_FILE)
    const compare = (jobs: number, out: string): Promise<CompareReport> =>
      runCompare({
        sessions,
        targets: ['online', 'mock', 'offline', 'hybrid', 'legacy'],
        contract,
        online: null,
        allowRemote: false,
        // Real-time pacing asked for: the built-in targets still replay at max speed.
        pacing: { speed: 1, maxSpeed: false, replyTimeoutMs: 2000, holdAfterS: 0 },
        extraSettings: [],
        strictTiming: false,
        failOn: 'any',
        out: join(dir, out),
        junit: null,
        jobs,
      })
    const started = Date.now()
    const sequential = await compare(1, 'seq')
    const concurrent = await compare(4, 'par')
    // 47 s of recorded gaps in the real session alone: real-time pacing would take minutes.
    expect(Date.now() - started).toBeLessThan(60_000)
    expect(concurrent.sessions.map((s) => s.id)).toEqual(sequential.sessions.map((s) => s.id))
    expect(sequential.sessions).toHaveLength(sessions.length)
    expect(judged(concurrent)).toEqual(judged(sequential))
    // A real judgement, not an empty one: the legacy path differs, handshakes are judged.
    expect(sequential.targets.find((t) => t.name === 'legacy')?.mismatches).toBeGreaterThan(0)
    expect(sequential.targets.find((t) => t.name === 'mock')?.handshakes.expected).toBeGreaterThan(
      0,
    )
    const t = JSON.parse(
      readFileSync(join(dir, 'par', concurrent.sessions[0]!.transcripts.mock!), 'utf8'),
    ) as { pacing: { maxSpeed: boolean } }
    expect(t.pacing.maxSpeed).toBe(true)
  }, 120_000)

  it('keeps results in input order whatever order the work finishes in', async () => {
    const delays = [30, 5, 20, 1, 10, 0]
    let running = 0
    let most = 0
    const out = await mapBounded(delays, 2, async (ms, i) => {
      running++
      most = Math.max(most, running)
      await new Promise((r) => setTimeout(r, ms))
      running--
      return i * 10
    })
    expect(out).toEqual([0, 10, 20, 30, 40, 50])
    expect(most).toBe(2)
  })
})
