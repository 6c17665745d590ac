/**
 * When the proxy forwards to the cloud and when it answers locally (PROTOCOL.md §5), as a pure
 * state machine. `online` always forwards (a failure leaves the frame unanswered); `offline`
 * never contacts the cloud; `hybrid` forwards while healthy, rescues each failed frame locally and
 * switches globally to offline only after `failThreshold` consecutive failures, then probes the
 * cloud every `retryIntervalMs` and returns online on the first successful probe.
 */

/**
 * When the probe after a failed one is due: the first `dueMs + k × intervalMs` (k ≥ 1) after
 * `nowMs`, where `dueMs` is when the failed probe was due. Counting from the due time rather than
 * from `nowMs` keeps the probes on the cadence set by the switch to offline: a late timer or a
 * slow probe delays that one probe, not every later one (from `nowMs` the delays would add up); a
 * probe that took longer than the interval skips the slots it missed rather than probing again at
 * once. Never more than one interval after `nowMs` (in case the wall clock was set back).
 */
export function nextProbeAt(dueMs: number, nowMs: number, intervalMs: number): number {
  const k = Math.max(1, Math.floor((nowMs - dueMs) / intervalMs) + 1)
  return Math.min(dueMs + k * intervalMs, nowMs + intervalMs)
}

export const PROXY_MODES = ['online', 'hybrid', 'offline'] as const
export type ProxyMode = (typeof PROXY_MODES)[number]

/** Where frames go right now: upstream (`online`) or answered locally (`offline`). */
export type EffectiveState = 'online' | 'offline'

/** Outcome of one upstream exchange (a forwarded frame or a probe). */
export type UpstreamResult = 'ok' | 'timeout' | 'reset' | 'refused'

/** A global change of the effective state (one structured event each). */
export interface ModeTransition {
  /** UTC ISO-8601 instant. */
  readonly at: string
  readonly from: EffectiveState
  readonly to: EffectiveState
  readonly reason: string
  /** Consecutive failures after the change (the threshold going offline, 0 coming back). */
  readonly failCount: number
}

/** What to do with a forwarded frame once its upstream outcome is known. */
export type FrameDecision =
  /** Send the upstream's reply to the BOX. */
  | 'reply'
  /** Answer this one frame locally (hybrid). */
  | 'rescue'
  /** Leave the frame unanswered (online: as the real add-on does). */
  | 'unanswered'

export interface UpstreamOutcome {
  readonly decision: FrameDecision
  /** Consecutive failures after this result. */
  readonly failCount: number
  /** Set when this result switched the effective state. */
  readonly transition: ModeTransition | null
}

export interface HybridPolicyOptions {
  readonly mode: ProxyMode
  /** Consecutive failures that switch hybrid to offline (≥ 1; the add-on uses 1, its code 3). */
  readonly failThreshold: number
  /** Time between probes while hybrid is offline. */
  readonly retryIntervalMs: number
}

/** Transitions kept for `state()` (the event log has all of them). */
const MAX_HISTORY = 100

export class HybridPolicy {
  private configured: ProxyMode
  private effective: EffectiveState
  private fails = 0
  private probeAtMs: number | null = null
  private probing = false
  private readonly history: ModeTransition[] = []

  constructor(private readonly options: HybridPolicyOptions) {
    if (!Number.isInteger(options.failThreshold) || options.failThreshold < 1)
      throw new RangeError('failThreshold must be an integer ≥ 1')
    if (!(options.retryIntervalMs > 0)) throw new RangeError('retryIntervalMs must be > 0')
    this.configured = options.mode
    this.effective = options.mode === 'offline' ? 'offline' : 'online'
  }

  get mode(): ProxyMode {
    return this.configured
  }

  get state(): EffectiveState {
    return this.effective
  }

  get failCount(): number {
    return this.fails
  }

  get failThreshold(): number {
    return this.options.failThreshold
  }

  /** The last transitions (at most 100), oldest first. */
  get transitions(): readonly ModeTransition[] {
    return this.history
  }

  /** When the next probe is due (hybrid offline only), else null. */
  get nextProbeAtMs(): number | null {
    return this.probeAtMs
  }

  /** Where a BOX frame arriving now goes. */
  route(): 'forward' | 'local' {
    return this.effective === 'online' ? 'forward' : 'local'
  }

  /** Applies the upstream outcome of one forwarded frame and says what to do with the frame. */
  onUpstreamResult(result: UpstreamResult, nowMs: number): UpstreamOutcome {
    if (this.configured === 'online') {
      if (result === 'ok') this.fails = 0
      else this.fails++
      const decision = result === 'ok' ? 'reply' : 'unanswered'
      return { decision, failCount: this.fails, transition: null }
    }
    if (result === 'ok') {
      // A late success of a frame forwarded before the switch is no probe: it does not end offline.
      if (this.effective === 'online') this.fails = 0
      return { decision: 'reply', failCount: this.fails, transition: null }
    }
    if (this.effective === 'offline' || this.configured === 'offline') {
      return { decision: 'rescue', failCount: this.fails, transition: null }
    }
    this.fails++
    let transition: ModeTransition | null = null
    if (this.fails >= this.options.failThreshold) {
      transition = this.switchTo(
        'offline',
        `${this.fails} consecutive upstream failures (last: ${result})`,
        nowMs,
      )
      this.probeAtMs = nowMs + this.options.retryIntervalMs
    }
    return { decision: 'rescue', failCount: this.fails, transition }
  }

  /** Whether a probe should start now (hybrid offline, interval elapsed, none running). */
  probeDue(nowMs: number): boolean {
    return (
      this.configured === 'hybrid' &&
      this.effective === 'offline' &&
      !this.probing &&
      this.probeAtMs !== null &&
      nowMs >= this.probeAtMs
    )
  }

  /** Marks a probe as running (so that only one runs at a time). */
  startProbe(): void {
    this.probing = true
  }

  /**
   * Applies a probe's outcome: success returns online and resets the count; failure waits for the
   * next probe on the cadence of the switch (nextProbeAt).
   */
  onProbeResult(result: UpstreamResult, nowMs: number): ModeTransition | null {
    this.probing = false
    if (this.configured !== 'hybrid' || this.effective !== 'offline') return null
    if (result !== 'ok') {
      this.probeAtMs = nextProbeAt(this.probeAtMs ?? nowMs, nowMs, this.options.retryIntervalMs)
      return null
    }
    this.fails = 0
    this.probeAtMs = null
    return this.switchTo('online', 'probe succeeded', nowMs)
  }

  /** Changes the configured mode at runtime; returns the transition when the state changes. */
  setMode(mode: ProxyMode, nowMs: number): ModeTransition | null {
    this.configured = mode
    this.fails = 0
    this.probing = false
    this.probeAtMs = null
    const to: EffectiveState = mode === 'offline' ? 'offline' : 'online'
    return to === this.effective ? null : this.switchTo(to, `mode set to ${mode}`, nowMs)
  }

  private switchTo(to: EffectiveState, reason: string, nowMs: number): ModeTransition {
    const t: ModeTransition = {
      at: new Date(nowMs).toISOString(),
      from: this.effective,
      to,
      reason,
      failCount: this.fails,
    }
    this.effective = to
    this.history.push(t)
    if (this.history.length > MAX_HISTORY) this.history.shift()
    return t
  }
}
