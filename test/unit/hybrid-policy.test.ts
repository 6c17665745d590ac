import { describe, expect, it } from 'vitest'
import { HybridPolicy, type UpstreamResult } from '../../src/targets/proxy/hybrid-policy.js'

const T0 = Date.UTC(2026, 1, 17, 8, 5, 13)

function hybrid(failThreshold = 3, retryIntervalMs = 60_000): HybridPolicy {
  return new HybridPolicy({ mode: 'hybrid', failThreshold, retryIntervalMs })
}

describe('HybridPolicy', () => {
  it('refuses a threshold below 1 and a non-positive retry interval', () => {
    expect(() => hybrid(0)).toThrow(RangeError)
    expect(() => hybrid(3, 0)).toThrow(RangeError)
  })

  describe('online mode', () => {
    it('forwards every frame and leaves a failed one unanswered without changing state', () => {
      const p = new HybridPolicy({ mode: 'online', failThreshold: 1, retryIntervalMs: 1000 })
      expect(p.route()).toBe('forward')
      for (const r of ['timeout', 'reset', 'refused'] as const) {
        const o = p.onUpstreamResult(r, T0)
        expect(o.decision).toBe('unanswered')
        expect(o.transition).toBeNull()
      }
      expect(p.state).toBe('online')
      expect(p.failCount).toBe(3)
      expect(p.onUpstreamResult('ok', T0)).toEqual({
        decision: 'reply',
        failCount: 0,
        transition: null,
      })
      expect(p.probeDue(T0 + 10_000)).toBe(false)
      expect(p.transitions).toEqual([])
    })
  })

  describe('offline mode', () => {
    it('answers locally and never probes', () => {
      const p = new HybridPolicy({ mode: 'offline', failThreshold: 3, retryIntervalMs: 1000 })
      expect(p.state).toBe('offline')
      expect(p.route()).toBe('local')
      expect(p.probeDue(T0 + 1e9)).toBe(false)
    })
  })

  describe('hybrid mode', () => {
    it('rescues a single failed frame, counts it and stays online', () => {
      const p = hybrid()
      const o = p.onUpstreamResult('timeout', T0)
      expect(o).toEqual({ decision: 'rescue', failCount: 1, transition: null })
      expect(p.state).toBe('online')
      expect(p.route()).toBe('forward')
    })

    it('resets the count on a success, so scattered failures never switch it', () => {
      const p = hybrid(3)
      const results: UpstreamResult[] = ['timeout', 'reset', 'ok', 'refused', 'timeout', 'ok']
      for (const r of results) p.onUpstreamResult(r, T0)
      expect(p.state).toBe('online')
      expect(p.failCount).toBe(0)
      expect(p.transitions).toEqual([])
    })

    it('switches to offline exactly once when consecutive failures reach the threshold', () => {
      const p = hybrid(3, 60_000)
      p.onUpstreamResult('timeout', T0)
      p.onUpstreamResult('reset', T0 + 1)
      const third = p.onUpstreamResult('refused', T0 + 2)
      expect(third.decision).toBe('rescue')
      expect(third.transition).toEqual({
        at: new Date(T0 + 2).toISOString(),
        from: 'online',
        to: 'offline',
        reason: '3 consecutive upstream failures (last: refused)',
        failCount: 3,
      })
      expect(p.route()).toBe('local')
      // In-flight frames failing after the switch are rescued but switch nothing more.
      expect(p.onUpstreamResult('timeout', T0 + 3).transition).toBeNull()
      expect(p.transitions).toHaveLength(1)
    })

    it('switches on the first failure with the add-on threshold of 1', () => {
      const p = hybrid(1)
      expect(p.onUpstreamResult('reset', T0).transition?.to).toBe('offline')
    })

    it('probes once per retry interval while offline and one at a time', () => {
      const p = hybrid(1, 60_000)
      p.onUpstreamResult('timeout', T0)
      expect(p.nextProbeAtMs).toBe(T0 + 60_000)
      expect(p.probeDue(T0 + 59_999)).toBe(false)
      expect(p.probeDue(T0 + 60_000)).toBe(true)
      p.startProbe()
      expect(p.probeDue(T0 + 60_001)).toBe(false)
      expect(p.onProbeResult('refused', T0 + 60_010)).toBeNull()
      expect(p.state).toBe('offline')
      expect(p.nextProbeAtMs).toBe(T0 + 120_000)
      expect(p.probeDue(T0 + 119_999)).toBe(false)
      expect(p.probeDue(T0 + 120_000)).toBe(true)
    })

    it('keeps the probes on the cadence of the switch, however late each one ran', () => {
      const p = hybrid(1, 60_000)
      p.onUpstreamResult('timeout', T0)
      // Each probe starts 4 s late and takes 1 s: the next one is still due on the cadence.
      for (let k = 1; k <= 8; k++) {
        expect(p.nextProbeAtMs).toBe(T0 + k * 60_000)
        p.startProbe()
        expect(p.onProbeResult('refused', T0 + k * 60_000 + 5000)).toBeNull()
      }
      expect(p.nextProbeAtMs).toBe(T0 + 9 * 60_000)
    })

    it('skips the slots a probe longer than the interval missed, instead of probing at once', () => {
      const p = hybrid(1, 1000)
      p.onUpstreamResult('timeout', T0)
      p.startProbe()
      expect(p.onProbeResult('timeout', T0 + 3500)).toBeNull()
      expect(p.nextProbeAtMs).toBe(T0 + 4000)
      p.startProbe()
      // A result exactly on a slot: that slot is now, so the next one is an interval later.
      expect(p.onProbeResult('refused', T0 + 5000)).toBeNull()
      expect(p.nextProbeAtMs).toBe(T0 + 6000)
    })

    it('waits at most one interval after a failed probe when the wall clock was set back', () => {
      const p = hybrid(1, 60_000)
      p.onUpstreamResult('timeout', T0)
      p.startProbe()
      expect(p.onProbeResult('refused', T0 - 3_600_000)).toBeNull()
      expect(p.nextProbeAtMs).toBe(T0 - 3_540_000)
    })

    it('returns online once on a successful probe and resets the count', () => {
      const p = hybrid(2, 1000)
      p.onUpstreamResult('timeout', T0)
      p.onUpstreamResult('timeout', T0)
      p.startProbe()
      const back = p.onProbeResult('ok', T0 + 1000)
      expect(back).toEqual({
        at: new Date(T0 + 1000).toISOString(),
        from: 'offline',
        to: 'online',
        reason: 'probe succeeded',
        failCount: 0,
      })
      expect(p.state).toBe('online')
      expect(p.failCount).toBe(0)
      expect(p.nextProbeAtMs).toBeNull()
      expect(p.transitions.map((t) => t.to)).toEqual(['offline', 'online'])
      // A stale probe result after the return changes nothing.
      expect(p.onProbeResult('ok', T0 + 2000)).toBeNull()
      // One failure after recovery is a per-frame rescue again, not a switch.
      expect(p.onUpstreamResult('timeout', T0 + 3000).transition).toBeNull()
    })

    it('does not leave offline on a late success of a frame forwarded before the switch', () => {
      const p = hybrid(1)
      p.onUpstreamResult('timeout', T0)
      expect(p.onUpstreamResult('ok', T0 + 1)).toEqual({
        decision: 'reply',
        failCount: 1,
        transition: null,
      })
      expect(p.state).toBe('offline')
    })
  })

  describe('setMode', () => {
    it('changes the configured mode at runtime and reports a state change', () => {
      const p = hybrid(1)
      p.onUpstreamResult('timeout', T0)
      expect(p.setMode('hybrid', T0 + 5)?.to).toBe('online')
      expect(p.failCount).toBe(0)
      expect(p.setMode('online', T0 + 6)).toBeNull()
      expect(p.setMode('offline', T0 + 7)).toMatchObject({
        from: 'online',
        to: 'offline',
        reason: 'mode set to offline',
      })
      expect(p.mode).toBe('offline')
      expect(p.route()).toBe('local')
    })
  })
})
