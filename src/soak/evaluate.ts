/**
 * The soak verdict (pure): what the hybrid policy (PROTOCOL.md §5) must have done under each
 * scenario's faults, checked against what the soak observed. Times are simulated seconds.
 */
import type { SoakReport } from './report-schema.js'
import type { FaultWindow, SoakScenario } from './schedule.js'

export type SoakFacts = Pick<
  SoakReport,
  'scenario' | 'durationS' | 'counts' | 'transitions' | 'conservation'
> & { readonly faults: ReadonlyArray<Pick<FaultWindow, 'fromS' | 'toS' | 'kind'>> }
export type SoakPolicy = SoakReport['policy']
export type SoakVerdict = SoakReport['verdict']
type Transition = SoakReport['transitions'][number]

/** Timer and rounding slack when comparing observed instants with the schedule (simulated s). */
export const TIME_TOLERANCE_S = 2

/** Rounding slack of `atS` (3 decimals) when two transitions are exactly one retry interval apart. */
export const ROUNDING_SLACK_S = 0.01

/** Transitions closer together than one retry interval (consecutive pairs). */
export function countOscillations(
  transitions: ReadonlyArray<Pick<Transition, 'atS'>>,
  retryIntervalS: number,
): number {
  let n = 0
  for (let i = 1; i < transitions.length; i++)
    if (transitions[i]!.atS - transitions[i - 1]!.atS < retryIntervalS - ROUNDING_SLACK_S) n++
  return n
}

/**
 * Most transitions a proxy that honours its retry interval can make in `durationS`: it stays
 * offline at least one retry interval each time, so at most one round trip per interval.
 */
export function maxFlappingTransitions(durationS: number, retryIntervalS: number): number {
  return 2 * Math.ceil(durationS / retryIntervalS)
}

/** Simulated seconds spent in each effective state over [0, endS], starting online. */
export function timeInState(
  transitions: ReadonlyArray<Pick<Transition, 'atS' | 'to'>>,
  endS: number,
): Record<string, number> {
  const out: Record<string, number> = { online: 0, offline: 0 }
  let state = 'online'
  let since = 0
  for (const t of transitions) {
    const at = Math.min(Math.max(t.atS, since), endS)
    out[state] = (out[state] ?? 0) + (at - since)
    state = t.to
    since = at
  }
  out[state] = (out[state] ?? 0) + Math.max(0, endS - since)
  for (const k of Object.keys(out)) out[k] = Math.round(out[k]! * 10) / 10
  return out
}

const EXPECTATIONS = {
  stable: 'no faults: no rescues and no transitions',
  intermittent:
    'isolated single-frame faults below the threshold: each rescued, zero global transitions',
  outage:
    'one long outage: one switch to offline at the threshold-th consecutive failure inside it, one return online by the first probe after it',
  flapping:
    'upstream flaps faster than the retry interval: no more transitions than the retry interval allows and none closer than one retry interval',
  slow: 'replies slower than the reply timeout for a stretch shorter than the retry interval: each slow reply rescued; a switch to offline only at the threshold-th consecutive slow reply, then one return online after the stretch',
} as const satisfies Record<SoakScenario, string>

const fmt = (s: number): string => `${Math.round(s * 10) / 10} s`

/**
 * Exactly one switch offline inside `w` and one return online after it, by the first probe after
 * the window ends (≤ one retry interval, plus timer slack). Returns the failed checks.
 */
function oneRoundTrip(ts: readonly Transition[], w: FaultWindowLike, r: number): string[] {
  const tol = TIME_TOLERANCE_S
  const [off, on] = ts
  if (ts.length !== 2 || off?.to !== 'offline' || on?.to !== 'online')
    return [`expected exactly 2 transitions (offline, then online), got ${describe(ts)}`]
  const out: string[] = []
  if (off.atS < w.fromS - tol || off.atS > w.toS + tol)
    out.push(
      `switch to offline at ${fmt(off.atS)} is outside the fault ${fmt(w.fromS)}–${fmt(w.toS)}`,
    )
  if (on.atS < w.toS - tol)
    out.push(`returned online at ${fmt(on.atS)}, before the fault ended at ${fmt(w.toS)}`)
  const latest = w.toS + r + Math.max(tol, 0.1 * r)
  if (on.atS > latest)
    out.push(
      `returned online at ${fmt(on.atS)}, later than one retry interval after the fault (${fmt(latest)})`,
    )
  return out
}

