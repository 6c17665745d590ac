/**
 * Mergeable latency summaries: counts in log-spaced buckets (16 per doubling, ~4.4 % wide, from
 * 0.01 ms), plus exact min and max. Merging two summaries is exact, so derives over separate DBs
 * merge into the same figures as one derive over all of them.
 */

/** Lower edge of bucket 1 in ms; bucket 0 holds everything at or below it (incl. 0 ms). */
export const HISTOGRAM_MIN_MS = 0.01
/** Buckets per doubling. */
export const BUCKETS_PER_OCTAVE = 16

export interface LatencyHistogram {
  /** Number of values. */
  n: number
  /** Smallest and largest value (ms), null when empty. */
  min: number | null
  max: number | null
  /** Bucket index → count; bucket i (i ≥ 1) covers (MIN·2^((i-1)/16), MIN·2^(i/16)] ms. */
  buckets: Record<string, number>
}

export function emptyHistogram(): LatencyHistogram {
  return { n: 0, min: null, max: null, buckets: {} }
}

/** Bucket index of a value in ms. */
export function bucketOf(ms: number): number {
  if (!(ms > HISTOGRAM_MIN_MS)) return 0
  return Math.ceil(Math.log2(ms / HISTOGRAM_MIN_MS) * BUCKETS_PER_OCTAVE - 1e-9)
}

/** Upper edge of a bucket in ms. */
export function bucketUpper(index: number): number {
  return index <= 0 ? HISTOGRAM_MIN_MS : HISTOGRAM_MIN_MS * 2 ** (index / BUCKETS_PER_OCTAVE)
}

export function addValue(h: LatencyHistogram, ms: number): void {
  const v = Math.max(0, ms)
  h.n++
  h.min = h.min === null ? v : Math.min(h.min, v)
  h.max = h.max === null ? v : Math.max(h.max, v)
  const key = String(bucketOf(v))
  h.buckets[key] = (h.buckets[key] ?? 0) + 1
}

/** Merges `b` into a new histogram (exact). */
export function mergeHistograms(a: LatencyHistogram, b: LatencyHistogram): LatencyHistogram {
  const buckets: Record<string, number> = { ...a.buckets }
  for (const [k, v] of Object.entries(b.buckets)) buckets[k] = (buckets[k] ?? 0) + v
  return {
    n: a.n + b.n,
    min: a.min === null ? b.min : b.min === null ? a.min : Math.min(a.min, b.min),
    max: a.max === null ? b.max : b.max === null ? a.max : Math.max(a.max, b.max),
    buckets: sortBuckets(buckets),
  }
}

export function sortBuckets(buckets: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(buckets).sort(([a], [b]) => Number(a) - Number(b)))
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000

/**
 * Nearest-rank percentile from the buckets: the upper edge of the bucket holding the ⌈q·n⌉-th
 * value, clamped to [min, max]. Within one bucket width (~4.4 %) of the exact value.
 */
export function percentile(h: LatencyHistogram, q: number): number | null {
  if (h.n === 0 || h.min === null || h.max === null) return null
  const rank = Math.max(1, Math.ceil(q * h.n))
  let seen = 0
  for (const [k, count] of Object.entries(sortBuckets(h.buckets))) {
    seen += count
    if (seen >= rank) return round3(Math.min(h.max, Math.max(h.min, bucketUpper(Number(k)))))
  }
  return round3(h.max)
}

export interface LatencyStats {
  n: number
  min: number | null
  p50: number | null
  p95: number | null
  p99: number | null
  max: number | null
}

export function latencyStats(h: LatencyHistogram): LatencyStats {
  return {
    n: h.n,
    min: h.min === null ? null : round3(h.min),
    p50: percentile(h, 0.5),
    p95: percentile(h, 0.95),
    p99: percentile(h, 0.99),
    max: h.max === null ? null : round3(h.max),
  }
}

/** The documented tolerance rule (README "Contract"): [0, max(2·p99, max) + slack]. */
export const TOLERANCE_RULE =
  'toleranceMs = [0, max(2 × p99, max) + 250 ms]: a reply may be faster than any observed, and as slow as twice the 99th percentile or the slowest observed reply, plus 250 ms of scheduling slack (captures with whole-second timestamps give 0 ms latencies)'

export const TOLERANCE_SLACK_MS = 250

export function toleranceWindow(stats: LatencyStats): { minMs: number; maxMs: number } | null {
  if (stats.n === 0 || stats.p99 === null || stats.max === null) return null
  return { minMs: 0, maxMs: round3(Math.max(2 * stats.p99, stats.max) + TOLERANCE_SLACK_MS) }
}
