/**
 * The only SQL in oigctl: open a capture DB (`payloads.db`) strictly read-only, whatever its schema
 * variant (PROTOCOL.md §6), and stream its rows in capture order with constant memory.
 */
import { isUtf8 } from 'node:buffer'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { OigError, reasonOf } from '../errors.js'
import { leanRows, type LeanFlag } from './lean-scan.js'
import { pagedRows } from './paged-rows.js'
import { parseCaptureTs, type CaptureRow, type LeanRow } from './rows.js'

/** Columns of the add-on's `frames` table; all but `raw`/`raw_b64` are optional. */
export const KNOWN_COLUMNS = [
  'id',
  'ts',
  'device_id',
  'table_name',
  'raw',
  'raw_b64',
  'parsed',
  'direction',
  'conn_id',
  'peer',
  'length',
] as const

export interface CaptureDbInfo {
  readonly path: string
  readonly file: string
  readonly columns: readonly string[]
  /** Known columns this file lacks. */
  readonly missingColumns: readonly string[]
  /** Columns this file has beyond the add-on's layout (e.g. `command_id`, `audit_id`). */
  readonly extraColumns: readonly string[]
  /** Written by `oigctl simulate` (its `oigctl_meta` table says so). */
  readonly syntheticMeta: boolean
  readonly journalMode: string
}

const PAGE_ROWS = 4096

const HINT_DB = 'Pass --db with the path of an oig-proxy capture DB (payloads.db).'

function failOpen(
  file: string,
  reason: string,
  code: string,
  cause?: unknown,
  hint = HINT_DB,
): OigError {
  return new OigError(code, `Failed to open capture DB ${file}: ${reason}.`, { hint, cause })
}

