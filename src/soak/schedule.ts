/**
 * The fault schedule of a soak scenario (pure, seeded): when the upstream misbehaves and how, in
 * simulated seconds. Windows are sized from the hybrid policy (PROTOCOL.md §5) and the BOX's
 * longest pause between frames (§3), so that each scenario provokes exactly what it is meant to.
 */
import { createRng, type Rng } from '../simulate/prng.js'
import type { FAULT_KINDS, SOAK_SCENARIOS } from './report-schema.js'

export type SoakScenario = (typeof SOAK_SCENARIOS)[number]
export type FaultKind = (typeof FAULT_KINDS)[number]
/** Faults applied to single frames; `refuse` acts on the listener instead. */
export type FrameFault = Exclude<FaultKind, 'refuse'>

/** The longest BOX pause between a reply and its next frame (§3); soak pacing caps gaps at it. */
export const FRAME_INTERVAL_S = 8
/** Slack (simulated s) kept between a window edge and the latest moment a frame can need it. */
export const MARGIN_S = 3

export interface FaultWindow {
  readonly fromS: number
  readonly toS: number
  readonly kind: FaultKind
  /** Frames the window may hit at most (the first ones to arrive); null = every frame. */
  readonly maxFrames: number | null
  readonly note: string
}

export interface ScheduleParams {
  readonly scenario: SoakScenario
  readonly durationS: number
  readonly seed: number
  readonly failThreshold: number
  readonly retryIntervalS: number
  readonly replyTimeoutMs: number
  /** Longest simulated time between two frames of one BOX (default FRAME_INTERVAL_S). */
  readonly frameIntervalS?: number
}

/** The scenario cannot be scheduled with these options (a usage problem: duration too short …). */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError'
}

interface Ctx {
  readonly p: ScheduleParams
  readonly rng: Rng
  readonly fi: number
  readonly replyS: number
  /** Latest end of the last fault so that the return online is still observed. */
  readonly latestEnd: number
}

const round = (s: number): number => Math.round(s * 10) / 10
const clamp = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi)

function tooShort(ctx: Ctx, what: string, needS: number): ScheduleError {
  const { scenario, durationS, failThreshold, retryIntervalS } = ctx.p
  return new ScheduleError(
    `${scenario} needs ${what} (fail threshold ${failThreshold}, retry interval ${retryIntervalS} s, ` +
      `duration ${durationS} s): at least ${Math.ceil(needS)} s`,
  )
}

/**
 * One window in the middle (seeded jitter), at least `minLen` long, ending early enough that the
 * first probe after it (≤ one retry interval later) falls inside the soak.
 */
function middleWindow(
  ctx: Ctx,
  minLen: number,
  wantLen: number,
  maxLen = Infinity,
): [number, number] {
  const room = ctx.latestEnd - ctx.fi
  if (room < minLen) {
    const need = ctx.p.durationS + (minLen - room)
    throw tooShort(ctx, 'a longer duration', need)
  }
  const len = Math.min(Math.max(minLen, wantLen), room, maxLen)
  const d = ctx.p.durationS
  const from = clamp((d - len) / 2 + ctx.rng.float(-0.05, 0.05) * d, ctx.fi, ctx.latestEnd - len)
  return [round(from), round(from + len)]
}

function outage(ctx: Ctx): FaultWindow[] {
  // Longer than threshold × frame interval: the threshold-th refused frame surely falls inside.
  const minLen = ctx.p.failThreshold * ctx.fi + MARGIN_S
  const [fromS, toS] = middleWindow(ctx, minLen, 0.3 * ctx.p.durationS)
  return [{ fromS, toS, kind: 'refuse', maxFrames: null, note: 'cloud down: connects refused' }]
}

const SINGLE_FRAME_KINDS: readonly FrameFault[] = ['reset', 'timeout', 'garbage', 'slow']

function intermittent(ctx: Ctx): FaultWindow[] {
  // Each window hits only the first frame to arrive; the pause after it lets every BOX get at
  // least one good reply (count back to 0) before the next one.
  const len = ctx.fi + MARGIN_S
  const period = len + 2 * ctx.fi + ctx.replyS + MARGIN_S
  const kinds = [...SINGLE_FRAME_KINDS]
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = ctx.rng.int(0, i)
    ;[kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!]
  }
  const out: FaultWindow[] = []
  for (let from = ctx.fi + ctx.rng.float(0, MARGIN_S); from + len <= ctx.p.durationS - ctx.fi;) {
    const kind = kinds[out.length % kinds.length]!
    out.push({
      fromS: round(from),
      toS: round(from + len),
      kind,
      maxFrames: 1,
      note: `one frame: ${kind}`,
    })
    from += period
  }
  if (out.length === 0) throw tooShort(ctx, 'a longer duration', 2 * ctx.fi + len)
  return out
}

