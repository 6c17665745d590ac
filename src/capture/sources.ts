/**
 * Capture inputs (DB files and the add-on's session exports) opened up front, so that bad input
 * fails before any output exists, then streamed session by session. Shared by extract and contract.
 */
import path from 'node:path'
import { OigError } from '../errors.js'
import type { OnProgress } from '../progress.js'
import { makeYielder } from '../evidence/interrupt-cleanup.js'
import { CaptureDb } from './db.js'
import { sha256File, sha256FileInBackground } from './file-hash.js'
import type { LeanFlag } from './lean-scan.js'
import { packAddress } from '../evidence/fixture-files.js'
import type { SessionFixture } from '../evidence/schemas/session-fixture.js'
import { parseCaptureTs, type CaptureRow, type LeanRow } from './rows.js'
import { readSessionFile, sessionExportRows, type SessionExport } from './session-file.js'
import { SessionBuilder, completeSession, type Session } from './sessions.js'
import { sourceLabel, type SourceRef } from './source-ref.js'

export { sourceLabel, type SourceRef }

export interface CaptureSource {
  readonly ref: SourceRef
  readonly path: string
  /** Unique label of this input in session ids (file stem, numbered when two inputs share one). */
  readonly label: string
  readonly columns: readonly string[]
  readonly missingColumns: readonly string[]
  readonly extraColumns: readonly string[]
  readonly idsOrdered: boolean
  /** Rows `rows()` is expected to yield (for progress; an upper bound where a DB has gaps; null: unknown). */
  readonly rowTotal: number | null
  rows(): Iterable<CaptureRow>
  /** The lean first pass, where the input allows it (a DB in the add-on's layout). */
  readonly lean: LeanReader | null
  /**
   * Resolves once `ref.sha256` is known without blocking (a DB is hashed on a worker thread while
   * it is read; reading `ref.sha256` before then hashes on the calling thread). `hold: false`
   * does not keep the process alive for it (to be told, not to wait).
   */
  hashed(hold?: boolean): Promise<void>
  close(): void
}

export interface LeanReader {
  rows(flag: LeanFlag): Iterable<LeanRow | CaptureRow>
  rowsBetween(from: number, to: number): CaptureRow[]
  /** See CaptureDb.datedAfterIn and tail (the end of a window, in SQL). */
  datedAfterIn(after: number, upTo: number, afterDate: string): { rows: number; early: boolean }
  tail(rowid: number): { maxRowid: number | null; lastTs: string | null }
}

/** A session file held in memory as a capture source (its rows in capture order). */
function inMemorySource(
  file: string,
  ref: SourceRef,
  rows: readonly CaptureRow[],
  [columns, missingColumns]: readonly [readonly string[], readonly string[]],
): CaptureSource {
  return {
    ref,
    path: file,
    label: sourceLabel(ref.file),
    columns,
    missingColumns,
    extraColumns: [],
    idsOrdered: false,
    rowTotal: rows.length,
    rows: () => rows,
    lean: null,
    hashed: () => Promise.resolve(),
    close: () => undefined,
  }
}

/** A session export (already read and validated) as a capture source; `file` names it. */
export function sessionExportSource(
  file: string,
  data: SessionExport,
  sha256: string,
): CaptureSource {
  const ref: SourceRef = {
    file: path.basename(file),
    sha256,
    format: 'session-export',
    synthetic: data.frames.length > 0 && data.frames.every((f) => f.peer === 'synthetic'),
  }
  return inMemorySource(file, ref, sessionExportRows(data), [
    ['id', 'ts', 'direction', 'table_name', 'raw', 'length'],
    ['device_id', 'raw_b64', 'parsed', 'conn_id', 'peer'],
  ])
}

/**
 * Session fixtures (extract's output, any version) as a capture source: the rows of their frames
 * in id order, which is capture order for the DB they came from.
 */
export function fixtureSource(
  file: string,
  fixtures: readonly SessionFixture[],
  sha256: string,
): CaptureSource {
  const rows: CaptureRow[] = fixtures
    .flatMap((fx) => fx.frames)
    .map((f) => ({
      id: f.id,
      ts: f.ts,
      tsMs: parseCaptureTs(f.ts),
      tableName: f.tableName,
      raw: f.raw,
      ...(f.rawB64 === undefined ? {} : { bytes: Buffer.from(f.rawB64, 'base64') }),
      direction: f.direction,
      connId: f.connId,
    }))
    .sort((a, b) => a.id - b.id)
  const ref: SourceRef = {
    file: path.basename(packAddress(file)?.index ?? file),
    sha256,
    format: 'session-export',
    synthetic: fixtures.length > 0 && fixtures.every((fx) => fx.source.synthetic),
  }
  return inMemorySource(file, ref, rows, [
    ['id', 'ts', 'direction', 'table_name', 'raw', 'conn_id'],
    ['device_id', 'raw_b64', 'parsed', 'peer', 'length'],
  ])
}

