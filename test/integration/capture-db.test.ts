import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { CaptureDb } from '../../src/capture/db.js'
import { SessionBuilder, type Session } from '../../src/capture/sessions.js'
import { buildFrameFromPairs } from '../../src/protocol/frame.js'
import { OigError } from '../../src/errors.js'
import { captureDbPath } from '../helpers/captures.js'
import { FULL_COLUMNS, makeCaptureDb, tempDir, type Row } from '../helpers/make-db.js'

// SYNTHETIC frames for schema-variant tests (real frames are covered by the capture tests below).
const POLL = buildFrameFromPairs([
  ['Result', 'IsNewSet'],
  ['ID_Device', '0000000001'],
  ['Lat', '100'],
  ['ver', '12345'],
])
const END_TIME = buildFrameFromPairs([
  ['Result', 'END'],
  ['Time', '2026-02-17 09:05:13'],
  ['UTCTime', '2026-02-17 08:05:13'],
])
const UPLOAD = buildFrameFromPairs([
  ['TblName', 'tbl_actual'],
  ['ID_Set', '1'],
  ['DT', '2026-02-17 09:05:00'],
  ['Reason', 'Table'],
  ['ID_Device', '0000000001'],
  ['ver', '11111'],
])
const ACK_GA = buildFrameFromPairs([
  ['Result', 'ACK'],
  ['ToDo', 'GetActual'],
])

