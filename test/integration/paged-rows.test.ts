/**
 * CaptureDb.rows() reads a capture of the add-on's layout with the paged reader (paged-rows.ts:
 * small columns in one page string, ts and raw as plucked lists). It must give exactly the rows the
 * array reader gives, value for value: on every real capture, and on SYNTHETIC DBs written to break
 * it (odd types in every column, separators and non-ASCII text, runs of rows read in full at page
 * edges, more rows than a page).
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { CaptureDb } from '../../src/capture/db.js'
import { pagedRows } from '../../src/capture/paged-rows.js'
import type { CaptureRow } from '../../src/capture/rows.js'
import { CLOUD_ACK } from '../../src/protocol/cloud-frames.js'
import { capturesDir } from '../helpers/captures.js'
import { FULL_COLUMNS, makeCaptureDb, tempDir, type Row } from '../helpers/make-db.js'
import { ACK_GA, POLL, t, UPLOAD } from '../helpers/variant-frames.js'
import { pageBreakers } from '../helpers/variant-rows.js'

/** Both readers over one DB; the paged one must have been the one rows() used. */
function bothReads(file: string): { paged: CaptureRow[]; arrays: CaptureRow[] } {
  const db = CaptureDb.open(file)
  try {
    expect(db.leanReadable(), file).toBe(true)
    return { paged: [...db.rows()], arrays: [...db.arrayRows()] }
  } finally {
    db.close()
  }
}

function expectSameRows(file: string): CaptureRow[] {
  const { paged, arrays } = bothReads(file)
  expect(paged.length).toBe(arrays.length)
  for (let i = 0; i < arrays.length; i++) expect(paged[i], `row ${i}`).toStrictEqual(arrays[i])
  return paged
}

/** Filler rows of one long connection (what most pages of a real capture hold). */
const filler = (from: number, count: number, conn = 50): Row[] =>
  Array.from({ length: count }, (_, i) => ({
    ts: t(from + i * 1000),
    raw: i % 2 === 0 ? UPLOAD : ACK_GA,
    direction: i % 2 === 0 ? 'box_to_proxy' : 'cloud_to_proxy',
    conn_id: conn,
    table_name: i % 2 === 0 ? 'tbl_actual' : null,
  }))

/** Rows with a value of every kind the page grammar must leave to the full read, or carry. */
function oddRows(): Row[] {
  const rows: Row[] = [...filler(0, 1020)]
  const at = (extra: Row): void => {
    rows.push({
      ts: t(5_000_000 + rows.length * 10),
      raw: POLL,
      direction: 'box_to_proxy',
      conn_id: 9,
      ...extra,
    })
  }
  // Around the first page's end (1,024 rows): a run of rows read in full across the edge.
  at({ conn_id: null })
  at({ direction: 'proxy_to_cloud' })
  at({ direction: null })
  at({ conn_id: 'abc' })
  at({ conn_id: 3.5 })
  at({ conn_id: -12 })
  at({ conn_id: 2 ** 53 + 2 })
  at({ ts: null })
  at({ ts: '' })
  at({ ts: 'yesterday' })
  at({ raw: null })
  at({ raw: '' })
  at({ raw: `${POLL}\x1e\x1f` })
  at({ raw: 'Příkon \u{1F600}' })
  at({ table_name: '' })
  at({ table_name: 'tbl_batt_prms' })
  at({ table_name: ' tbl_x ' })
  at({ table_name: 12 })
  at({ table_name: 'tbl\x1fx' })
  at({ direction: 'BOX_TO_PROXY' })
  at({ direction: 'cloud_to_proxy ' })
  rows.push(...filler(6_000_000, 3000, 51))
  return rows
}

