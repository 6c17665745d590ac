/**
 * Streams the model's rows into the `frames` table of an open synthetic DB. Rows are bound as soon
 * as they are generated so that they die young: holding 50k-row batches cost ~2 s of GC per 1M
 * rows. (A generator worker thread was tried and gave no gain on a 2-vCPU VM.)
 */
import { makeYielder } from '../evidence/interrupt-cleanup.js'
import type Database from 'better-sqlite3'
import { SYNTHETIC_PEER, generateSyntheticRows, type SyntheticOptions } from './model.js'
import { RowTally, type TallyResult } from './row-tally.js'

/** Rows per transaction (and per progress report). */
export const BATCH_ROWS = 50_000
const ROWS_PER_STATEMENT = 50
const PARAMS_PER_ROW = 7
const COLUMNS = 'ts, device_id, table_name, raw, raw_b64, parsed, direction, conn_id, peer, length'
/** `raw_b64` stays NULL as in older add-on files; `parsed` and `peer` are the same on every row. */
const VALUES = `(?, ?, ?, ?, NULL, '{}', ?, ?, '${SYNTHETIC_PEER}', ?)`

type Param = string | number | null

/** Inserts rows a few per statement, committing every BATCH_ROWS rows. */
export class FrameInserter {
  private readonly many: Database.Statement
  private readonly one: Database.Statement
  private readonly params: Param[] = new Array<Param>(ROWS_PER_STATEMENT * PARAMS_PER_ROW)
  private pending = 0
  private rows = 0
  private sinceCommit = 0

  constructor(
    private readonly db: Database.Database,
    private readonly onProgress: ((rowsWritten: number) => void) | undefined,
  ) {
    const many = Array<string>(ROWS_PER_STATEMENT).fill(VALUES).join(', ')
    this.many = db.prepare(`INSERT INTO frames (${COLUMNS}) VALUES ${many}`)
    this.one = db.prepare(`INSERT INTO frames (${COLUMNS}) VALUES ${VALUES}`)
    db.exec('BEGIN')
  }

  add(
    ts: string,
    deviceId: string | null,
    tableName: string,
    raw: string,
    direction: string,
    connId: number,
    length: number,
  ): void {
    const p = this.params
    const at = this.pending * PARAMS_PER_ROW
    p[at] = ts
    p[at + 1] = deviceId
    p[at + 2] = tableName
    p[at + 3] = raw
    p[at + 4] = direction
    p[at + 5] = connId
    p[at + 6] = length
    this.rows++
    this.sinceCommit++
    if (++this.pending === ROWS_PER_STATEMENT) {
      this.many.run(p)
      this.pending = 0
    }
  }

  /** Commits and reports progress once BATCH_ROWS rows are pending; true when it did. */
  maybeCommit(): boolean {
    if (this.sinceCommit < BATCH_ROWS) return false
    this.commit()
    this.db.exec('BEGIN')
    return true
  }

  /** Inserts what is left and commits. */
  finish(): void {
    for (let k = 0; k < this.pending; k++) {
      this.one.run(this.params.slice(k * PARAMS_PER_ROW, (k + 1) * PARAMS_PER_ROW))
    }
    this.pending = 0
    this.commit()
  }

  private commit(): void {
    this.db.exec('COMMIT')
    if (this.sinceCommit > 0) this.onProgress?.(this.rows)
    this.sinceCommit = 0
  }
}

/** Runs the model and inserts every row; returns the totals. */
export async function fillFrames(
  inserter: FrameInserter,
  options: SyntheticOptions,
  verify: boolean,
): Promise<TallyResult> {
  const tally = new RowTally(verify)
  // Let signals and timers run between batches, and within one every 50 ms (Ctrl-C within 1 s).
  const yieldNow = makeYielder()
  for (const r of generateSyntheticRows(options)) {
    tally.add(r)
    inserter.add(r.ts, r.deviceId, r.tableName, r.raw, r.direction, r.connId, r.length)
    if (inserter.maybeCommit()) await new Promise((resolve) => setImmediate(resolve))
    else {
      const wait = yieldNow()
      if (wait) await wait
    }
  }
  inserter.finish()
  return tally.result()
}
