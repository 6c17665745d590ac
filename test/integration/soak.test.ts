/**
 * Each soak scenario for real: mock cloud, faulty front, hybrid proxy and two simulated BOXes on
 * 127.0.0.1, at time scale 60 (a simulated minute per wall second).
 */
import { describe, expect, it } from 'vitest'
import { SoakReportSchema, type SoakReport } from '../../src/soak/report-schema.js'
import { loadSoakSessions, runSoak } from '../../src/soak/run-soak.js'
import type { SoakScenario } from '../../src/soak/schedule.js'
import { readContract } from '../../src/contract/files.js'
import { SHIPPED_CONTRACT_FILE } from '../helpers/box-frames.js'
import { captureDbPath } from '../helpers/captures.js'

const loaded = readContract(SHIPPED_CONTRACT_FILE)
const { contract } = loaded

async function soak(
  scenario: SoakScenario,
  durationS: number,
  over: { failThreshold?: number; sessions?: string[] } = {},
): Promise<SoakReport> {
  const { plans, source } = await loadSoakSessions(over.sessions ?? [], 1, contract)
  const report = await runSoak({
    scenario,
    durationS,
    timeScale: 60,
    failThreshold: over.failThreshold ?? 3,
    retryIntervalS: 60,
    replyTimeoutMs: 5000,
    seed: 1,
    contract: loaded,
    plans,
    source,
  })
  expect(SoakReportSchema.parse(report)).toEqual(report)
  return report
}

function expectConserved(r: SoakReport): void {
  expect(r.conservation.boxFrames).toBeGreaterThan(20)
  expect(r.conservation).toEqual({
    boxFrames: r.conservation.boxFrames,
    replies: r.conservation.boxFrames,
    lost: 0,
    duplicated: 0,
    ok: true,
  })
}

describe('soak scenarios over real sockets', () => {
  it('stable: no rescue, no transition, every frame answered', async () => {
    const r = await soak('stable', 120)
    expect(r.verdict).toMatchObject({ pass: true, reasons: [] })
    expect(r.sessions.source).toBe('synthetic')
    expect(r.transitions).toEqual([])
    expect(r.counts).toEqual({
      resets: 0,
      timeouts: 0,
      refusals: 0,
      slow: 0,
      garbage: 0,
      rescues: 0,
    })
    expectConserved(r)
    expect(r.wallS).toBeLessThan(10)
  })

  it('outage: one switch offline at the third refused frame, one return after the outage', async () => {
    const r = await soak('outage', 120)
    expect(r.verdict).toMatchObject({ pass: true, reasons: [] })
    const [w] = r.faults
    expect(r.transitions.map((t) => [t.to, t.failCount])).toEqual([
      ['offline', 3],
      ['online', 0],
    ])
    expect(r.transitions[0]!.atS).toBeGreaterThan(w!.fromS)
    expect(r.transitions[1]!.atS).toBeGreaterThan(w!.toS)
    expect(r.counts.refusals).toBeGreaterThanOrEqual(3)
    expect(r.counts.rescues).toBe(r.counts.refusals + r.counts.resets)
    expect(r.timeInStateS.offline).toBeGreaterThanOrEqual(60)
    expectConserved(r)
  })

  it('intermittent: every single-frame fault rescued, zero transitions', async () => {
    const r = await soak('intermittent', 120)
    expect(r.verdict).toMatchObject({ pass: true, reasons: [] })
    expect(r.transitions).toEqual([])
    expect(r.counts.rescues).toBe(r.faults.length)
    expect(r.counts.rescues).toBe(r.counts.resets + r.counts.timeouts)
    expectConserved(r)
  })

  it('flapping: the proxy does not follow the flaps (one round trip, no oscillation)', async () => {
    const r = await soak('flapping', 240)
    expect(r.verdict).toMatchObject({ pass: true, reasons: [] })
    expect(r.faults.length).toBeGreaterThanOrEqual(4)
    expect(r.transitions.map((t) => t.to)).toEqual(['offline', 'online'])
    expect(r.transitions[1]!.atS).toBeGreaterThan(r.faults.at(-1)!.toS)
    expect(r.oscillations).toBe(0)
    expectConserved(r)
  })

  it('slow: slow replies rescued as timeouts, one switch at the threshold, one return after the stretch', async () => {
    const r = await soak('slow', 180)
    expect(r.verdict).toMatchObject({ pass: true, reasons: [] })
    // The threshold-th slow reply switches; the other BOX may have one more slow frame in flight.
    expect(r.counts.slow).toBeGreaterThanOrEqual(3)
    expect(r.counts.slow).toBeLessThanOrEqual(4)
    expect(r.counts.timeouts).toBe(r.counts.slow)
    expect(r.counts.rescues).toBe(r.counts.slow)
    expect(r.transitions.map((t) => [t.to, t.failCount])).toEqual([
      ['offline', 3],
      ['online', 0],
    ])
    expectConserved(r)
  })

  it('fails intermittent with a mis-set fail threshold of 1: each single fault switches globally', async () => {
    const r = await soak('intermittent', 120, { failThreshold: 1 })
    expect(r.verdict.pass).toBe(false)
    expect(r.transitions.length).toBeGreaterThanOrEqual(2)
    expect(r.transitions[0]).toMatchObject({ to: 'offline', failCount: 1 })
    expect(r.verdict.reasons).toContainEqual(
      expect.stringMatching(/expected zero global transitions/),
    )
    expectConserved(r)
  })

  it('replays a real session export instead of synthetic sessions', async () => {
    const r = await soak('stable', 120, {
      sessions: [captureDbPath('session-2026-02-17-conn2315.json')],
    })
    expect(r.sessions.source).toBe('session-2026-02-17-conn2315.json')
    expect(r.verdict.pass).toBe(true)
    expectConserved(r)
  })
})