function sha(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

function sessionsOf(db: CaptureDb, gapMs = 600_000): Session[] {
  const out: Session[] = []
  const b = new SessionBuilder({
    sessionGapMs: gapMs,
    idsOrdered: true,
    onSession: (s) => out.push(s),
  })
  for (const r of db.rows()) b.push(r)
  b.finish()
  return out.sort((a, b2) => a.index - b2.index)
}

describe('CaptureDb', () => {
  it('reads the full add-on layout and maps rows', () => {
    const file = makeCaptureDb(join(tempDir(), 'full.db'), FULL_COLUMNS, [
      {
        ts: '2026-02-17T08:05:13.198931+00:00',
        raw: POLL,
        direction: 'box_to_proxy',
        conn_id: 7,
        table_name: 'IsNewSet',
        peer: '10.0.0.1:1',
        length: POLL.length,
      },
      {
        ts: '2026-02-17T08:05:13.227130+00:00',
        raw: END_TIME,
        direction: 'cloud_to_proxy',
        conn_id: 7,
        table_name: 'IsNewSet',
      },
    ])
    const db = CaptureDb.open(file)
    const rows = [...db.rows()]
    db.close()
    expect(rows).toHaveLength(2)
    expect(rows[0]).toMatchObject({
      id: 1,
      connId: 7,
      direction: 'box_to_proxy',
      tableName: 'IsNewSet',
      raw: POLL,
    })
    expect(rows[1]!.tsMs! - rows[0]!.tsMs!).toBeCloseTo(28.199, 3)
    expect(db.info.missingColumns).toEqual([])
  })

  it.each([
    ['without raw_b64', FULL_COLUMNS.filter((c) => c !== 'raw_b64')],
    [
      'without direction, conn_id, peer, length',
      ['id', 'ts', 'device_id', 'table_name', 'raw', 'parsed'],
    ],
    [
      'with extra command_id, audit_id, attempt_number',
      [...FULL_COLUMNS, 'command_id', 'audit_id', 'attempt_number'],
    ],
    ['with only raw_b64 and no raw', ['id', 'ts', 'raw_b64', 'direction', 'conn_id']],
  ])('accepts the schema variant %s', (_name, columns) => {
    const rows: Row[] = [
      {
        ts: '2026-02-17T08:05:13+00:00',
        raw: POLL,
        raw_b64: Buffer.from(POLL).toString('base64'),
        direction: 'box_to_proxy',
        conn_id: 1,
        command_id: 'x',
        audit_id: 'y',
        attempt_number: 1,
      },
      {
        ts: '2026-02-17T08:05:13.5+00:00',
        raw: END_TIME,
        raw_b64: Buffer.from(END_TIME).toString('base64'),
        direction: 'cloud_to_proxy',
        conn_id: 1,
      },
    ]
    const db = CaptureDb.open(makeCaptureDb(join(tempDir(), 'v.db'), columns, rows))
    const sessions = sessionsOf(db)
    db.close()
    expect(sessions).toHaveLength(1)
    expect(sessions[0]!.frames.map((f) => f.class)).toEqual(['box.poll.isnewset', 'cloud.end-time'])
    expect(sessions[0]!.frames[0]!.replyId).toBe(2)
    if (columns.includes('command_id'))
      expect(db.info.extraColumns).toEqual(['command_id', 'audit_id', 'attempt_number'])
  })

  it('infers the side of frames when there is no direction column', () => {
    const db = CaptureDb.open(
      makeCaptureDb(
        join(tempDir(), 'nodir.db'),
        ['id', 'ts', 'raw'],
        [
          { ts: null, raw: POLL },
          { ts: null, raw: END_TIME },
        ],
      ),
    )
    const [s] = sessionsOf(db)
    db.close()
    expect(s!.frames.map((f) => [f.origin, f.class, f.notes[0]])).toEqual([
      ['box', 'box.poll.isnewset', 'origin-inferred'],
      ['cloud', 'cloud.end-time', 'origin-inferred'],
    ])
  })

  it('splits sessions on conn_id restarts and time gaps and says which rule made each boundary', () => {
    const t = (s: number): string =>
      new Date(Date.UTC(2025, 11, 18, 19, 0, s)).toISOString().replace('Z', '+00:00')
    const rows: Row[] = [
      { ts: t(0), raw: POLL, direction: 'box_to_proxy', conn_id: 1 },
      { ts: t(1), raw: END_TIME, direction: 'cloud_to_proxy', conn_id: 1 },
      { ts: t(10), raw: UPLOAD, direction: 'box_to_proxy', conn_id: 3 },
      { ts: t(11), raw: ACK_GA, direction: 'cloud_to_proxy', conn_id: 3 },
      { ts: t(500), raw: UPLOAD, direction: 'box_to_proxy', conn_id: 3 },
      { ts: t(501), raw: ACK_GA, direction: 'cloud_to_proxy', conn_id: 3 },
      { ts: t(610), raw: POLL, direction: 'box_to_proxy', conn_id: 1 },
      { ts: t(611), raw: END_TIME, direction: 'cloud_to_proxy', conn_id: 1 },
      { ts: t(2000), raw: POLL, direction: 'box_to_proxy', conn_id: 1 },
      { ts: t(2001), raw: END_TIME, direction: 'cloud_to_proxy', conn_id: 1 },
    ]
    const db = CaptureDb.open(makeCaptureDb(join(tempDir(), 'restart.db'), FULL_COLUMNS, rows))
    const sessions = sessionsOf(db)
    db.close()
    expect(sessions.map((s) => [s.connId, s.boundary.rule, s.frames.length])).toEqual([
      [1, 'start-of-capture', 2],
      [3, 'new-conn-id', 4],
      [1, 'conn-id-restart', 2],
      [1, 'time-gap', 2],
    ])
    expect(sessions[1]!.findings.map((f) => f.code)).toContain('conn-id-discontinuity')
    expect(sessions[2]!.findings.map((f) => f.code)).toContain('conn-id-restart')
  })

  it('pairs replies of the newer add-on (per-direction ids) by time', () => {
    const t = (ms: number): string =>
      new Date(Date.UTC(2026, 2, 1, 10, 0, 0) + ms).toISOString().replace('Z', '+00:00')
    const rows: Row[] = [
      { ts: t(0), raw: POLL, direction: 'box_to_cloud', conn_id: 101 },
      { ts: t(25), raw: END_TIME, direction: 'cloud_to_box', conn_id: 102 },
      { ts: t(4000), raw: UPLOAD, direction: 'box_to_cloud', conn_id: 101 },
      { ts: t(4012), raw: ACK_GA, direction: 'cloud_to_box', conn_id: 102 },
      { ts: t(60_000), raw: POLL, direction: 'box_to_cloud', conn_id: 103 },
      { ts: t(60_020), raw: END_TIME, direction: 'cloud_to_box', conn_id: 104 },
    ]
    const db = CaptureDb.open(makeCaptureDb(join(tempDir(), 'new.db'), FULL_COLUMNS, rows))
    const sessions = sessionsOf(db)
    db.close()
    expect(sessions.map((s) => [s.connId, s.cloudConnIds, s.frames.map((f) => f.id)])).toEqual([
      [101, [102], [1, 2, 3, 4]],
      [103, [104], [5, 6]],
    ])
    expect(sessions[0]!.frames[0]!.latencyMs).toBe(25)
    expect(sessions[0]!.findings).toEqual([])
  })

  it('reports out-of-order timestamps, unanswered requests and orphan replies', () => {
    const rows: Row[] = [
      { id: 1, ts: '2026-01-01T00:00:10Z', raw: POLL, direction: 'box_to_proxy', conn_id: 1 },
      { id: 2, ts: '2026-01-01T00:00:05Z', raw: UPLOAD, direction: 'box_to_proxy', conn_id: 1 },
      { id: 3, ts: '2026-01-01T00:00:11Z', raw: ACK_GA, direction: 'cloud_to_proxy', conn_id: 1 },
      { id: 4, ts: '2026-01-01T00:00:12Z', raw: ACK_GA, direction: 'cloud_to_proxy', conn_id: 1 },
    ]
    const db = CaptureDb.open(makeCaptureDb(join(tempDir(), 'bad.db'), FULL_COLUMNS, rows))
    const [s] = sessionsOf(db)
    db.close()
    expect(s!.findings.map((f) => [f.code, f.frameId])).toEqual([
      ['ts-out-of-order', 2],
      ['request-without-reply', 1],
      ['reply-without-request', 4],
    ])
  })

  it('never modifies a real capture DB (sha256 before and after)', () => {
    const file = captureDbPath('session-2026-02-17-conn2315.db')
    const before = sha(file)
    const db = CaptureDb.open(file)
    expect([...db.rows()]).toHaveLength(24)
    db.close()
    expect(sha(file)).toBe(before)
  })

  it.each([
    [
      'a missing file',
      (d: string) => join(d, 'nope.db'),
      'CAPTURE_DB_NOT_FOUND',
      /file does not exist/,
    ],
    [
      'a file that is not SQLite',
      (d: string) => (
        writeFileSync(join(d, 'x.db'), 'hello, not a database'.repeat(100)),
        join(d, 'x.db')
      ),
      'CAPTURE_DB_NOT_SQLITE',
      /not an SQLite database/,
    ],
    [
      'an SQLite file without frames',
      (d: string) => {
        const f = join(d, 'other.db')
        const db = new Database(f)
        db.exec('CREATE TABLE other (x)')
        db.close()
        return f
      },
      'CAPTURE_DB_NO_FRAMES',
      /no `frames` table/,
    ],
  ])('rejects %s with a clear error', (_name, make, code, message) => {
    const file = make(tempDir())
    let caught: unknown
    try {
      CaptureDb.open(file)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(OigError)
    expect((caught as OigError).code).toBe(code)
    expect((caught as OigError).message).toMatch(message)
    expect((caught as OigError).message).toContain(file)
  })
})
