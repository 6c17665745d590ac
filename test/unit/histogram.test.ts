import { describe, expect, it } from 'vitest'
import {
  addValue,
  bucketOf,
  bucketUpper,
  emptyHistogram,
  latencyStats,
  mergeHistograms,
  percentile,
  toleranceWindow,
  TOLERANCE_SLACK_MS,
} from '../../src/contract/histogram.js'

function hist(values: number[]) {
  const h = emptyHistogram()
  for (const v of values) addValue(h, v)
  return h
}

describe('latency histogram', () => {
  it('puts every value at or below its bucket upper edge and above the previous one', () => {
    for (const v of [0.011, 0.5, 1, 4, 9.99, 10, 17.59, 28.199, 1071.993, 17165.762, 3_600_000]) {
      const b = bucketOf(v)
      expect(v).toBeLessThanOrEqual(bucketUpper(b) * (1 + 1e-12))
      expect(v).toBeGreaterThan(bucketUpper(b - 1))
    }
    expect(bucketOf(0)).toBe(0)
    expect(bucketOf(-5)).toBe(0)
  })

  it('gives percentiles within one bucket width (~4.4 %) of the exact value', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 4 + ((i * 7919) % 1000) / 20)
    const sorted = [...values].sort((a, b) => a - b)
    const h = hist(values)
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!
      const p = percentile(h, q)!
      expect(p).toBeGreaterThanOrEqual(exact - 1e-9)
      expect(p / exact).toBeLessThan(1.045)
    }
    expect(latencyStats(h)).toMatchObject({ n: 1000, min: 4, max: sorted[999] })
  })

  it('merges exactly: merging parts equals the histogram of all values', () => {
    const a = [5, 12.5, 30, 3000]
    const b = [0, 17.2, 17.3, 250]
    expect(mergeHistograms(hist(a), hist(b))).toEqual(
      mergeHistograms(hist([...a, ...b]), emptyHistogram()),
    )
    expect(latencyStats(mergeHistograms(hist(a), hist(b)))).toEqual(
      latencyStats(hist([...b, ...a])),
    )
  })

  it('has an empty summary for no values and a documented tolerance window otherwise', () => {
    expect(latencyStats(emptyHistogram())).toEqual({
      n: 0,
      min: null,
      p50: null,
      p95: null,
      p99: null,
      max: null,
    })
    expect(toleranceWindow(latencyStats(emptyHistogram()))).toBeNull()
    const stats = latencyStats(hist([10, 20, 30]))
    expect(toleranceWindow(stats)).toEqual({
      minMs: 0,
      maxMs: Math.max(2 * stats.p99!, stats.max!) + TOLERANCE_SLACK_MS,
    })
  })
})
