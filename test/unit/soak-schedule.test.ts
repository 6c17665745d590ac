import { describe, expect, it } from 'vitest'
import {
  countOscillations,
  evaluateSoak,
  maxFlappingTransitions,
  timeInState,
  type SoakFacts,
} from '../../src/soak/evaluate.js'
import {
  buildSchedule,
  FRAME_INTERVAL_S,
  frameFaultAt,
  MARGIN_S,
  ScheduleError,
  type ScheduleParams,
} from '../../src/soak/schedule.js'

const P = { failThreshold: 3, retryIntervalS: 60, replyTimeoutMs: 5000 }
const params = (over: Partial<ScheduleParams>): ScheduleParams => ({
  scenario: 'stable',
  durationS: 600,
  seed: 1,
  ...P,
  ...over,
})
const FI = FRAME_INTERVAL_S

describe('buildSchedule', () => {
  it('schedules no fault for stable', () => {
    expect(buildSchedule(params({ scenario: 'stable' }))).toEqual([])
  })

  it('schedules one refused outage in the middle, longer than threshold × frame interval, recovered a retry interval before the end', () => {
    const [w, ...rest] = buildSchedule(params({ scenario: 'outage' }))
    expect(rest).toEqual([])
    expect(w).toMatchObject({ kind: 'refuse', maxFrames: null })
    expect(w!.toS - w!.fromS).toBeGreaterThan(P.failThreshold * FI)
    expect(w!.fromS).toBeGreaterThan(600 * 0.25)
    expect(w!.toS + P.retryIntervalS + FI).toBeLessThanOrEqual(600)
  })

  it('is deterministic for a seed and varies with it', () => {
    const a = buildSchedule(params({ scenario: 'outage', seed: 7 }))
    expect(buildSchedule(params({ scenario: 'outage', seed: 7 }))).toEqual(a)
    expect(buildSchedule(params({ scenario: 'outage', seed: 8 }))).not.toEqual(a)
  })

  it('schedules isolated single-frame faults for intermittent, far enough apart for a good reply between', () => {
    const ws = buildSchedule(params({ scenario: 'intermittent' }))
    expect(ws.length).toBeGreaterThanOrEqual(10)
    expect(new Set(ws.map((w) => w.kind))).toEqual(new Set(['reset', 'timeout', 'garbage', 'slow']))
    for (const w of ws) expect(w.maxFrames).toBe(1)
    for (let i = 1; i < ws.length; i++)
      expect(ws[i]!.fromS - ws[i - 1]!.toS).toBeGreaterThanOrEqual(2 * FI + P.replyTimeoutMs / 1000)
  })

  it('schedules flapping with a period of half the retry interval, each down phase long enough to trip the threshold', () => {
    const ws = buildSchedule(params({ scenario: 'flapping' }))
    expect(ws.length).toBeGreaterThanOrEqual(2)
    for (const w of ws) {
      expect(w.kind).toBe('refuse')
      expect(w.toS - w.fromS).toBeGreaterThanOrEqual(P.failThreshold * FI + MARGIN_S - 0.1)
    }
    for (let i = 1; i < ws.length; i++) {
      expect(ws[i]!.fromS - ws[i - 1]!.fromS).toBeCloseTo(P.retryIntervalS / 2, 0)
      expect(ws[i]!.fromS).toBeGreaterThan(ws[i - 1]!.toS)
    }
    expect(ws.at(-1)!.toS + P.retryIntervalS).toBeLessThanOrEqual(600)
  })

  it('schedules one slow stretch shorter than the retry interval for slow', () => {
    const [w, ...rest] = buildSchedule(params({ scenario: 'slow' }))
    expect(rest).toEqual([])
    expect(w!.kind).toBe('slow')
    expect(w!.toS - w!.fromS).toBeLessThan(P.retryIntervalS)
    expect(w!.toS - w!.fromS).toBeGreaterThanOrEqual(P.failThreshold * (FI + 5) + MARGIN_S - 0.1)
  })

  it.each([
    ['outage', { durationS: 60 }, /outage needs a longer duration/],
    ['flapping', { durationS: 120 }, /flapping needs a longer duration/],
    ['flapping', { retryIntervalS: 30 }, /flapping needs a retry interval of at least 56 s/],
    ['intermittent', { durationS: 20 }, /intermittent needs a longer duration/],
  ] as const)('rejects %s with %o', (scenario, over, message) => {
    expect(() => buildSchedule(params({ scenario, ...over }))).toThrow(ScheduleError)
    expect(() => buildSchedule(params({ scenario, ...over }))).toThrow(message)
  })
})

