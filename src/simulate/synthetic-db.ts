/**
 * I/O edge of `oigctl simulate`: writes the synthetic rows of model.ts into a new SQLite file in the
 * add-on's `frames` layout (PROTOCOL.md §6), labelled synthetic in `oigctl_meta`. The file appears
 * atomically (temp file + link/rename) and never replaces an existing one unless `force` is set.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type Database from 'better-sqlite3'
import { SyntheticOptionsError, resolveSyntheticOptions, type SyntheticOptions } from './model.js'
import { FrameInserter, fillFrames } from './fill.js'
import { registerCleanup } from '../evidence/interrupt-cleanup.js'
import { fsReason } from '../evidence/fs-reason.js'
import { noteOutput } from '../evidence/output-run.js'
import { openSqliteForWriting } from '../capture/capture-writer.js'

export interface SimulateOptions {
  /** Path of the DB file to create. */
  readonly out: string
  readonly seed: number
  /** Exactly one of days / sessions / rows; none means days = 1. */
  readonly days?: number
  readonly sessions?: number
  readonly rows?: number
  /** First session start (ISO-8601 instant with a zone); default 2026-01-05T00:00:00Z. */
  readonly start?: string
  /** Replace an existing `out` file. */
  readonly force?: boolean
  /** Mean setting handshakes per day (default 3). */
  readonly settingsPerDay?: number
  /** 2025-style long connections: batches share a connection until it is this many minutes old. */
  readonly connectionMinutes?: number
  /**
   * Re-classify every frame with classifyText (and check its CRC) and fail on any disagreement
   * with the model; about twice as slow. Off: class counts come from the model's own labels.
   */
  readonly verify?: boolean
}

export interface SimulateResult {
  /** Absolute path of the written file. */
  readonly path: string
  readonly rows: number
  readonly sessions: number
  readonly settingHandshakes: number
  /** `ts` of the first and the last row. */
  readonly from: string
  readonly to: string
  readonly seed: number
  /** Rows per frame class (only classes that occur, in FRAME_CLASSES order). */
  readonly classCounts: Record<string, number>
}

/** What `simulate --json` prints: the result, labelled synthetic. */
export interface SimulateDoc extends SimulateResult {
  kind: 'simulate-result'
  schemaVersion: 1
  synthetic: true
}

export type SimulateErrorCode =
  'INVALID_OPTIONS' | 'OUT_EXISTS' | 'OUT_UNWRITABLE' | 'WRITE_FAILED' | 'MODEL_MISMATCH'