/** Opens every input (DBs read-only, session exports validated); throws OigError on the first bad one. */
export function openSources(
  dbs: readonly string[],
  sessionFiles: readonly string[],
): CaptureSource[] {
  if (dbs.length + sessionFiles.length === 0) {
    throw new OigError('USAGE', 'Failed to read captures: no input given.', {
      hint: 'Pass --db payloads.db or --session-file export.json.',
    })
  }
  const opened: Array<Omit<CaptureSource, 'label'>> = []
  try {
    for (const file of dbs) {
      const db = CaptureDb.open(file)
      // Hashed on a worker thread while the rows are read; asked for when a fixture cites it.
      const hash = sha256FileInBackground(file)
      const synthetic = db.isSynthetic()
      opened.push({
        ref: {
          file: db.info.file,
          get sha256() {
            return hash.digest()
          },
          format: 'sqlite',
          synthetic,
        },
        path: file,
        columns: db.info.columns,
        missingColumns: db.info.missingColumns,
        extraColumns: db.info.extraColumns,
        idsOrdered: true,
        rowTotal: db.rowSpan(),
        rows: () => db.rows(),
        lean: db.leanReadable()
          ? {
              rows: (flag) => db.leanRows(flag),
              rowsBetween: (from, to) => db.rowsBetween(from, to),
              datedAfterIn: (after, upTo, date) => db.datedAfterIn(after, upTo, date),
              tail: (rowid) => db.tail(rowid),
            }
          : null,
        hashed: (hold) => hash.ready(hold),
        close: () => {
          hash.stop()
          db.close()
        },
      })
    }
    for (const file of sessionFiles) {
      // extract's own fixtures (either version) are read as the rows they were made of.
      const read = readSessionFile(file)
      const hashed = packAddress(file)?.index ?? file
      opened.push(
        read.kind === 'export'
          ? sessionExportSource(file, read.data, sha256File(file))
          : fixtureSource(file, read.fixtures, sha256File(hashed)),
      )
    }
  } catch (error) {
    for (const s of opened) s.close()
    throw error
  }
  const used = new Map<string, number>()
  return opened.map((s) => {
    const stem = sourceLabel(s.ref.file)
    const n = (used.get(stem) ?? 0) + 1
    used.set(stem, n)
    return { ...s, label: n === 1 ? stem : `${stem}-${n}` }
  })
}

/** streamSessions reports progress once per this many rows (~10 a second on a large DB). */
const PROGRESS_EVERY_ROWS = 10_000

/**
 * Progress in rows over all `sources`, read one after the other: `of(source)` is the
 * `onProgress` of streamSessions for that source. Reports 0 rows at once (the ETA's start).
 */
export function rowProgress(
  task: string,
  sources: readonly CaptureSource[],
  onProgress: OnProgress | undefined,
): { of(source: CaptureSource): (rows: number, sessions: number) => void } {
  const total = sources.every((s) => s.rowTotal !== null)
    ? sources.reduce((n, s) => n + s.rowTotal!, 0)
    : null
  let before = 0
  onProgress?.({ task, done: 0, total, unit: 'rows' })
  return {
    of(source) {
      const start = before
      before += source.rowTotal ?? 0
      return (rows, sessions) =>
        onProgress?.({
          task,
          done: start + rows,
          total,
          unit: 'rows',
          detail: `${source.ref.file}, ${sessions.toLocaleString('en')} sessions`,
        })
    },
  }
}

export interface StreamOptions {
  readonly sessionGapMs: number
  readonly onSession: (session: Session) => void
  readonly onProgress?: (rows: number, sessions: number) => void
  /** Called after each row; a returned promise is awaited (back-pressure from output writes). */
  readonly throttle?: () => Promise<void> | null
  /**
   * Only some sessions are wanted: split the input with the lean first pass, and read in full only
   * the sessions `mayKeep` accepts (it sees lean frames: sides, times, conn ids and `lean.flagged`;
   * it must accept every session the caller could keep). The others go to `onSkipped`. Inputs
   * without a lean reader take the full path, every session to `onSession`.
   */
  readonly lean?: {
    readonly flag: LeanFlag
    readonly mayKeep: (session: Session) => boolean
    readonly onSkipped: (session: Session) => void
    /**
     * No session without a frame at or before this time (ms) can be kept (`--to`): once no open
     * session has one and SQL says every later row is dated more than a day later, the rows
     * after are counted, not read (see stopsAt).
     */
    readonly until?: number | null
  }
  /**
   * Sessions for classification only (contract derive): where the input allows it, read with the
   * lean scan that carries the frame text (LeanFlag `frames`), so that frames are classified and
   * paired but carry no text, and their CRC is not checked. Ignored with `lean`.
   */
  readonly classesOnly?: boolean
}

export interface SourceStats {
  readonly rows: number
  readonly sessions: number
  readonly firstTs: string | null
  readonly lastTs: string | null
  /** Rows after the end of a window that were counted, not read (0 when every row was read). */
  readonly rowsNotRead: number
}

