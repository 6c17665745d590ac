/**
 * Runs the hybrid policy's probes while it is offline: one connect-only probe when the policy
 * says one is due (every retry interval), never two at once, none after stop().
 */
import type { HybridPolicy, ModeTransition, UpstreamResult } from './hybrid-policy.js'
import { probeUpstream, type Endpoint } from './upstream.js'

export class UpstreamProber {
  private timer: NodeJS.Timeout | null = null
  private stopped = false

  constructor(
    private readonly policy: HybridPolicy,
    private readonly upstream: Endpoint | null,
    private readonly timeoutMs: number,
    private readonly onProbe: (result: UpstreamResult) => void,
    private readonly onTransition: (t: ModeTransition) => void,
  ) {}

  /** Arms the timer for the policy's next probe (no-op when none is due or one is armed). */
  schedule(): void {
    const due = this.policy.nextProbeAtMs
    if (this.stopped || this.timer || due === null || this.upstream === null) return
    const upstream = this.upstream
    this.timer = setTimeout(
      () => {
        this.timer = null
        if (!this.policy.probeDue(Date.now())) return this.schedule()
        this.policy.startProbe()
        void probeUpstream(upstream, this.timeoutMs).then((result) => {
          if (this.stopped) return
          this.onProbe(result)
          const t = this.policy.onProbeResult(result, Date.now())
          if (t) this.onTransition(t)
          else this.schedule()
        })
      },
      Math.max(0, due - Date.now()),
    )
  }

  /** Drops an armed probe (the policy was reset); schedule() may arm a new one. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  stop(): void {
    this.stopped = true
    this.cancel()
  }
}