describe('frameFaultAt', () => {
  const ws = [
    { fromS: 10, toS: 20, kind: 'reset', maxFrames: 1, note: '' },
    { fromS: 30, toS: 40, kind: 'refuse', maxFrames: null, note: '' },
    { fromS: 50, toS: 60, kind: 'slow', maxFrames: null, note: '' },
  ] as const

  it('returns the window covering the instant until its frame budget is used', () => {
    expect(frameFaultAt(ws, 15, [0, 0, 0])).toBe(0)
    expect(frameFaultAt(ws, 15, [1, 0, 0])).toBeNull()
    expect(frameFaultAt(ws, 55, [0, 0, 99])).toBe(2)
  })

  it('ignores refuse windows (they act on the listener) and instants outside every window', () => {
    expect(frameFaultAt(ws, 35, [0, 0, 0])).toBeNull()
    expect(frameFaultAt(ws, 20, [0, 0, 0])).toBeNull()
  })
})

const off = (atS: number, failCount = 3) => ({
  atS,
  from: 'online',
  to: 'offline',
  reason: `${failCount} consecutive upstream failures (last: refused)`,
  failCount,
})
const on = (atS: number) => ({
  atS,
  from: 'offline',
  to: 'online',
  reason: 'probe succeeded',
  failCount: 0,
})
const zero = { resets: 0, timeouts: 0, refusals: 0, slow: 0, garbage: 0, rescues: 0 }
const kept = { boxFrames: 100, replies: 100, lost: 0, duplicated: 0, ok: true }

function facts(over: Partial<SoakFacts>): SoakFacts {
  return {
    scenario: 'stable',
    durationS: 600,
    faults: [],
    counts: zero,
    transitions: [],
    conservation: kept,
    ...over,
  }
}

const outage = facts({
  scenario: 'outage',
  faults: [{ fromS: 200, toS: 380, kind: 'refuse' }],
  counts: { ...zero, refusals: 3, rescues: 3 },
  transitions: [off(212), on(392)],
})
const flapping = facts({
  scenario: 'flapping',
  faults: [0, 1, 2, 3].map((i) => ({
    fromS: 20 + 30 * i,
    toS: 47 + 30 * i,
    kind: 'refuse' as const,
  })),
  counts: { ...zero, refusals: 3, rescues: 3 },
  transitions: [off(30), on(150)],
})
const slow = facts({
  scenario: 'slow',
  faults: [{ fromS: 250, toS: 307, kind: 'slow' }],
  counts: { ...zero, timeouts: 3, slow: 3, rescues: 3 },
  transitions: [off(280), on(340)],
})