describe('CaptureDb.rows: the paged reader reads like the array reader', () => {
  it('on every real capture', () => {
    const dbs = readdirSync(capturesDir())
      .filter((f) => f.endsWith('.db'))
      .sort()
      .map((f) => join(capturesDir(), f))
    expect(dbs.length).toBeGreaterThanOrEqual(9)
    let rows = 0
    for (const db of dbs) rows += expectSameRows(db).length
    expect(rows).toBeGreaterThan(100)
  })

  it('on a SYNTHETIC DB with odd values in every column, across page edges', () => {
    const file = makeCaptureDb(join(tempDir(), 'odd.db'), FULL_COLUMNS, oddRows())
    // Values the test helper cannot write: a BLOB raw, a raw that is not UTF-8, a BLOB table_name,
    // a raw_b64 that stands for a NULL raw, a REAL ts.
    const db = new Database(file)
    db.exec(`UPDATE frames SET raw = x'3cff4672' WHERE rowid = 1030;
      UPDATE frames SET raw = CAST(x'3cff46e282' AS TEXT) WHERE rowid = 1031;
      UPDATE frames SET table_name = x'00ff' WHERE rowid = 1032;
      UPDATE frames SET raw = NULL, raw_b64 = 'PEZyYW1lPg==' WHERE rowid = 1033;
      UPDATE frames SET ts = 1772400000.5 WHERE rowid = 1034;
      UPDATE frames SET raw = CAST(x'3cff' AS TEXT) WHERE rowid = 3000`)
    db.close()
    const rows = expectSameRows(file)
    expect(rows.length).toBe(4041)
    // The odd rows are what they were written to be.
    expect(rows.some((r) => r.connId === -12)).toBe(true)
    expect(rows.some((r) => r.bytes !== undefined)).toBe(true)
    expect(rows.some((r) => r.raw.includes('\ufffd'))).toBe(true)
    expect(rows.some((r) => r.tableName === 'tbl\x1fx')).toBe(true)
  })

  it('on pages of non-ASCII text and separators, and with a cloud constant as BOX text', () => {
    const rows = [...pageBreakers(), ...filler(20_000_000, 2000)]
    rows.push({
      ts: t(30_000_000),
      raw: CLOUD_ACK,
      direction: 'box_to_proxy',
      conn_id: 50,
      table_name: 'tbl_ř',
    })
    const file = makeCaptureDb(join(tempDir(), 'pages.db'), FULL_COLUMNS, rows)
    expect(expectSameRows(file).length).toBe(rows.length)
  })

  it('reads pages itself: on a plain capture it reads no row in full', () => {
    const file = makeCaptureDb(join(tempDir(), 'plain.db'), FULL_COLUMNS, filler(0, 5000))
    const raw = new Database(file, { readonly: true })
    let fullReads = 0
    const rows = [
      ...pagedRows(raw, {
        tableName: true,
        fullRows: () => {
          fullReads++
          return []
        },
      }),
    ]
    raw.close()
    expect(rows.length).toBe(5000)
    expect(fullReads).toBe(0)
    expect(expectSameRows(file).length).toBe(5000)
  })

  it('on a capture without a table_name column', () => {
    const columns = FULL_COLUMNS.filter((c) => c !== 'table_name')
    const file = makeCaptureDb(join(tempDir(), 'no-table.db'), columns, filler(0, 2500))
    const rows = expectSameRows(file)
    expect(rows.every((r) => r.tableName === null)).toBe(true)
  })

  it('an id that is not the rowid (INTEGER PRIMARY KEY DESC) takes the array reader', () => {
    const file = join(tempDir(), 'desc.db')
    const db = new Database(file)
    db.exec(`CREATE TABLE frames (id INTEGER PRIMARY KEY DESC, ts TEXT, raw TEXT, direction TEXT,
      conn_id INTEGER, table_name TEXT)`)
    const insert = db.prepare(
      'INSERT INTO frames (id, ts, raw, direction, conn_id) VALUES (?, ?, ?, ?, ?)',
    )
    insert.run(100, t(0), POLL, 'box_to_proxy', 1)
    insert.run(50, t(10), ACK_GA, 'cloud_to_proxy', 1)
    insert.run(75, t(20), POLL, 'weird', 1)
    db.close()
    const capture = CaptureDb.open(file)
    try {
      expect(capture.leanReadable()).toBe(false)
      const rows = [...capture.rows()]
      expect(rows.map((r) => r.id)).toEqual([100, 50, 75])
      expect(rows).toStrictEqual([...capture.arrayRows()])
    } finally {
      capture.close()
    }
  })

  it.each([
    ['rows()', 1499],
    ['the lean scan of contract derive (pages of 320)', 1499],
    ['the lean first pass (pages of 8,192)', 1500],
  ] as const)(
    'a row another program deletes while %s reads the capture is read as it was',
    (reader, expected) => {
      const file = join(tempDir(), 'live.db')
      const rows = filler(0, 1500)
      // Rows the page reads in full, after the first rows of the page were handed out.
      rows[5] = { ...rows[5]!, direction: 'weird' }
      rows[1200] = { ...rows[1200]!, direction: 'weird' }
      makeCaptureDb(file, FULL_COLUMNS, rows)
      const writer = new Database(file)
      const capture = CaptureDb.open(file)
      try {
        const read: Array<{ id: number; direction: string | null }> = []
        const scan =
          reader === 'rows()'
            ? capture.rows()
            : capture.leanRows(reader.includes('derive') ? 'frames' : 'none')
        for (const row of scan) {
          read.push(row)
          if (read.length === 1) writer.exec('DELETE FROM frames WHERE id IN (6, 1201)')
        }
        // The first page was read before the delete; a later page after it.
        expect(read.length).toBe(expected)
        expect(read[5]).toMatchObject({ id: 6, direction: 'weird' })
        expect(read.some((r) => r.id === 1201)).toBe(expected === 1500)
      } finally {
        capture.close()
        writer.close()
      }
    },
  )
})
