/**
 * Czech civil time (CET = UTC+1, CEST = UTC+2) computed from UTC by the EU rule, without the host's
 * time zone data: summer time runs from the last Sunday of March 01:00 UTC to the last Sunday of
 * October 01:00 UTC (PROTOCOL.md §2: `Time`, `Rdt`, BOX `DT` are Czech time; `UTCTime`, `TSec` UTC).
 */

function lastSundayUtc(year: number, month: number): number {
  // month is 0-based; day 0 of the next month is the last day of this one.
  const last = new Date(Date.UTC(year, month + 1, 0))
  const day = last.getUTCDate() - last.getUTCDay()
  return Date.UTC(year, month, day, 1, 0, 0)
}

/** UTC offset of Czech civil time at a UTC instant, in hours (1 or 2). */
export function czechOffsetHours(utcMs: number): 1 | 2 {
  const year = new Date(utcMs).getUTCFullYear()
  const start = lastSundayUtc(year, 2)
  const end = lastSundayUtc(year, 9)
  return utcMs >= start && utcMs < end ? 2 : 1
}

const pad2 = (n: number): string => String(n).padStart(2, '0')

interface Parts {
  y: number
  mo: number
  d: number
  h: number
  mi: number
  s: number
}

function partsOf(ms: number): Parts {
  const t = new Date(ms)
  return {
    y: t.getUTCFullYear(),
    mo: t.getUTCMonth() + 1,
    d: t.getUTCDate(),
    h: t.getUTCHours(),
    mi: t.getUTCMinutes(),
    s: t.getUTCSeconds(),
  }
}

function isoLike(p: Parts): string {
  return `${p.y}-${pad2(p.mo)}-${pad2(p.d)} ${pad2(p.h)}:${pad2(p.mi)}:${pad2(p.s)}`
}

/** UTC as the protocol prints it: `YYYY-MM-DD HH:MM:SS` (`UTCTime`, `TSec`). */
export function formatUtc(utcMs: number): string {
  return isoLike(partsOf(utcMs))
}

/** Czech civil time as `YYYY-MM-DD HH:MM:SS` (`Time`, `Rdt`, BOX `DT`). */
export function formatCzech(utcMs: number): string {
  return isoLike(partsOf(utcMs + czechOffsetHours(utcMs) * 3_600_000))
}

/** Czech civil time as a cloud Setting's `DT`: `DD.MM.YYYY H:MM:SS`, hour not zero-padded. */
export function formatCzechSettingDt(utcMs: number): string {
  const p = partsOf(utcMs + czechOffsetHours(utcMs) * 3_600_000)
  return `${pad2(p.d)}.${pad2(p.mo)}.${p.y} ${p.h}:${pad2(p.mi)}:${pad2(p.s)}`
}

/**
 * Converts a Czech civil `YYYY-MM-DD HH:MM:SS` back to UTC ms. In the repeated autumn hour the
 * earlier (CEST) reading is taken; a time in the skipped spring hour maps as CET. Returns null on
 * text that is not such a timestamp.
 */
export function parseCzech(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{1,2}):(\d{2}):(\d{2})$/.exec(text)
  if (!m) return null
  const asUtc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
  for (const offset of [2, 1] as const) {
    const candidate = asUtc - offset * 3_600_000
    if (czechOffsetHours(candidate) === offset) return candidate
  }
  return asUtc - 3_600_000
}