describe('evaluateSoak', () => {
  it.each([
    ['stable', facts({})],
    [
      'intermittent',
      facts({ scenario: 'intermittent', counts: { ...zero, resets: 4, timeouts: 8, rescues: 12 } }),
    ],
    ['outage', outage],
    ['flapping', flapping],
    ['slow with a switch', slow],
    [
      'slow below the threshold',
      { ...slow, transitions: [], counts: { ...zero, timeouts: 2, slow: 2, rescues: 2 } },
    ],
  ])('passes %s when the proxy behaved as the policy says', (_, f) => {
    expect(evaluateSoak(f, P)).toMatchObject({ pass: true, reasons: [] })
  })

  it('fails outage evaluated with a threshold that does not match the switch (mis-set policy)', () => {
    const v = evaluateSoak(outage, { ...P, failThreshold: 5 })
    expect(v.pass).toBe(false)
    expect(v.reasons).toEqual([
      expect.stringMatching(/after 3 consecutive failures, not at the threshold 5/),
      'expected at least 5 rescues, got 3',
    ])
  })

  it('fails flapping when the proxy oscillates faster than its retry interval', () => {
    const transitions = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0 ? off(20 + 20 * i) : on(20 + 20 * i),
    )
    const v = evaluateSoak({ ...flapping, durationS: 300, transitions }, P)
    expect(v.pass).toBe(false)
    expect(v.reasons).toEqual([
      expect.stringMatching(/^19 oscillation\(s\)/),
      expect.stringMatching(/^20 transitions, more than the retry interval allows \(10\)/),
    ])
  })

  it('fails intermittent when a global transition happened below the threshold', () => {
    const v = evaluateSoak(
      facts({
        scenario: 'intermittent',
        counts: { ...zero, rescues: 2 },
        transitions: [off(50, 1), on(110)],
      }),
      { ...P, failThreshold: 1 },
    )
    expect(v.pass).toBe(false)
    expect(v.reasons).toEqual([expect.stringMatching(/expected zero global transitions/)])
  })

  it('fails stable with a transition or a rescue', () => {
    const v = evaluateSoak(
      facts({ counts: { ...zero, rescues: 1 }, transitions: [off(10), on(80)] }),
      P,
    )
    expect(v.reasons).toEqual([
      expect.stringMatching(/expected no transitions/),
      'expected no rescues, got 1',
    ])
  })

  it('fails outage with a return online before the outage ended or a second round trip', () => {
    expect(evaluateSoak({ ...outage, transitions: [off(212), on(300)] }, P).reasons).toEqual([
      expect.stringMatching(/returned online at 300 s, before the fault ended at 380 s/),
    ])
    expect(
      evaluateSoak({ ...outage, transitions: [off(212), on(272), off(280), on(392)] }, P).pass,
    ).toBe(false)
  })

  it('fails any scenario that lost or duplicated a frame', () => {
    const v = evaluateSoak(
      facts({ conservation: { boxFrames: 100, replies: 99, lost: 1, duplicated: 0, ok: false } }),
      P,
    )
    expect(v.reasons).toEqual(['conservation: 100 BOX frames, 99 replies, 1 lost, 0 duplicated'])
  })

  it('fails slow when a slow reply was not rescued', () => {
    const v = evaluateSoak({ ...slow, counts: { ...slow.counts, rescues: 2 } }, P)
    expect(v.reasons).toEqual(['3 slow replies but only 2 rescues'])
  })
})

describe('soak figures', () => {
  it('counts transitions closer than one retry interval as oscillations', () => {
    expect(countOscillations([{ atS: 10 }, { atS: 70 }, { atS: 75 }, { atS: 200 }], 60)).toBe(1)
  })

  it('does not count a return exactly one retry interval later, whatever the rounding of atS', () => {
    expect(countOscillations([{ atS: 82.205 }, { atS: 142.199 }], 60)).toBe(0)
    expect(countOscillations([{ atS: 82.2 }, { atS: 142.1 }], 60)).toBe(1)
  })

  it('derives the flapping limit from the retry interval', () => {
    expect(maxFlappingTransitions(600, 60)).toBe(20)
    expect(maxFlappingTransitions(300, 120)).toBe(6)
  })

  it('splits the soak into time per state, starting online', () => {
    expect(timeInState([off(100), on(250)], 600)).toEqual({ online: 450, offline: 150 })
    expect(timeInState([], 42)).toEqual({ online: 42, offline: 0 })
  })
})
