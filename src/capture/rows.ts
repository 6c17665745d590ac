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
  if (Object.hasOwn(DIRECTIONS, direction)) return DIRECTIONS[direction]!
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
  /** The DB's `table_name`: a pairing hint only, never used to classify (PROTOCOL.md §6). */
  readonly tableName: string | null
  /** The frame as text (bytes that are not UTF-8 shown as U+FFFD). */
  readonly raw: string
  /** The frame's bytes when `raw` does not stand for them (a non-UTF-8 `raw_b64` or BLOB). */
  readonly bytes?: Uint8Array
  readonly direction: string | null
  readonly connId: number | null
}

/**
 * A row of the lean first pass (lean-scan.ts): what session splitting needs, without the frame.
 * Only for rows with a conn_id and a known, non-relaying direction; `id` is the rowid.
 */
export interface LeanRow {
  readonly lean: true
  readonly id: number
  readonly ts: string | null
  readonly tsMs: number | null
  readonly direction: string
  readonly connId: number
  /** The frame may be of the class the scan looked for (see LeanFlag); false: it is not. */
  readonly flagged: boolean
  /**
   * The frame text, when the scan carried it (LeanFlag `frames`): then the frame is classified from
   * it (session-frame.ts), though the row stays lean (no CRC check, no text kept).
   */
  readonly raw?: string
  /** `raw` is one of the scan's constant frames (the very same string each time it occurs). */
  readonly constant?: boolean
}

const TS_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/

/**
 * Parses a capture `ts` (UTC ISO-8601, `T` or space, optional fraction up to ns, optional `Z` or
 * offset; no zone means UTC) to epoch milliseconds with a sub-millisecond fraction.
 */
export function parseCaptureTs(ts: string | null | undefined): number | null {
  if (ts === null || ts === undefined) return null
  const fast = parseCanonicalTs(ts)
  if (fast !== null) return fast
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
  if (frac !== undefined) ms += Number(frac) / 10 ** (frac.length - 3)
  const zone = m[8]
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000
  }
  return ms
}

let cachedDay = ''
let cachedDayMs = 0

/** The number of the two ASCII digits at ts[at, at+2), or -1. */
function twoDigits(ts: string, at: number): number {
  const a = ts.charCodeAt(at) - 48
  const b = ts.charCodeAt(at + 1) - 48
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1
}

/**
 * Fast path for the add-on's own layout `YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00`: the date is
 * converted once and cached (consecutive rows share it), time and fraction are read by hand.
 * Returns null for anything else, which then takes the general path.
 */
function parseCanonicalTs(ts: string): number | null {
  const len = ts.length
  if (len < 25 || ts.charCodeAt(10) !== 84 /* T */ || !ts.endsWith('+00:00')) return null
  if (ts.charCodeAt(13) !== 58 || ts.charCodeAt(16) !== 58) return null
  const h = twoDigits(ts, 11)
  const mi = twoDigits(ts, 14)
  const sec = twoDigits(ts, 17)
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return null
  const day = ts.slice(0, 10)
  let base: number
  if (day === cachedDay) base = cachedDayMs
  else {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
    if (!m) return null
    const [y, mo, d] = [+m[1]!, +m[2]!, +m[3]!]
    base = Date.UTC(y, mo - 1, d)
    const check = new Date(base)
    // Date.UTC rolls Feb 30 over into March: such a ts is garbage (and years < 100 mean 19xx).
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d)
      return null
    if (y < 100) return null
    cachedDay = day
    cachedDayMs = base
  }
  base += h * 3_600_000 + mi * 60_000 + sec * 1000
  if (len === 25) return base
  if (ts.charCodeAt(19) !== 46 /* . */) return null
  const frac = fractionMs(ts, 20, len - 6)
  if (frac === null) return null
  return base + frac
}

/** Divisor of a fraction of n digits into milliseconds: 10 ** (n - 3), computed once. */
const FRACTION_DIVISORS = Array.from({ length: 10 }, (_, n) => 10 ** (n - 3))

/** Milliseconds of the decimal fraction digits ts[from, to) (1–9 digits), exact to the digit. */
function fractionMs(ts: string, from: number, to: number): number | null {
  const digits = to - from
  if (digits < 1 || digits > 9) return null
  let n = 0
  for (let i = from; i < to; i++) {
    const c = ts.charCodeAt(i) - 48
    if (c < 0 || c > 9) return null
    n = n * 10 + c
  }
  return n / FRACTION_DIVISORS[digits]!
}
