/**
 * Capture rows as oigctl sees them, independent of the DB schema variant (PROTOCOL.md §6).
 * Pure: mapping of direction vocabularies and timestamp parsing.
 */

/** Who sent a frame: the BOX, the cloud, or the proxy itself (local replies, GetActual pushes). */
export type Origin = 'box' | 'cloud' | 'proxy'

/** Where a frame went: to the BOX, or to the cloud. */
export type Destination = 'box' | 'cloud'

/** Which direction vocabulary a row used: the older add-on's, the newer one's, or none. */
export type DirectionVocabulary = 'proxy' | 'direct' | 'none'

export interface DirectionInfo {
  readonly origin: Origin
  readonly destination: Destination
  readonly vocabulary: DirectionVocabulary
}

const DIRECTIONS: Readonly<Record<string, DirectionInfo>> = {
  box_to_proxy: { origin: 'box', destination: 'cloud', vocabulary: 'proxy' },
  cloud_to_proxy: { origin: 'cloud', destination: 'box', vocabulary: 'proxy' },
  proxy_to_box: { origin: 'proxy', destination: 'box', vocabulary: 'proxy' },
  proxy_to_cloud: { origin: 'proxy', destination: 'cloud', vocabulary: 'proxy' },
  box_to_cloud: { origin: 'box', destination: 'cloud', vocabulary: 'direct' },
  cloud_to_box: { origin: 'cloud', destination: 'box', vocabulary: 'direct' },
}

/** Maps a `direction` value of either vocabulary; null for NULL or an unknown value. */
export function mapDirection(direction: string | null | undefined): DirectionInfo | null {
  if (direction === null || direction === undefined) return null
  const key = direction.trim().toLowerCase()
  // Own keys only: 'constructor' or 'toString' must not resolve to Object.prototype members.
  return Object.hasOwn(DIRECTIONS, key) ? DIRECTIONS[key]! : null
}

/** One row of a capture, normalised. Optional columns absent from the schema are null. */
export interface CaptureRow {
  readonly id: number
  /** `ts` as stored (UTC ISO-8601, with or without microseconds), or null. */
  readonly ts: string | null
  /** `ts` as epoch milliseconds with the microsecond fraction, or null when absent/unparseable. */
  readonly tsMs: number | null
  readonly deviceId: string | null
  /** The DB's `table_name`: a pairing hint only, never used to classify (PROTOCOL.md §6). */
  readonly tableName: string | null
  readonly raw: string
  readonly direction: string | null
  readonly connId: number | null
  readonly peer: string | null
  readonly length: number | null
}

const TS_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * Parses a capture `ts` (UTC ISO-8601, `T` or space, optional fraction up to ns, optional `Z` or
 * offset; no zone means UTC) to epoch milliseconds with a sub-millisecond fraction.
 */
export function parseCaptureTs(ts: string | null | undefined): number | null {
  if (ts === null || ts === undefined) return null
  const m = TS_RE.exec(ts.trim())
  if (!m) return null
  let ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
  // Date.UTC rolls out-of-range fields over (month 13, Feb 30, 24:00); such a ts is garbage.
  const check = new Date(ms)
  if (
    Number.isNaN(ms) ||
    check.getUTCFullYear() !== +m[1]! ||
    check.getUTCMonth() !== +m[2]! - 1 ||
    check.getUTCDate() !== +m[3]! ||
    check.getUTCHours() !== +m[4]! ||
    check.getUTCMinutes() !== +m[5]! ||
    check.getUTCSeconds() !== +m[6]!
  ) {
    return null
  }
  const frac = m[7]
  if (frac !== undefined) ms += Number(`0.${frac}`) * 1000
  const zone = m[8]
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000
  }
  return ms
}
