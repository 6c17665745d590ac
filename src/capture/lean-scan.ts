/**
 * The lean first pass over a capture DB: per row only what session splitting needs (rowid, ts,
 * conn_id, direction) and one flag that SQLite computes from `raw` without handing it to
 * JavaScript. A page of rows comes back as one string (group_concat), which is several times
 * cheaper than one array per row. Any row that does not fit the lean grammar (no conn_id, an
 * unknown or relaying direction, a NULL `raw`) is read in full instead, so that nothing is guessed.
 */
import type Database from 'better-sqlite3'
import { parseCaptureTs, type CaptureRow, type LeanRow } from './rows.js'

/** What the flag of a lean row says: a possible cloud Setting, or a possible BOX poll. */
export type LeanFlag = 'setting' | 'poll' | 'none'

const PAGE_ROWS = 8192
const FS = '\x1f'
const RS = '\x1e'

/** Direction values a lean row may carry, by their code in the page string. */
const LEAN_DIRECTIONS = [
  'box_to_proxy',
  'cloud_to_proxy',
  'proxy_to_box',
  'box_to_cloud',
  'cloud_to_box',
] as const

/** SQL for the flag. `iif` evaluates `instr` only on the rows that can carry the class. */
function flagSql(flag: LeanFlag): string {
  switch (flag) {
    // A cloud.setting needs Reason=Setting (PROTOCOL.md §2); only frames towards the BOX are one.
    case 'setting':
      return `iif(direction = 'box_to_proxy' OR direction = 'box_to_cloud', 0, instr(raw, '<Reason>Setting</Reason>') > 0)`
    // A poll needs Result=IsNew…; only frames from the BOX are one.
    case 'poll':
      return `iif(direction = 'box_to_proxy' OR direction = 'box_to_cloud', instr(raw, '<Result>IsNew') > 0, 0)`
    case 'none':
      return '0'
  }
}

export interface LeanScanOptions {
  readonly flag: LeanFlag
  /** Reads rows in full (the normal reader's mapping) for rowids in [from, to]. */
  readonly fullRows: (from: number, to: number) => CaptureRow[]
}

/**
 * Streams every row in rowid order: a LeanRow where the lean grammar holds, else the CaptureRow of
 * the normal reader. Needs a table whose `id` is its rowid (checked by the caller).
 */
export function* leanRows(
  db: Database.Database,
  opts: LeanScanOptions,
): Generator<LeanRow | CaptureRow> {
  // A NULL ts, conn_id or raw makes the record NULL: it is then the bare rowid, which tells the
  // parser to read that row in full.
  const stmt = db
    .prepare(
      `SELECT group_concat(r, '${RS}'), count(*), min(rid), max(rid) FROM (
         SELECT rowid AS rid, ifnull(rowid || '${FS}' || ts || '${FS}' || conn_id || '${FS}' ||
           CASE direction ${LEAN_DIRECTIONS.map((d, i) => `WHEN '${d}' THEN ${i}`).join(' ')} ELSE 9 END
           || '${FS}' || ${flagSql(opts.flag)}, rowid) AS r
         FROM frames WHERE rowid > ? ORDER BY rowid LIMIT ${PAGE_ROWS})`,
    )
    .raw(true)
  let last: number = -Infinity
  for (;;) {
    const [text, count, min, max] = stmt.get(last) as [string | null, number, number, number]
    if (count === 0) return
    const page = text === null ? null : parsePage(text, count)
    if (page === null) {
      // Not lean-readable (a ts or conn_id holding the separators): read the page in full.
      yield* opts.fullRows(min, max)
    } else {
      const { rows, ids } = page
      for (let n = 0; n < count; n++) {
        const row = rows[n]
        if (row) {
          yield row
          continue
        }
        // A run of rows with an unknown or relaying direction: read them in full, in one query.
        let m = n
        while (m + 1 < count && !rows[m + 1]) m++
        const full = opts.fullRows(ids[n]!, ids[m]!)
        if (full.length !== m - n + 1 || full[0]?.id !== ids[n] || full.at(-1)?.id !== ids[m])
          throw new Error(`internal error: rows ${ids[n]}…${ids[m]} changed while reading`)
        yield* full
        n = m
      }
    }
    last = max
    if (count < PAGE_ROWS) return
  }
}

interface ParsedPage {
  /** Lean rows, null where the row must be read in full. */
  readonly rows: Array<LeanRow | null>
  readonly ids: number[]
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57

/**
 * Parses `rowid FS ts FS conn FS dir FS flag` records joined by RS; null when the text does not
 * follow that grammar exactly (a ts may hold FS or RS: then the whole page is read in full).
 */
function parsePage(text: string, count: number): ParsedPage | null {
  const rows = new Array<LeanRow | null>(count)
  const ids = new Array<number>(count)
  const len = text.length
  let pos = 0
  let prev = -1
  for (let n = 0; n < count; n++) {
    let rid = 0
    let i = pos
    while (i < len && isDigit(text.charCodeAt(i))) rid = rid * 10 + text.charCodeAt(i++) - 48
    if (i === pos || rid <= prev) return null
    prev = rid
    ids[n] = rid
    if (text.charCodeAt(i) !== 0x1f) {
      // The bare rowid of a row with a NULL ts, conn_id or raw.
      if (i === len ? n !== count - 1 : text.charCodeAt(i) !== 0x1e || n === count - 1) return null
      rows[n] = null
      pos = i + 1
      continue
    }
    const tsEnd = text.indexOf(FS, i + 1)
    if (tsEnd < 0) return null
    let conn = 0
    let j = tsEnd + 1
    const negative = text.charCodeAt(j) === 45
    if (negative) j++
    const connStart = j
    while (j < len && isDigit(text.charCodeAt(j))) conn = conn * 10 + text.charCodeAt(j++) - 48
    // conn_id must be an integer (a REAL or TEXT value takes the normal reader's path).
    const integral = j > connStart && j - connStart < 16 && text.charCodeAt(j) === 0x1f
    if (!integral) {
      const next = text.indexOf(FS, j)
      if (next < 0) return null
      j = next
    }
    const dir = text.charCodeAt(j + 1) - 48
    const flag = text.charCodeAt(j + 3)
    const end = j + 4
    if (text.charCodeAt(j + 2) !== 0x1f || (flag !== 48 && flag !== 49)) return null
    if (end !== len && text.charCodeAt(end) !== 0x1e) return null
    if (n === count - 1 ? end !== len : end === len) return null
    const direction = dir >= 0 && dir < LEAN_DIRECTIONS.length ? LEAN_DIRECTIONS[dir]! : null
    if (direction === null || !integral) {
      rows[n] = null
    } else {
      const ts = text.slice(i + 1, tsEnd)
      rows[n] = {
        lean: true,
        id: rid,
        ts,
        tsMs: parseCaptureTs(ts),
        direction,
        connId: negative ? -conn : conn,
        flagged: flag === 49,
      }
    }
    pos = end + 1
  }
  return { rows, ids }
}
