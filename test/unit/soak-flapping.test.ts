/**
 * The soak's flapping scenario played against the real HybridPolicy on a simulated clock (no
 * sockets, no timers): its fault schedule, two BOXes, and probes that each start late, as they do
 * when the soak's event loop runs behind on a loaded machine (a time scale of 60 turns 50 ms of
 * loop lateness into 3 simulated seconds). Deterministic, so it shows exactly which policies the
 * verdict passes and which it fails.
 */
import { describe, expect, it } from 'vitest'
import { evaluateSoak, type SoakFacts } from '../../src/soak/evaluate.js'
import { buildSchedule, type FaultWindow } from '../../src/soak/schedule.js'
import { HybridPolicy, type ModeTransition } from '../../src/targets/proxy/hybrid-policy.js'

const POLICY = { failThreshold: 3, retryIntervalS: 60, replyTimeoutMs: 5000 }
const DURATION_S = 600
/** Simulated ms per step of the clock. */
const STEP_MS = 10
/** Each BOX sends a frame this often (ms); the second one half a period later. */
const BOX_EVERY_MS = 7000

const schedule = buildSchedule({ scenario: 'flapping', durationS: DURATION_S, seed: 1, ...POLICY })
const downAt = (ms: number, ws: readonly FaultWindow[]): boolean =>
  ws.some((w) => ms >= w.fromS * 1000 && ms < w.toS * 1000)

/**
 * Runs the flapping schedule against `policy`: every probe starts `probeLateMs` after it was due
 * (a late timer) and its result arrives `probeTookMs` after that. Returns the soak facts.
 */
function play(policy: HybridPolicy, probeLateMs: number, probeTookMs = 0): SoakFacts {
  const transitions: ModeTransition[] = []
  let probe: { result: 'ok' | 'refused'; atMs: number } | null = null
  for (let t = 0; t <= DURATION_S * 1000; t += STEP_MS) {
    if (t % BOX_EVERY_MS === 0 || t % BOX_EVERY_MS === BOX_EVERY_MS / 2) {
      if (policy.route() === 'forward') {
        const o = policy.onUpstreamResult(downAt(t, schedule) ? 'refused' : 'ok', t)
        if (o.transition) transitions.push(o.transition)
      }
    }
    if (probe !== null && t >= probe.atMs) {
      const back = policy.onProbeResult(probe.result, t)
      if (back) transitions.push(back)
      probe = null
    }
    const due = policy.nextProbeAtMs
    if (due !== null && t >= due + probeLateMs && policy.probeDue(t)) {
      policy.startProbe()
      probe = { result: downAt(t, schedule) ? 'refused' : 'ok', atMs: t + probeTookMs }
    }
  }
  return {
    scenario: 'flapping',
    durationS: DURATION_S,
    faults: schedule,
    counts: { resets: 0, timeouts: 0, refusals: 3, slow: 0, garbage: 0, rescues: 3 },
    transitions: transitions.map((x) => ({ ...x, atS: Date.parse(x.at) / 1000 })),
    conservation: { boxFrames: 100, replies: 100, lost: 0, duplicated: 0, ok: true },
  }
}

const hybrid = (retryIntervalS: number): HybridPolicy =>
  new HybridPolicy({
    mode: 'hybrid',
    failThreshold: POLICY.failThreshold,
    retryIntervalMs: retryIntervalS * 1000,
  })

describe('soak flapping against the hybrid policy (simulated clock)', () => {
  it('has a flapping schedule that ends well before the soak does', () => {
    expect(schedule.length).toBeGreaterThanOrEqual(10)
    expect(schedule.at(-1)!.toS).toBeLessThan(DURATION_S - POLICY.retryIntervalS)
  })

  it.each([
    ['on time', 0, 0],
    ['each probe 4 s late (a loop ~70 ms behind at time scale 60)', 4000, 0],
    ['each probe 4 s late and 1 s long', 4000, 1000],
  ])('passes: stays offline through the flapping and comes back once (%s)', (_, late, took) => {
    const f = play(hybrid(POLICY.retryIntervalS), late, took)
    expect(evaluateSoak(f, POLICY)).toMatchObject({ pass: true, reasons: [] })
    expect(f.transitions.map((t) => t.to)).toEqual(['offline', 'online'])
    expect(f.transitions[1]!.atS).toBeGreaterThan(schedule.at(-1)!.toS)
  })

  it('fails a proxy that probes faster than its retry interval (it follows a flap back online)', () => {
    const f = play(hybrid(10), 0)
    const v = evaluateSoak(f, POLICY)
    expect(v.pass).toBe(false)
    expect(v.reasons).toContainEqual(expect.stringMatching(/^\d+ oscillation\(s\)/))
    expect(f.transitions.length).toBeGreaterThan(2)
  })
})