function flapping(ctx: Ctx): FaultWindow[] {
  // Down/up with a period of half the retry interval. Because the period divides the retry
  // interval, every probe lands at the phase where the switch happened — inside a down phase,
  // since the switch comes at most threshold × frame interval after a down phase starts — so a
  // proxy that honours its retry interval never follows a flap back online. This needs probes on
  // the cadence of the switch (nextProbeAt in targets/proxy/hybrid-policy.ts): counted from the
  // end of each failed probe, their lateness on a loaded machine adds up until one hits an up phase.
  const { failThreshold: t, retryIntervalS: r } = ctx.p
  const period = r / 2
  const down = Math.max(t * ctx.fi + MARGIN_S, 0.75 * period)
  if (period - down < 1) {
    const needR = 2 * (t * ctx.fi + MARGIN_S + 1)
    throw new ScheduleError(
      `flapping needs a retry interval of at least ${Math.ceil(needR)} s with fail threshold ${t} ` +
        `(the upstream must flap faster than the retry interval, down long enough to trip the threshold)`,
    )
  }
  const start = ctx.fi + ctx.rng.float(0, ctx.fi)
  const n = Math.floor((ctx.latestEnd - start - down) / period) + 1
  if (n < 2) throw tooShort(ctx, 'a longer duration', ctx.p.durationS + (2 - n) * period)
  return Array.from({ length: n }, (_, i) => {
    const fromS = round(start + i * period)
    return {
      fromS,
      toS: round(fromS + down),
      kind: 'refuse',
      maxFrames: null,
      note: `flap ${i + 1}/${n}: down`,
    }
  })
}

function slow(ctx: Ctx): FaultWindow[] {
  // A slow frame costs the reply timeout before it is rescued. The stretch is shorter than one
  // retry interval: the connect-only probe cannot see slowness (targets/proxy/upstream.ts), so a
  // probe inside the stretch would bring the proxy back into it.
  const fiSlow = ctx.fi + ctx.replyS
  const maxLen = ctx.p.retryIntervalS - MARGIN_S
  const minLen = Math.min(ctx.p.failThreshold * fiSlow + MARGIN_S, maxLen)
  if (minLen < fiSlow + MARGIN_S)
    throw tooShort(ctx, 'a longer retry interval', fiSlow + 2 * MARGIN_S)
  const [fromS, toS] = middleWindow(ctx, minLen, 0.15 * ctx.p.durationS, maxLen)
  const note = `replies after ${2 * ctx.p.replyTimeoutMs} ms (reply timeout ${ctx.p.replyTimeoutMs} ms)`
  return [{ fromS, toS, kind: 'slow', maxFrames: null, note }]
}

const BUILDERS = {
  stable: () => [],
  outage,
  intermittent,
  flapping,
  slow,
} as const satisfies Record<SoakScenario, (ctx: Ctx) => FaultWindow[]>

/** The scenario's fault windows in time order; throws ScheduleError when they cannot fit. */
export function buildSchedule(p: ScheduleParams): FaultWindow[] {
  const fi = p.frameIntervalS ?? FRAME_INTERVAL_S
  const ctx: Ctx = {
    p,
    rng: createRng(p.seed),
    fi,
    replyS: p.replyTimeoutMs / 1000,
    latestEnd: p.durationS - p.retryIntervalS - fi - MARGIN_S,
  }
  return BUILDERS[p.scenario](ctx)
}

/**
 * The frame fault active at simulated second `atS`: the index of the first window of a frame
 * kind covering it that still has frames to hit (`hits[i]` = frames window i hit so far).
 */
export function frameFaultAt(
  schedule: readonly FaultWindow[],
  atS: number,
  hits: readonly number[],
): number | null {
  for (let i = 0; i < schedule.length; i++) {
    const w = schedule[i]!
    if (w.kind === 'refuse' || atS < w.fromS || atS >= w.toS) continue
    if (w.maxFrames === null || (hits[i] ?? 0) < w.maxFrames) return i
  }
  return null
}
