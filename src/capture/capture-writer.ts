/**
 * Records frames into a capture DB in the add-on's layout (PROTOCOL.md §6), so that oigctl can
 * make its own captures that `extract` and `contract validate` read back. WAL mode like the
 * add-on; rows are buffered and written in one transaction per batch (a server's hot path must
 * not wait for the disk per frame). Frames are bytes: `raw_b64` always holds them exactly, `raw`
 * holds them as text only when they are valid UTF-8 (so that the text decodes back to the same
 * bytes), else NULL (readers then take `raw_b64`).
 */
import { isUtf8 } from 'node:buffer'
import Database from 'better-sqlite3'
import { OigError, reasonOf } from '../errors.js'
import { CRLF } from '../protocol/frame.js'

/** The older add-on's direction vocabulary (one `conn_id` per BOX connection). */
export type CaptureDirection = 'box_to_proxy' | 'cloud_to_proxy' | 'proxy_to_box'

export interface CaptureRecord {
  /** Epoch milliseconds with a sub-millisecond fraction. */
  readonly atMs: number
  readonly direction: CaptureDirection
  readonly connId: number
  /** The frame's bytes without line ending (stored with CRLF, as every real `raw`). */
  readonly bytes: Uint8Array
  /** The add-on's `table_name`: the request's label, also on its reply (§6). */
  readonly tableName: string | null
  readonly deviceId: string | null
  readonly peer: string | null
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS frames (id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT, device_id TEXT,
  table_name TEXT, raw TEXT, raw_b64 TEXT, parsed TEXT, direction TEXT, conn_id INTEGER, peer TEXT,
  length INTEGER);
`

/**
 * Opens (or creates) a SQLite file in a journal mode and synchronous level and runs `schema`;
 * `check` may refuse what it finds. The file is closed again when any step fails (the error is
 * rethrown for the caller to name).
 */
export function openSqliteForWriting(
  file: string,
  pragmas: { readonly journalMode: 'WAL' | 'OFF'; readonly synchronous: 'NORMAL' | 'OFF' },
  schema: string,
  check: (db: Database.Database) => void = () => {},
): Database.Database {
  let db: Database.Database | undefined
  try {
    db = new Database(file)
    db.pragma(`journal_mode = ${pragmas.journalMode}`)
    db.pragma(`synchronous = ${pragmas.synchronous}`)
    db.exec(schema)
    check(db)
    return db
  } catch (error) {
    db?.close()
    throw error
  }
}

/** Rows buffered before a write is forced. */
const BATCH_ROWS = 512
/** Longest time a row waits in the buffer. */
const FLUSH_MS = 100

/** `YYYY-MM-DDTHH:MM:SS.ffffff+00:00` (UTC with microseconds, like the older add-on's files). */
export function formatCaptureTs(atMs: number): string {
  const whole = Math.floor(atMs)
  const micros = Math.min(999_999, Math.floor((atMs - Math.floor(whole / 1000) * 1000) * 1000))
  const iso = new Date(whole).toISOString()
  return `${iso.slice(0, 19)}.${String(micros).padStart(6, '0')}+00:00`
}

export class CaptureWriter {
  private buffer: CaptureRecord[] = []
  private timer: NodeJS.Timeout | null = null
  private failed = false
  private closed = false
  private readonly insert: Database.Statement
  private readonly writeBatch: (rows: readonly CaptureRecord[]) => void

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    private readonly onError: (message: string) => void,
  ) {
    this.insert = db.prepare(
      `INSERT INTO frames (ts, device_id, table_name, raw, raw_b64, parsed, direction, conn_id, peer, length)
       VALUES (?, ?, ?, ?, ?, '{}', ?, ?, ?, ?)`,
    )
    this.writeBatch = db.transaction((rows: readonly CaptureRecord[]) => {
      for (const r of rows) {
        const bytes = Buffer.concat([r.bytes, CRLF])
        this.insert.run(
          formatCaptureTs(r.atMs),
          r.deviceId,
          r.tableName,
          isUtf8(bytes) ? bytes.toString('utf8') : null,
          bytes.toString('base64'),
          r.direction,
          r.connId,
          r.peer,
          bytes.length,
        )
      }
    })
  }

  /**
   * Opens (or creates) `file` for appending; an existing capture DB keeps its rows (the add-on
   * also appends across restarts, its conn ids restarting at 1). Throws OigError when unusable.
   */
  static open(file: string, onError: (message: string) => void): CaptureWriter {
    let db: Database.Database | undefined
    try {
      db = openSqliteForWriting(
        file,
        { journalMode: 'WAL', synchronous: 'NORMAL' },
        SCHEMA,
        (opened) => {
          const columns = (
            opened.prepare('PRAGMA table_info(frames)').all() as Array<{ name: string }>
          ).map((c) => c.name)
          const needed = ['ts', 'raw', 'raw_b64', 'direction', 'conn_id', 'length']
          const missing = needed.filter((c) => !columns.includes(c))
          if (missing.length > 0) throw new Error(`its frames table lacks ${missing.join(', ')}`)
        },
      )
      return new CaptureWriter(db, file, onError)
    } catch (error) {
      // The writer's statements may refuse a table the check let through.
      db?.close()
      throw new OigError(
        'CAPTURE_UNWRITABLE',
        `Failed to open capture DB ${file} for writing: ${reasonOf(error)}.`,
        {
          hint: 'Pass --capture with a new file in a writable folder (or a capture DB written by oigctl).',
          cause: error,
        },
      )
    }
  }

  /** Queues one row; written within FLUSH_MS. After a write error rows are dropped. */
  record(row: CaptureRecord): void {
    if (this.failed || this.closed) return
    this.buffer.push(row)
    if (this.buffer.length >= BATCH_ROWS) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS)
  }

  /** Writes every buffered row now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.buffer.length === 0 || this.failed) return
    const rows = this.buffer
    this.buffer = []
    try {
      this.writeBatch(rows)
    } catch (error) {
      this.failed = true
      this.onError(`Failed to write capture DB ${this.file}: ${reasonOf(error)}; capture stopped.`)
    }
  }

  /** Flushes, checkpoints the WAL into the DB file and closes it. */
  close(): void {
    if (this.closed) return
    this.flush()
    this.closed = true
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)')
    } catch {
      // A failed checkpoint leaves a valid WAL file beside the DB; readers handle it.
    }
    this.db.close()
  }
}
