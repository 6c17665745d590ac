/**
 * Builds small capture DBs in temp folders for tests: any subset of the add-on's columns plus
 * extra ones, so every schema variant of PROTOCOL.md §6 can be exercised. The frames used with it
 * in tests are SYNTHETIC (built with buildFrameFromPairs) unless a test says it reads a real file.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { onTestFinished } from 'vitest'

export type Row = Record<string, string | number | null>

/** A fresh temp folder removed when the test finishes. */
export function tempDir(prefix = 'oigctl-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Writes a `frames` table with exactly `columns` (id first if listed) and the given rows. */
export function makeCaptureDb(
  file: string,
  columns: readonly string[],
  rows: readonly Row[],
  options: {
    wal?: boolean /** COLLATE of the raw and direction columns. */
    rawCollation?: 'NOCASE' | 'RTRIM'
  } = {},
): string {
  const db = new Database(file)
  if (options.wal) db.pragma('journal_mode = WAL')
  const defs = columns.map((c) =>
    c === 'id'
      ? 'id INTEGER PRIMARY KEY AUTOINCREMENT'
      : c === 'conn_id' || c === 'length'
        ? `${c} INTEGER`
        : (c === 'raw' || c === 'direction') && options.rawCollation
          ? `${c} TEXT COLLATE ${options.rawCollation}`
          : `${c} TEXT`,
  )
  db.exec(`CREATE TABLE frames (${defs.join(', ')})`)
  const insert = db.prepare(
    `INSERT INTO frames (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  )
  db.transaction(() => {
    for (const r of rows) insert.run(...columns.map((c) => r[c] ?? null))
  })()
  db.close()
  return file
}

/** Every column of the add-on's layout (PROTOCOL.md §6), as the reader knows them. */
export { KNOWN_COLUMNS as FULL_COLUMNS } from '../../src/capture/db.js'
