/**
 * The lean first pass over a capture DB: per row only what session splitting needs (rowid, ts,
 * conn_id, direction) and one flag that SQLite computes from `raw` without handing it to
 * JavaScript. A page of rows comes back as one string (group_concat), which is several times
 * cheaper than one array per row. Any row that does not fit the lean grammar (no conn_id, an
 * unknown or relaying direction, a NULL `raw`) is read in full instead, so that nothing is guessed.
 *
 * The `frames` scan (contract derive) carries the frame text in the page as well, except for the
 * cloud's constant replies, which SQLite names by number (about half of a capture's rows).
 */
import type Database from 'better-sqlite3'
import { CLOUD_CONSTANT_FRAMES } from '../protocol/cloud-frames.js'
import { parseCaptureTs, type CaptureRow, type LeanRow } from './rows.js'

/**
 * What the flag of a lean row says: a possible cloud Setting, or a possible BOX poll. `frames`:
 * no flag, the row carries its frame text instead (LeanRow.raw).
 */
export type LeanFlag = 'setting' | 'poll' | 'none' | 'frames'

/**
 * Frames the `frames` scan names by their index instead of carrying them: the cloud's fixed replies
 * exactly as sent (CRLF-terminated). A row's text equal to one of them is that very string.
 */
const CONSTANT_FRAMES = CLOUD_CONSTANT_FRAMES

const PAGE_ROWS = 8192
/**
 * Rows a page of the `frames` scan holds: its string (~300 bytes a row) stays under V8's large
 * object size, so that a page is young garbage, not old space that only a full GC frees.
 */
const FRAMES_PAGE_ROWS = 320
/** The separators of a page string: between the fields of a row, and between rows. */
export const FS = '\x1f'
export const RS = '\x1e'

/** Direction values a lean row may carry, by their code in the page string. */
export const LEAN_DIRECTIONS = [
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
      return `iif(direction = 'box_to_proxy' COLLATE BINARY OR direction = 'box_to_cloud' COLLATE BINARY, 0, instr(raw, '<Reason>Setting</Reason>') > 0)`
    // A poll needs Result=IsNew…; only frames from the BOX are one.
    case 'poll':
      return `iif(direction = 'box_to_proxy' COLLATE BINARY OR direction = 'box_to_cloud' COLLATE BINARY, instr(raw, '<Result>IsNew') > 0, 0)`
    case 'none':
      return '0'
    // The constant's index after a `k`, or the text's length in bytes and the text (see parsePage).
    case 'frames':
      // COLLATE BINARY: a column declared NOCASE or RTRIM must not make a constant of other text.
      return `CASE raw COLLATE BINARY ${CONSTANT_FRAMES.map((c, i) => `WHEN ${sqlText(c)} THEN 'k${i}'`).join(' ')}
        ELSE octet_length(raw) || '${FS}' || raw END`
  }
}

/**
 * A copy of a string that holds on to nothing else. A ts, table or text of a lean row is a slice of
 * a page of the scan (megabytes) and keeps the whole page alive while it is referenced: whatever
 * outlives a session (a citation, a table name in the contract state) is kept as a copy.
 */
export function detached(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le')
}

/**
 * Names (table names) as kept copies (see detached), the first 1,024 distinct ones interned: a
 * capture has a handful, and a hostile one with a new name in every frame does not grow the map.
 */
export class KeptNames {
  private readonly known = new Map<string, string>()
  kept(name: string | null): string | null {
    if (name === null) return null
    const known = this.known.get(name)
    if (known !== undefined) return known
    const copy = detached(name)
    if (this.known.size < 1024) this.known.set(copy, copy)
    return copy
  }
}

/**
 * Rows a scan read in full for rowids [from, to] (`count` of them, when the page named each),
 * checked to be the ones its page named: the page and those rows are read in one transaction, so
 * anything else is a bug.
 */
export function checkedRows(
  rows: CaptureRow[],
  from: number,
  to: number,
  count: number | null,
): CaptureRow[] {
  if ((count !== null && rows.length !== count) || rows[0]?.id !== from || rows.at(-1)?.id !== to)
    throw new Error(`internal error: rows ${from}…${to} changed while reading`)
  return rows
}

/** A JavaScript string as an SQL string literal. */
function sqlText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