/** The rows of a session of the lean pass, read in full (one range query; other sessions dropped). */
function fullRowsOf(reader: LeanReader, session: Session): CaptureRow[] {
  const frames = session.frames
  const ids = new Set(frames.map((f) => f.id))
  const rows = reader.rowsBetween(frames[0]!.id, frames[frames.length - 1]!.id)
  return rows.length === frames.length ? rows : rows.filter((r) => ids.has(r.id))
}

/** Streams one source into sessions, calling `onSession` as each closes; returns row statistics. */
export async function streamSessions(
  source: CaptureSource,
  opts: StreamOptions,
): Promise<SourceStats> {
  let rows = 0
  let sessions = 0
  let firstTs: string | null = null
  let lastTs: string | null = null
  const reader = opts.lean || opts.classesOnly === true ? source.lean : null
  const lean = opts.lean
  const builder = new SessionBuilder({
    sessionGapMs: opts.sessionGapMs,
    idsOrdered: source.idsOrdered,
    onSession:
      reader && lean
        ? (s) => {
            sessions++
            if (!lean.mayKeep(s)) return lean.onSkipped(s)
            opts.onSession(completeSession(s, fullRowsOf(reader, s), opts))
          }
        : (s) => {
            sessions++
            opts.onSession(s)
          },
    ...(reader ? { rowOf: (id: number) => reader.rowsBetween(id, id)[0] } : {}),
  })
  const until = reader && lean ? (lean.until ?? null) : null
  let mayStop = until !== null
  let rowsNotRead = 0
  // The row loop is synchronous (better-sqlite3): yield now and then so Ctrl-C is handled.
  const yieldNow = makeYielder()
  const read = reader ? reader.rows(lean ? lean.flag : 'frames') : source.rows()
  for (const row of read) {
    builder.push(row)
    rows++
    if (row.ts !== null) {
      firstTs ??= row.ts
      lastTs = row.ts
    }
    if (mayStop && rows % STOP_CHECK_ROWS === 0 && row.tsMs !== null) {
      const stop = await stopsAt(builder, reader!, row.id, row.tsMs, until!, opts.sessionGapMs)
      if (stop === 'never') mayStop = false
      else if (stop !== null) {
        rows += stop.rows
        rowsNotRead = stop.rows
        if (stop.lastTs !== null) lastTs = stop.lastTs
        break
      }
    }
    if (opts.onProgress && rows % PROGRESS_EVERY_ROWS === 0) opts.onProgress(rows, sessions)
    const wait = opts.throttle?.() ?? yieldNow()
    if (wait) await wait
  }
  builder.finish()
  opts.onProgress?.(rows, sessions)
  return { rows, sessions, firstTs, lastTs, rowsNotRead }
}

/** Rows between two looks at whether the end of a window has been passed. */
const STOP_CHECK_ROWS = 4096
/** Rowids a statement of the end-of-window look scans (tens of ms), between two yields. */
const STOP_SCAN_ROWIDS = 131_072
/**
 * More than the largest zone offset a capture ts may carry (parseCaptureTs takes ±hh:mm up to
 * ±99:99, about 4.2 days), so that a row dated after `until` + this in its own zone is after
 * `until` in UTC.
 */
const ZONE_MARGIN_MS = 5 * 86_400_000

/**
 * Whether the rows after `rowid` (the row just pushed, at `tsMs`) can be counted instead of read,
 * when no session without a frame at or before `until` can be kept. They can when (1) this row is
 * more than the zone margin, a day and a session gap past `until`, (2) no open session has a
 * frame at or before `until` (so every session that can be kept is closed and complete), and (3)
 * SQL says every later row is dated after the day of `until` + the zone margin, whatever its zone
 * (so no later row can open or join a session that can be kept). Null: not yet; 'never': (3)
 * failed, read on to the end.
 */
async function stopsAt(
  builder: SessionBuilder,
  reader: LeanReader,
  rowid: number,
  tsMs: number,
  until: number,
  gapMs: number,
): Promise<{ rows: number; lastTs: string | null } | 'never' | null> {
  if (tsMs <= until + ZONE_MARGIN_MS + 86_400_000 + gapMs) return null
  const inWindow = (s: Session): boolean => s.frames.some((f) => f.tsMs !== null && f.tsMs <= until)
  if (builder.anyOpen(inWindow)) return null
  const afterDate = new Date(until + ZONE_MARGIN_MS).toISOString().slice(0, 10)
  const { maxRowid, lastTs } = reader.tail(rowid)
  // A span takes tens of ms: yield whenever 50 ms have passed (makeYielder's budget).
  const yieldNow = makeYielder(50, 1)
  let rows = 0
  // In spans of rowids, with a yield between them: one scan of millions of rows would hold
  // Ctrl-C for seconds. The first span with an early row ends the look.
  for (let from = rowid; maxRowid !== null && from < maxRowid; from += STOP_SCAN_ROWIDS) {
    const span = reader.datedAfterIn(from, Math.min(from + STOP_SCAN_ROWIDS, maxRowid), afterDate)
    if (span.early) return 'never'
    rows += span.rows
    const wait = yieldNow()
    if (wait) await wait
  }
  return { rows, lastTs }
}