/** Why the simulator could not write its file; the message is a short reason (no final period). */
export class SimulateError extends Error {
  override readonly name = 'SimulateError'
  constructor(
    readonly code: SimulateErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** The add-on's table (PROTOCOL.md §6); `raw_b64` stays NULL as in older add-on files. */
const SCHEMA = `
CREATE TABLE frames (id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT, device_id TEXT, table_name TEXT,
  raw TEXT, raw_b64 TEXT, parsed TEXT, direction TEXT, conn_id INTEGER, peer TEXT, length INTEGER);
CREATE TABLE oigctl_meta (key TEXT PRIMARY KEY, value TEXT);
`

/** A plain reason (an OS error as `disk full`, never with the temp file's name). */
function reason(error: unknown): string {
  return fsReason(error)
}

function modelOptions(opts: SimulateOptions): SyntheticOptions {
  return {
    seed: opts.seed,
    start: opts.start,
    days: opts.days,
    sessions: opts.sessions,
    rows: opts.rows,
    settingsPerDay: opts.settingsPerDay,
    connectionMinutes: opts.connectionMinutes,
  }
}

/** Refuses an existing target (unless forced) and a missing or non-directory parent. */
function checkTarget(out: string, force: boolean): void {
  const dir = path.dirname(out)
  const dirStat = fs.statSync(dir, { throwIfNoEntry: false })
  if (dirStat === undefined) {
    throw new SimulateError('OUT_UNWRITABLE', `directory ${dir} does not exist`)
  }
  if (!dirStat.isDirectory()) throw new SimulateError('OUT_UNWRITABLE', `${dir} is not a directory`)
  const outStat = fs.statSync(out, { throwIfNoEntry: false })
  if (outStat?.isDirectory()) throw new SimulateError('OUT_UNWRITABLE', `${out} is a directory`)
  if (outStat !== undefined && !force) {
    throw new SimulateError('OUT_EXISTS', 'the file already exists (pass force to replace it)')
  }
}

function openTemp(tmp: string): Database.Database {
  try {
    // Speed while generating; the file is not published unless complete (journal set back below).
    return openSqliteForWriting(tmp, { journalMode: 'OFF', synchronous: 'OFF' }, SCHEMA)
  } catch (error) {
    throw new SimulateError(
      'OUT_UNWRITABLE',
      `cannot create a file in ${path.dirname(tmp)} (${reason(error)})`,
      { cause: error },
    )
  }
}

function writeMeta(db: Database.Database, opts: SimulateOptions): void {
  const resolved = resolveSyntheticOptions(modelOptions(opts))
  const insert = db.prepare('INSERT INTO oigctl_meta (key, value) VALUES (?, ?)')
  const meta: Array<[string, string]> = [
    ['synthetic', '1'],
    ['generator', 'oigctl simulate'],
    ['seed', String(opts.seed)],
    ['start', new Date(resolved.startMs).toISOString()],
    ['stop', `${resolved.stop.kind}=${resolved.stop.value}`],
    ['settings_per_day', String(resolved.settingsPerDay)],
    ...(resolved.connectionMinutes === null
      ? []
      : [['connection_minutes', String(resolved.connectionMinutes)] as [string, string]]),
  ]
  for (const [key, value] of meta) insert.run(key, value)
}

/** Moves the finished temp file into place: a hard link cannot replace an existing file. */
function publish(tmp: string, out: string, force: boolean): void {
  if (force) {
    fs.renameSync(tmp, out)
    return
  }
  try {
    fs.linkSync(tmp, out)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') {
      throw new SimulateError('OUT_EXISTS', 'the file already exists (pass force to replace it)')
    }
    // File systems without hard links: fall back to check + rename.
    if (fs.existsSync(out)) {
      throw new SimulateError('OUT_EXISTS', 'the file already exists (pass force to replace it)')
    }
    fs.renameSync(tmp, out)
    return
  }
  fs.unlinkSync(tmp)
}

function removeQuietly(file: string): void {
  for (const f of [file, `${file}-journal`]) {
    try {
      fs.rmSync(f, { force: true })
    } catch {
      // Best effort: the original error is what the user needs to see.
    }
  }
}

/**
 * Writes a synthetic capture DB to `opts.out` and returns what it holds. Throws SimulateError for
 * invalid options, an existing target without `force`, or an unwritable path; never leaves a
 * partial target or a temp file behind.
 */
export async function writeSyntheticDb(
  opts: SimulateOptions,
  onProgress?: (rowsWritten: number) => void,
): Promise<SimulateResult> {
  try {
    resolveSyntheticOptions(modelOptions(opts))
  } catch (error) {
    if (error instanceof SyntheticOptionsError) {
      throw new SimulateError('INVALID_OPTIONS', error.message, { cause: error })
    }
    throw error
  }
  const out = path.resolve(opts.out)
  const force = opts.force === true
  checkTarget(out, force)
  const tmp = `${out}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`
  let db: Database.Database | undefined
  const unregister = registerCleanup(() => removeQuietly(tmp))
  try {
    db = openTemp(tmp)
    const inserter = new FrameInserter(db, onProgress)
    const tally = await fillFrames(inserter, modelOptions(opts), opts.verify === true)
    writeMeta(db, opts)
    db.pragma('journal_mode = DELETE')
    db.close()
    db = undefined
    if (force || !fs.existsSync(out)) noteOutput(out)
    publish(tmp, out, force)
    const { rows, sessions, settingHandshakes, from, to, classCounts } = tally
    return { path: out, rows, sessions, settingHandshakes, from, to, seed: opts.seed, classCounts }
  } catch (error) {
    try {
      db?.close()
    } catch {
      // Already failing; closing is best effort.
    }
    removeQuietly(tmp)
    if (error instanceof SimulateError) throw error
    if (error instanceof Error && error.name === 'ModelMismatchError') {
      throw new SimulateError('MODEL_MISMATCH', error.message, { cause: error })
    }
    throw new SimulateError('WRITE_FAILED', `write failed (${reason(error)})`, {
      cause: error,
    })
  } finally {
    unregister()
  }
}