/**
 * The ts of a record: in the `frames` scan its length in bytes first, so that the page parser can
 * tell where it ends whatever it holds; a ts or raw that is not TEXT makes the record NULL there
 * (read in full: numbers are rendered differently by SQLite and JavaScript, a BLOB is bytes).
 */
function recordSql(flag: LeanFlag): string {
  const tail = `conn_id || '${FS}' ||
           CASE direction COLLATE BINARY ${LEAN_DIRECTIONS.map((d, i) => `WHEN '${d}' THEN ${i}`).join(' ')} ELSE 9 END
           || '${FS}' || ${flagSql(flag)}`
  if (flag !== 'frames') return `rowid || '${FS}' || ts || '${FS}' || ${tail}`
  return `iif(${FRAMES_TEXT_SQL}, rowid || '${FS}' || octet_length(ts) || '${FS}' || ${tail}, NULL)`
}

/**
 * When a row of the `frames` scan is lean (its record not NULL). Its ts then comes in a page of its
 * own (a lean frame's ts is a slice of that small page, not of the page of frame texts).
 */
const FRAMES_TEXT_SQL = `typeof(ts) = 'text' AND typeof(raw) = 'text' AND conn_id IS NOT NULL`

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
  const pageRows = opts.flag === 'frames' ? FRAMES_PAGE_ROWS : PAGE_ROWS
  // A NULL ts, conn_id or raw makes the record NULL: it is then the bare rowid, which tells the
  // parser to read that row in full.
  const frames = opts.flag === 'frames'
  const stmt = db
    .prepare(
      `SELECT group_concat(r, '${RS}'), count(*), min(rid), max(rid),
         ${frames ? `group_concat(t, '${RS}')` : 'NULL'} FROM (
         SELECT rowid AS rid, ifnull(${recordSql(opts.flag)}, rowid) AS r,
           ${frames ? `iif(${FRAMES_TEXT_SQL}, ts, NULL)` : 'NULL'} AS t
         FROM frames WHERE rowid > ? ORDER BY rowid LIMIT ${pageRows})`,
    )
    .raw(true)
  type Page = { rows: Array<LeanRow | CaptureRow>; count: number; last: number } | null
  /**
   * A page. One that has rows to read in full is read again, with those rows, in one read
   * transaction before any of its rows is handed out: a row another program deletes or changes
   * meanwhile is read as it was. (A page of lean rows alone is one statement.)
   */
  const pageAfter = (after: number, inTransaction: boolean): Page => {
    const [text, count, min, max, times] = stmt.get(after) as [
      string | null,
      number,
      number,
      number,
      string | null,
    ]
    if (count === 0) return null
    const page = text === null ? null : parsePage(text, count, frames ? (times ?? '') : null)
    if (!inTransaction && (page === null || page.rows.includes(null)))
      return inTransactionAfter(after)
    // Not lean-readable (a ts or conn_id holding the separators): read the page in full.
    if (page === null) return { rows: opts.fullRows(min, max), count, last: max }
    const out: Array<LeanRow | CaptureRow> = []
    const { rows, ids } = page
    for (let n = 0; n < count; n++) {
      const row = rows[n]
      if (row) {
        out.push(row)
        continue
      }
      // A run of rows with an unknown or relaying direction: read them in full, in one query.
      let m = n
      while (m + 1 < count && !rows[m + 1]) m++
      out.push(...checkedRows(opts.fullRows(ids[n]!, ids[m]!), ids[n]!, ids[m]!, m - n + 1))
      n = m
    }
    return { rows: out, count, last: max }
  }
  const inTransactionAfter = db.transaction((after: number): Page => pageAfter(after, true))
  let last: number = -Infinity
  for (;;) {
    const page = pageAfter(last, false)
    if (page === null) return
    yield* page.rows
    last = page.last
    if (page.count < pageRows) return
  }
}