type FaultWindowLike = Pick<FaultWindow, 'fromS' | 'toS' | 'kind'>

function describe(ts: readonly Transition[]): string {
  return ts.length === 0 ? 'none' : ts.map((t) => `${t.to} at ${fmt(t.atS)}`).join(', ')
}

type Check = (f: SoakFacts, p: SoakPolicy) => string[]

const SCENARIO_CHECKS = {
  stable: (f) => [
    ...(f.transitions.length > 0
      ? [`expected no transitions, got ${describe(f.transitions)}`]
      : []),
    ...(f.counts.rescues > 0 ? [`expected no rescues, got ${f.counts.rescues}`] : []),
  ],
  intermittent: (f) => [
    ...(f.transitions.length > 0
      ? [`expected zero global transitions below the threshold, got ${describe(f.transitions)}`]
      : []),
    ...(f.counts.rescues === 0 ? ['expected rescues of the faulty frames, got none'] : []),
  ],
  outage: (f, p) => {
    const w = f.faults.find((x) => x.kind === 'refuse')
    if (!w) return ['no outage in the fault schedule']
    const out = oneRoundTrip(f.transitions, w, p.retryIntervalS)
    if (f.counts.rescues < p.failThreshold)
      out.push(`expected at least ${p.failThreshold} rescues, got ${f.counts.rescues}`)
    return out
  },
  flapping: (f, p) => {
    const max = maxFlappingTransitions(f.durationS, p.retryIntervalS)
    return f.transitions.length > max
      ? [`${f.transitions.length} transitions, more than the retry interval allows (${max})`]
      : []
  },
  slow: (f, p) => {
    const w = f.faults.find((x) => x.kind === 'slow')
    if (!w) return ['no slow stretch in the fault schedule']
    const out = f.transitions.length === 0 ? [] : oneRoundTrip(f.transitions, w, p.retryIntervalS)
    if (f.counts.rescues === 0) out.push('expected the slow replies to be rescued, got no rescues')
    if (f.counts.rescues < f.counts.slow)
      out.push(`${f.counts.slow} slow replies but only ${f.counts.rescues} rescues`)
    return out
  },
} as const satisfies Record<SoakScenario, Check>

/**
 * Judges a soak against the policy: the scenario's own expectation plus, for every scenario,
 * conservation (every BOX frame exactly one reply), zero oscillations, and every switch to
 * offline made exactly at the threshold-th consecutive failure.
 */
export function evaluateSoak(facts: SoakFacts, policy: SoakPolicy): SoakVerdict {
  const reasons: string[] = []
  const c = facts.conservation
  if (!c.ok || c.lost > 0 || c.duplicated > 0)
    reasons.push(
      `conservation: ${c.boxFrames} BOX frames, ${c.replies} replies, ${c.lost} lost, ${c.duplicated} duplicated`,
    )
  const osc = countOscillations(facts.transitions, policy.retryIntervalS)
  if (osc > 0)
    reasons.push(
      `${osc} oscillation(s): transitions closer than the retry interval (${policy.retryIntervalS} s)`,
    )
  for (const t of facts.transitions)
    if (t.to === 'offline' && t.failCount !== policy.failThreshold)
      reasons.push(
        `switched to offline at ${fmt(t.atS)} after ${t.failCount} consecutive failures, not at the threshold ${policy.failThreshold}`,
      )
  reasons.push(...SCENARIO_CHECKS[facts.scenario](facts, policy))
  return { pass: reasons.length === 0, expectation: EXPECTATIONS[facts.scenario], reasons }
}
