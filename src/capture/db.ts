/**
 * The only SQL in oigctl: open a capture DB (`payloads.db`) strictly read-only, whatever its schema
 * variant (PROTOCOL.md §6), and stream its rows in capture order with constant memory.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { OigError, reasonOf } from '../errors.js'
import { parseCaptureTs, type CaptureRow } from './rows.js'

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

const HINT_DB = 'Pass --db with the path of an oig-proxy capture DB (payloads.db).'

function failOpen(file: string, reason: string, code: string, cause?: unknown): OigError {
  return new OigError(code, `Failed to open capture DB ${file}: ${reason}.`, {
    hint: HINT_DB,
    cause,
  })
}

function openReadOnly(file: string): Database.Database {
  try {
    return new Database(file, { readonly: true, fileMustExist: true })
  } catch (error) {
    throw failOpen(file, reasonOf(error), 'CAPTURE_DB_UNREADABLE', error)
  }
}

/** A capture DB opened read-only. Close it when done. */
export class CaptureDb {
  readonly info: CaptureDbInfo
  private readonly db: Database.Database

  private constructor(db: Database.Database, info: CaptureDbInfo) {
    this.db = db
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
    const db = openReadOnly(file)
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
      return new CaptureDb(db, {
        path: file,
        file: path.basename(file),
        columns,
        missingColumns: KNOWN_COLUMNS.filter((c) => !columns.includes(c)),
        extraColumns: columns.filter((c) => !known.includes(c)),
        syntheticMeta,
        journalMode,
      })
    } catch (error) {
      db.close()
      throw error
    }
  }

  /** Streams rows in capture order (by `id`, else by rowid); one row in memory at a time. */
  *rows(): Generator<CaptureRow> {
    const has = (c: string): boolean => this.info.columns.includes(c)
    const col = (c: string): string => (has(c) ? `"${c}"` : 'NULL')
    const order = has('id') ? '"id"' : 'rowid'
    const sql = `SELECT ${has('id') ? '"id"' : 'rowid'} AS id, ${col('ts')} AS ts, ${col('device_id')} AS device_id,
      ${col('table_name')} AS table_name, ${col('raw')} AS raw, ${col('raw_b64')} AS raw_b64,
      ${col('direction')} AS direction, ${col('conn_id')} AS conn_id, ${col('peer')} AS peer,
      ${col('length')} AS length FROM frames ORDER BY ${order}`
    const stmt = this.db.prepare(sql)
    try {
      for (const r of stmt.iterate() as Iterable<RawRow>) {
        yield toCaptureRow(r)
      }
    } catch (error) {
      if (error instanceof OigError) throw error
      throw new OigError(
        'CAPTURE_DB_READ_FAILED',
        `Failed to read capture DB ${this.info.path}: ${reasonOf(error)}.`,
        {
          hint: 'The file may be damaged or was replaced while reading; try a copy of it.',
          cause: error,
        },
      )
    }
  }

  /** True when the DB says it is synthetic, or every row's `peer` is `synthetic`. */
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
  }
}

interface RawRow {
  id: number | bigint
  ts: unknown
  device_id: unknown
  table_name: unknown
  raw: unknown
  raw_b64: unknown
  direction: unknown
  conn_id: unknown
  peer: unknown
  length: unknown
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

function toCaptureRow(r: RawRow): CaptureRow {
  let raw = str(r.raw)
  if (raw === null) {
    const b64 = str(r.raw_b64)
    raw = b64 === null ? '' : Buffer.from(b64, 'base64').toString('utf8')
  }
  const ts = str(r.ts)
  return {
    id: Number(r.id),
    ts,
    tsMs: parseCaptureTs(ts),
    deviceId: str(r.device_id),
    tableName: str(r.table_name),
    raw,
    direction: str(r.direction),
    connId: num(r.conn_id),
    peer: str(r.peer),
    length: num(r.length),
  }
}
