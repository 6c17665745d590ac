/**
 * A WAL-mode capture copied onto read-only storage as `db` + `-wal` without `-shm` is read
 * (issue 12 item 8) by the built CLI, with every row (those only in the -wal file too), and the
 * user's files stay byte for byte as they were. Frames are SYNTHETIC (from `oigctl simulate`).
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { ExtractResult } from '../../src/evidence/schemas/extract-result.js'
import { json, oigctl } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'
import { IS_ROOT, smallFs } from '../helpers/storage.js'

const sha256 = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex')

/**
 * Copies a WAL-mode capture whose newest rows are only in its -wal file into `dir` as `db` +
 * `-wal` (no -shm), then makes `dir` read-only: a remounted tmpfs as root, else chmod 555.
 * Returns the DB path and the number of rows it holds.
 */
function walCaptureOnReadOnlyStorage(dir: string): { db: string; rows: number } {
  const work = tempDir()
  const source = join(work, 'cap.db')
  expect(oigctl(['simulate', '--out', source, '--rows', '200', '--quiet']).code).toBe(0)
  const writer = new Database(source)
  writer.pragma('journal_mode = WAL')
  writer.pragma('wal_autocheckpoint = 0')
  // Rows only in the -wal file: a copy of the first 50, appended on a new connection.
  writer.exec(
    `INSERT INTO frames (ts, device_id, table_name, raw, parsed, direction, conn_id, peer, length)
     SELECT ts, device_id, table_name, raw, parsed, direction, conn_id + 100000, peer, length
     FROM frames ORDER BY id LIMIT 50`,
  )
  const rows = (writer.prepare('SELECT COUNT(*) AS n FROM frames').get() as { n: number }).n
  if (IS_ROOT) smallFs(dir, 4096)
  else mkdirSync(dir, { recursive: true })
  copyFileSync(source, join(dir, 'cap.db'))
  copyFileSync(`${source}-wal`, join(dir, 'cap.db-wal'))
  writer.close()
  if (IS_ROOT) {
    const r = spawnSync('mount', ['-o', 'remount,ro', dir], { encoding: 'utf8' })
    expect(r.status, r.stderr).toBe(0)
  } else chmodSync(dir, 0o555)
  return { db: join(dir, 'cap.db'), rows }
}

describe('read-only WAL captures (built CLI)', () => {
  it('extracts db + -wal without -shm from read-only storage, every row, files untouched', () => {
    const dir = tempDir()
    const { db, rows } = walCaptureOnReadOnlyStorage(join(dir, 'ro'))
    expect(readdirSync(join(dir, 'ro')).sort()).toEqual(['cap.db', 'cap.db-wal'])
    const before = [sha256(db), sha256(`${db}-wal`)]
    const r = oigctl(['extract', '--db', db, '--out', join(dir, 'out'), '--json'])
    expect(r.code, r.stderr).toBe(0)
    const doc = json<ExtractResult>(r)
    expect(doc.totals.framesRead).toBe(rows)
    expect(doc.sources[0]!.sha256).toBe(before[0])
    const derive = oigctl(['contract', 'derive', '--db', db, '--out', join(dir, 'c.json')])
    expect(derive.code, derive.stderr).toBe(0)
    expect([sha256(db), sha256(`${db}-wal`)]).toEqual(before)
    expect(readdirSync(join(dir, 'ro')).sort()).toEqual(['cap.db', 'cap.db-wal'])
  })
})

describe('a locked capture DB (built CLI)', () => {
  it('says the DB is locked by another program (exit 2), with a hint that is not about --db', () => {
    const dir = tempDir()
    const db = join(dir, 'cap.db')
    expect(oigctl(['simulate', '--out', db, '--rows', '50', '--quiet']).code).toBe(0)
    const holder = new Database(db)
    holder.exec('BEGIN EXCLUSIVE')
    holder.exec('UPDATE frames SET conn_id = conn_id')
    try {
      const r = oigctl(['extract', '--db', db, '--out', join(dir, 'out')])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(
        /^Failed to open capture DB .*cap\.db: it is locked by another program\.$/m,
      )
      expect(r.stderr).toMatch(
        /^Hint: Wait until the program writing it has finished, or read a copy/m,
      )
      expect(existsSync(join(dir, 'out'))).toBe(false)
    } finally {
      holder.exec('ROLLBACK')
      holder.close()
    }
  })
})