/** SQLite header bytes 18/19 are 2 for a WAL-mode database. */
function isWalMode(file: string): boolean {
  const header = Buffer.alloc(20)
  const fd = fs.openSync(file, 'r')
  try {
    return (
      fs.readSync(fd, header, 0, 20, 0) === 20 &&
      header.toString('latin1', 0, 15) === 'SQLite format 3' &&
      header[18] === 2
    )
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * A WAL-mode DB cannot be opened read-only in place unless its `-shm` file exists: SQLite would
 * create `-shm` (and `-wal`) beside it, which fails on read-only storage ("unable to open
 * database file") and litters the user's folder. No `-shm` means no program has the DB open, so
 * read a private copy instead: the main file and its `-wal` (whose frames the copy then reads),
 * or, without `-wal`, the main file with its header switched to rollback mode. The user's files
 * are only read.
 */
function privateCopy(file: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oigctl-db-'))
  try {
    const copy = path.join(dir, 'capture.db')
    fs.copyFileSync(file, copy)
    if (fs.existsSync(`${file}-wal`)) {
      fs.copyFileSync(`${file}-wal`, `${copy}-wal`)
      return copy
    }
    const fd = fs.openSync(copy, 'r+')
    try {
      fs.writeSync(fd, Buffer.from([1, 1]), 0, 2, 18)
    } finally {
      fs.closeSync(fd)
    }
    return copy
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

function openReadOnly(file: string): { db: Database.Database; copy: string | null } {
  let copy: string | null = null
  try {
    if (isWalMode(file) && !fs.existsSync(`${file}-shm`)) copy = privateCopy(file)
    // The private copy with a -wal is opened read-write so that SQLite may make its -shm there.
    const readonly = copy === null || !fs.existsSync(`${copy}-wal`)
    return { db: new Database(copy ?? file, { readonly, fileMustExist: true }), copy }
  } catch (error) {
    if (copy) fs.rmSync(path.dirname(copy), { recursive: true, force: true })
    throw failOpen(file, reasonOf(error), 'CAPTURE_DB_UNREADABLE', error)
  }
}

/** A capture DB opened read-only. Close it when done. */
export class CaptureDb {
  readonly info: CaptureDbInfo
  private readonly db: Database.Database

  /** Private copy read instead of a cleanly closed WAL file (removed on close). */
  private readonly copy: string | null

  private constructor(db: Database.Database, info: CaptureDbInfo, copy: string | null) {
    this.db = db
    this.copy = copy
    this.info = info
  }

  /**
   * Opens `file` read-only and checks it is an SQLite DB with a `frames` table holding `raw` or
   * `raw_b64`. Throws OigError with a reason naming the file otherwise; never writes to it.
   */
  static open(file: string): CaptureDb {
    if (!fs.existsSync(file)) {
      throw failOpen(file, 'file does not exist', 'CAPTURE_DB_NOT_FOUND')
    }
    if (!fs.statSync(file).isFile())
      throw failOpen(file, 'not a regular file', 'CAPTURE_DB_NOT_FOUND')
    const { db, copy } = openReadOnly(file)
    try {
      let tables: Array<{ name: string }>
      try {
        tables = db
          .prepare("SELECT name FROM sqlite_master WHERE type IN ('table','view')")
          .all() as Array<{ name: string }>
      } catch (error) {
        const code = (error as { code?: string }).code
        if (code === 'SQLITE_NOTADB')
          throw failOpen(file, 'file is not an SQLite database', 'CAPTURE_DB_NOT_SQLITE', error)
        if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
          throw failOpen(
            file,
            'it is locked by another program',
            'CAPTURE_DB_LOCKED',
            error,
            'Wait until the program writing it has finished, or read a copy of it (sqlite3 payloads.db ".backup copy.db").',
          )
        throw failOpen(file, reasonOf(error), 'CAPTURE_DB_UNREADABLE', error)
      }
      const names = new Set(tables.map((t) => t.name))
      if (!names.has('frames')) {
        throw failOpen(
          file,
          'it has no `frames` table (not an oig-proxy capture DB)',
          'CAPTURE_DB_NO_FRAMES',
        )
      }
      const columns = (
        db.prepare('PRAGMA table_info(frames)').all() as Array<{ name: string }>
      ).map((c) => c.name)
      if (!columns.includes('raw') && !columns.includes('raw_b64')) {
        throw failOpen(
          file,
          'its `frames` table has neither `raw` nor `raw_b64`',
          'CAPTURE_DB_NO_FRAMES',
        )
      }
      let syntheticMeta = false
      if (names.has('oigctl_meta')) {
        const row = db.prepare("SELECT value FROM oigctl_meta WHERE key = 'synthetic'").get() as
          { value?: string } | undefined
        syntheticMeta = row?.value === '1'
      }
      const journalMode = String(db.pragma('journal_mode', { simple: true }))
      const known: readonly string[] = KNOWN_COLUMNS
      return new CaptureDb(
        db,
        {
          path: file,
          file: path.basename(file),
          columns,
          missingColumns: KNOWN_COLUMNS.filter((c) => !columns.includes(c)),
          extraColumns: columns.filter((c) => !known.includes(c)),
          syntheticMeta,
          journalMode: copy ? 'wal' : journalMode,
        },
        copy,
      )
    } catch (error) {
      db.close()
      if (copy) fs.rmSync(path.dirname(copy), { recursive: true, force: true })
      throw error
    }
  }

  /** The SELECT list of a full row (see toCaptureRow), and its `id` expression. */
  private selectList(): string {
    const has = (c: string): boolean => this.info.columns.includes(c)
    const col = (c: string): string => (has(c) ? `"${c}"` : 'NULL')
    // Capture order is insertion order: rowid (the add-on's `id` is an alias of it). Paging on
    // rowid stays correct even for a variant whose `id` is not unique (that is then a finding).
    const idCol = has('id') ? '"id"' : 'rowid'
    // Only the columns extract uses; raw_b64 only where raw is NULL (it doubles the bytes read).
    const rawB64 = has('raw_b64')
      ? has('raw')
        ? 'CASE WHEN "raw" IS NULL THEN "raw_b64" END'
        : '"raw_b64"'
      : 'NULL'
    return `${idCol}, ${col('ts')}, ${col('table_name')}, ${col('raw')}, ${rawB64},
        ${col('direction')}, ${col('conn_id')}, rowid`
  }

  private prepareRead(sql: string): Database.Statement {
    try {
      return this.db.prepare(sql).raw(true)
    } catch (error) {
      throw new OigError(
        'CAPTURE_DB_READ_FAILED',
        `Failed to read capture DB ${this.info.path}: ${reasonOf(error)}.`,
        {
          hint: 'Its `frames` table must be a plain table of the add-on layout.',
          cause: error,
        },
      )
    }
  }

  private readFailed(error: unknown): OigError {
    return new OigError(
      'CAPTURE_DB_READ_FAILED',
      `Failed to read capture DB ${this.info.path}: ${reasonOf(error)}.`,
      {
        hint: 'The file may be damaged or was replaced while reading; try a copy of it.',
        cause: error,
      },
    )
  }

  /**
   * Streams rows in capture order (rowid), one page of rows in memory at a time: paged-rows.ts
   * where the layout allows it (the same rows, read faster), else keyset pages of row arrays.
   */
  *rows(): Generator<CaptureRow> {
    if (this.leanReadable()) {
      try {
        yield* pagedRows(this.db, {
          tableName: this.info.columns.includes('table_name'),
          fullRows: (from, to) => this.rowsBetween(from, to),
        })
      } catch (error) {
        if (error instanceof OigError) throw error
        throw this.readFailed(error)
      }
      return
    }
    yield* this.arrayRows()
  }

  /** rows() as keyset pages of row arrays (any layout). */
  *arrayRows(): Generator<CaptureRow> {
    // Keyset pages (WHERE id > last LIMIT n) with raw() arrays: markedly faster than a per-row
    // iterator on million-row captures, and still one page in memory at a time.
    const stmt = this.prepareRead(
      `SELECT ${this.selectList()} FROM frames WHERE rowid > ? ORDER BY rowid LIMIT ${PAGE_ROWS}`,
    )
    let last: number | bigint = -Infinity
    for (;;) {
      let page: unknown[][]
      try {
        page = stmt.all(last) as unknown[][]
      } catch (error) {
        throw this.readFailed(error)
      }
      if (page.length === 0) return
      for (const r of page) yield toCaptureRow(r)
      last = page[page.length - 1]![7] as number | bigint
      if (page.length < PAGE_ROWS) return
    }
  }

  /**
   * Whether the lean first pass can read this file: its `id` is the rowid (INTEGER PRIMARY KEY,
   * the add-on's layout) or absent, so that a row id names one row.
   */
  leanReadable(): boolean {
    this.leanLayout ??= this.hasLeanLayout()
    return this.leanLayout
  }

  private leanLayout: boolean | null = null

  private hasLeanLayout(): boolean {
    if (!this.info.columns.includes('raw') || !this.info.columns.includes('conn_id')) return false
    if (!this.info.columns.includes('direction') || !this.info.columns.includes('ts')) return false
    if (!this.info.columns.includes('id')) return false
    const info = this.db.prepare('PRAGMA table_info(frames)').all() as Array<{
      name: string
      type: string
      pk: number
    }>
    const pks = info.filter((c) => c.pk > 0)
    const id = info.find((c) => c.name === 'id')
    if (!(pks.length === 1 && id?.pk === 1 && id.type.toUpperCase() === 'INTEGER')) return false
    // `INTEGER PRIMARY KEY DESC` (or a WITHOUT ROWID table) is not an alias of the rowid: SQLite
    // then keeps the key in an index of its own, which a true alias never has.
    const indexes = this.db.prepare('PRAGMA index_list(frames)').all() as Array<{ origin: string }>
    return !indexes.some((i) => i.origin === 'pk')
  }

  /**
   * The lean first pass (lean-scan.ts): rows in capture order, lean where they can be, in full
   * where not. Only when leanReadable().
   */
  *leanRows(flag: LeanFlag): Generator<LeanRow | CaptureRow> {
    try {
      yield* leanRows(this.db, { flag, fullRows: (from, to) => this.rowsBetween(from, to) })
    } catch (error) {
      if (error instanceof OigError) throw error
      throw this.readFailed(error)
    }
  }

  private between: Database.Statement | null = null

  /** The full rows with rowid in [from, to], in capture order (a session found by the lean pass). */
  rowsBetween(from: number, to: number): CaptureRow[] {
    const stmt = (this.between ??= this.prepareRead(
      `SELECT ${this.selectList()} FROM frames WHERE rowid BETWEEN ? AND ? ORDER BY rowid`,
    ))
    try {
      return (stmt.all(from, to) as unknown[][]).map(toCaptureRow)
    } catch (error) {
      throw this.readFailed(error)
    }
  }

  /**
   * For the rows with rowid in (after, upTo]: how many there are, and whether any is not dated
   * after `afterDate` (YYYY-MM-DD) — a ts that is not text, does not start with a digit, or whose
   * first ten chars are not later. One SQLite scan of that span (no index on ts needed, none
   * created), no row to JavaScript. A ts that parses starts with its YYYY-MM-DD (a leading digit
   * means nothing was trimmed before it), so such a row is dated after that day in its own zone.
   * The caller walks the rows in spans, yielding between them, so that Ctrl-C stays prompt.
   */
  datedAfterIn(after: number, upTo: number, afterDate: string): { rows: number; early: boolean } {
    try {
      const [rows, early] = this.db
        .prepare(
          `SELECT count(*), ifnull(max(typeof(ts) IS NOT 'text' OR unicode(ts) NOT BETWEEN 48 AND 57
             OR substr(ts, 1, 10) <= ?), 0) FROM frames WHERE rowid > ? AND rowid <= ?`,
        )
        .raw(true)
        .get(afterDate, after, upTo) as [number, number]
      return { rows, early: early !== 0 }
    } catch (error) {
      throw this.readFailed(error)
    }
  }

  /** The largest rowid (null for an empty table), and the stored ts of the last row after `rowid` that has one. */
  tail(rowid: number): { maxRowid: number | null; lastTs: string | null } {
    try {
      const [maxRowid] = this.db.prepare('SELECT max(rowid) FROM frames').raw(true).get() as [
        number | null,
      ]
      const last = this.db
        .prepare(
          'SELECT ts FROM frames WHERE rowid > ? AND ts IS NOT NULL ORDER BY rowid DESC LIMIT 1',
        )
        .raw(true)
        .get(rowid) as [unknown] | undefined
      return { maxRowid, lastTs: last === undefined ? null : str(last[0]) }
    } catch (error) {
      throw this.readFailed(error)
    }
  }

  /** True when the DB says it is synthetic, or every row's `peer` is `synthetic`. */
  /**
   * Rows to expect, for progress: the rowid span (two index look-ups, where count(*) reads the
   * whole table). Exact for the add-on's files, which never delete; an upper bound otherwise.
   * null when it cannot tell (`frames` is a view: the read reports that itself).
   */
  rowSpan(): number | null {
    try {
      const row = this.db
        .prepare(
          'SELECT (SELECT max(rowid) FROM frames) - (SELECT min(rowid) FROM frames) + 1 AS n',
        )
        .get() as { n: number | null }
      return row.n ?? 0
    } catch {
      return null
    }
  }

  isSynthetic(): boolean {
    if (this.info.syntheticMeta) return true
    if (!this.info.columns.includes('peer')) return false
    const row = this.db
      .prepare(
        "SELECT EXISTS(SELECT 1 FROM frames WHERE peer IS NOT 'synthetic') AS real, EXISTS(SELECT 1 FROM frames) AS any",
      )
      .get() as { real: number; any: number }
    return row.any === 1 && row.real === 0
  }

  close(): void {
    this.db.close()
    if (this.copy) fs.rmSync(path.dirname(this.copy), { recursive: true, force: true })
  }
}

const str = (v: unknown): string | null =>
  v === null || v === undefined
    ? null
    : typeof v === 'string'
      ? v
      : Buffer.isBuffer(v)
        ? v.toString('utf8')
        : String(v)
const num = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null
  const n = Number(v)
  return Number.isFinite(n) ? n : null
}

/** Column order of the SELECT in rows(). */
function toCaptureRow(r: unknown[]): CaptureRow {
  const [id, tsValue, tableName, rawValue, rawB64, direction, connId] = r
  // Frames are bytes (PROTOCOL.md §1): a text `raw` stands for its UTF-8 bytes; `raw_b64` and a
  // BLOB `raw` are the bytes themselves, kept as such when they are not UTF-8.
  let raw = typeof rawValue === 'string' ? rawValue : null
  let bytes: Buffer | null = Buffer.isBuffer(rawValue) ? rawValue : null
  if (raw === null && bytes === null) {
    if (rawValue !== null && rawValue !== undefined) raw = String(rawValue)
    else {
      const b64 = str(rawB64)
      if (b64 === null) raw = ''
      else bytes = Buffer.from(b64, 'base64')
    }
  }
  if (bytes !== null) {
    raw = bytes.toString('utf8')
    if (isUtf8(bytes)) bytes = null
  }
  const ts = typeof tsValue === 'string' ? tsValue : str(tsValue)
  return {
    // A non-integer id (a foreign variant) falls back to the rowid, which is always unique.
    id: Number.isInteger(Number(id)) ? Number(id) : Number(r[7]),
    ts,
    tsMs: parseCaptureTs(ts),
    tableName: str(tableName),
    raw: raw ?? '',
    ...(bytes === null ? {} : { bytes }),
    direction: typeof direction === 'string' ? direction : str(direction),
    connId: num(connId),
  }
}