interface ParsedPage {
  /** Lean rows, null where the row must be read in full. */
  readonly rows: Array<LeanRow | null>
  readonly ids: number[]
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57

/** Digits at `text[from…]` as a number, and where they end (`end === from`: none). */
export function digitsAt(text: string, from: number): { value: number; end: number } {
  let value = 0
  let i = from
  while (i < text.length && isDigit(text.charCodeAt(i)))
    value = value * 10 + text.charCodeAt(i++) - 48
  return { value, end: i }
}

/**
 * Where a field of `bytes` UTF-8 bytes that starts at `from` ends, when the separator `sep` comes
 * right after it and not before; -1 otherwise. A string never has more UTF-16 units than its
 * UTF-8 bytes, so a field that holds any non-ASCII char (or `sep`) is caught here: its window
 * then runs past the separator.
 */
export function fieldEnd(text: string, from: number, bytes: number, sep: string): number {
  const end = from + bytes
  const next = text.indexOf(sep, from)
  return next === end || (next < 0 && end === text.length) ? end : -1
}

/**
 * Parses `rowid FS ts FS conn FS dir FS flag` records joined by RS (the `frames` scan, with the ts
 * of its lean rows in `times`, joined by RS: `rowid FS tsBytes FS conn FS dir FS body`, body `k` +
 * a constant's index or `rawBytes FS raw`); null when the text does not follow that grammar exactly
 * (a ts or raw may hold FS or RS: then the whole page is read in full).
 */
function parsePage(text: string, count: number, times: string | null): ParsedPage | null {
  const frames = times !== null
  let timeAt = 0
  const rows = new Array<LeanRow | null>(count)
  const ids = new Array<number>(count)
  const len = text.length
  let pos = 0
  let prev = -1
  for (let n = 0; n < count; n++) {
    const last = n === count - 1
    let rid = 0
    let i = pos
    while (i < len && isDigit(text.charCodeAt(i))) rid = rid * 10 + text.charCodeAt(i++) - 48
    if (i === pos || rid <= prev) return null
    prev = rid
    ids[n] = rid
    if (text.charCodeAt(i) !== 0x1f) {
      // The bare rowid of a row with a NULL ts, conn_id or raw.
      if (i === len ? !last : text.charCodeAt(i) !== 0x1e || last) return null
      rows[n] = null
      pos = i + 1
      continue
    }
    let ts: string
    let j: number
    if (times !== null) {
      const bytes = digitsAt(text, i + 1)
      if (bytes.end === i + 1 || text.charCodeAt(bytes.end) !== 0x1f) return null
      const tsEnd = fieldEnd(times, timeAt, bytes.value, RS)
      if (tsEnd < 0) return null
      ts = times.slice(timeAt, tsEnd)
      timeAt = tsEnd + 1
      j = bytes.end + 1
    } else {
      const tsEnd = text.indexOf(FS, i + 1)
      if (tsEnd < 0) return null
      ts = text.slice(i + 1, tsEnd)
      j = tsEnd + 1
    }
    let conn = 0
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
    if (text.charCodeAt(j + 2) !== 0x1f) return null
    let end: number
    let flagged = false
    let raw: string | undefined
    let constant = false
    if (!frames) {
      const flag = text.charCodeAt(j + 3)
      if (flag !== 48 && flag !== 49) return null
      flagged = flag === 49
      end = j + 4
    } else if (text.charCodeAt(j + 3) === 0x6b /* k */) {
      const index = digitsAt(text, j + 4)
      raw = CONSTANT_FRAMES[index.value]
      if (index.end === j + 4 || raw === undefined) return null
      constant = true
      end = index.end
    } else {
      const bytes = digitsAt(text, j + 3)
      if (bytes.end === j + 3 || text.charCodeAt(bytes.end) !== 0x1f) return null
      end = fieldEnd(text, bytes.end + 1, bytes.value, RS)
      if (end < 0) return null
      raw = text.slice(bytes.end + 1, end)
    }
    if (end !== len && text.charCodeAt(end) !== 0x1e) return null
    if (last ? end !== len : end === len) return null
    const direction = dir >= 0 && dir < LEAN_DIRECTIONS.length ? LEAN_DIRECTIONS[dir]! : null
    if (direction === null || !integral) {
      rows[n] = null
    } else {
      const tsMs = parseCaptureTs(ts)
      const connId = negative ? -conn : conn
      // One object shape per scan (no spread in the row loop).
      rows[n] =
        raw === undefined
          ? { lean: true, id: rid, ts, tsMs, direction, connId, flagged }
          : { lean: true, id: rid, ts, tsMs, direction, connId, flagged, raw, constant }
    }
    pos = end + 1
  }
  // Every ts of the page was taken, and nothing else is in it.
  if (times !== null && timeAt !== times.length + 1 && !(timeAt === 0 && times === '')) return null
  return { rows, ids }
}
