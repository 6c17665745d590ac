import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { CaptureDb } from '../../src/capture/db.js'
import { SessionBuilder, type Session } from '../../src/capture/sessions.js'
import { sessionExportRows, SessionExportSchema } from '../../src/capture/session-file.js'
import { FULL_COLUMNS, makeCaptureDb, tempDir, type Row } from '../helpers/make-db.js'
import {
  ACK,
  ACK_GA,
  BOX_END,
  END_TIME,
  NACK_WC,
  POLL,
  t,
  UPLOAD,
} from '../helpers/variant-frames.js'

function sessionsOf(file: string): Session[] {
  const db = CaptureDb.open(file)
  const out: Session[] = []
  const b = new SessionBuilder({
    sessionGapMs: 600_000,
    idsOrdered: true,
    onSession: (s) => out.push(s),
  })
  for (const r of db.rows()) b.push(r)
  b.finish()
  db.close()
  return out.sort((a, c) => a.index - c.index)
}

const codes = (ss: Session[]): string[] => ss.flatMap((s) => s.findings.map((f) => f.code))

describe('sessions of the newer add-on (box_to_cloud / cloud_to_box, ids per direction)', () => {
  const connections = (ids: Array<[number, number]>): Row[] =>
    ids.flatMap(([box, cloud], i) => [
      { ts: t(i * 60_000), raw: POLL, direction: 'box_to_cloud', conn_id: box },
      { ts: t(i * 60_000 + 20), raw: END_TIME, direction: 'cloud_to_box', conn_id: cloud },
      { ts: t(i * 60_000 + 4000), raw: UPLOAD, direction: 'box_to_cloud', conn_id: box },
      { ts: t(i * 60_000 + 4015), raw: ACK_GA, direction: 'cloud_to_box', conn_id: cloud },
    ])

  it.each([
    [
      'one counter for both directions',
      [
        [11, 12],
        [13, 14],
        [15, 16],
      ],
    ],
    [
      'task ids that do not increase',
      [
        [907, 12],
        [31, 5],
        [400, 77],
      ],
    ],
    [
      'the same reply-side id on every connection',
      [
        [1, 99],
        [2, 99],
        [3, 99],
      ],
    ],
  ] as Array<[string, Array<[number, number]>]>)(
    'pairs by time with %s, without restart or discontinuity findings',
    (_n, ids) => {
      const ss = sessionsOf(
        makeCaptureDb(join(tempDir(), 'direct.db'), FULL_COLUMNS, connections(ids)),
      )
      expect(ss.map((s) => [s.connId, s.frames.map((f) => f.class)])).toEqual(
        ids.map(([box]) => [
          box,
          ['box.poll.isnewset', 'cloud.end-time', 'box.upload', 'cloud.ack-getactual'],
        ]),
      )
      expect(
        ss.every((s) =>
          s.frames.filter((f) => f.origin === 'box').every((f) => f.replyId !== null),
        ),
      ).toBe(true)
      expect(codes(ss)).toEqual([])
    },
  )
})

describe('sessions without conn_id or direction', () => {
  it('splits on an answered BOX END and on time gaps, naming the rule', () => {
    const rows: Row[] = [
      { ts: t(0), raw: POLL, direction: 'box_to_proxy' },
      { ts: t(20), raw: END_TIME, direction: 'cloud_to_proxy' },
      { ts: t(4000), raw: BOX_END, direction: 'box_to_proxy' },
      { ts: t(4020), raw: ACK, direction: 'cloud_to_proxy' },
      { ts: t(60_000), raw: POLL, direction: 'box_to_proxy' },
      { ts: t(60_020), raw: END_TIME, direction: 'cloud_to_proxy' },
      { ts: t(2_000_000), raw: UPLOAD, direction: 'box_to_proxy' },
      { ts: t(2_000_015), raw: ACK_GA, direction: 'cloud_to_proxy' },
    ]
    const ss = sessionsOf(makeCaptureDb(join(tempDir(), 'noconn.db'), FULL_COLUMNS, rows))
    expect(ss.map((s) => [s.boundary.rule, s.frames.length])).toEqual([
      ['start-of-capture', 4],
      ['after-box-end', 2],
      ['time-gap', 2],
    ])
  })

  it('never guesses the side of a frame both sides send (NACK WC without a direction)', () => {
    const ss = sessionsOf(
      makeCaptureDb(
        join(tempDir(), 'nodir.db'),
        ['id', 'ts', 'raw'],
        [
          { ts: t(0), raw: POLL },
          { ts: t(10), raw: NACK_WC },
        ],
      ),
    )
    const nack = ss[0]!.frames[1]!
    expect(nack.class).toBe('box.unknown')
    expect(nack.notes).toContain('origin-unknown')
    expect(nack.answers).toBeNull()
    expect(codes(ss)).toEqual(['unknown-direction', 'request-without-reply'])
  })
})

describe('proxy_to_cloud rows (the proxy relaying BOX frames)', () => {
  it('pairs a relayed BOX frame with the cloud reply and ignores the duplicate of a received one', () => {
    const rows: Row[] = [
      { ts: t(0), raw: POLL, direction: 'proxy_to_cloud', conn_id: 1 },
      { ts: t(20), raw: END_TIME, direction: 'cloud_to_proxy', conn_id: 1 },
      { ts: t(4000), raw: UPLOAD, direction: 'box_to_proxy', conn_id: 1 },
      { ts: t(4001), raw: UPLOAD, direction: 'proxy_to_cloud', conn_id: 1 },
      { ts: t(4015), raw: ACK_GA, direction: 'cloud_to_proxy', conn_id: 1 },
    ]
    const [s] = sessionsOf(makeCaptureDb(join(tempDir(), 'p2c.db'), FULL_COLUMNS, rows))
    expect(s!.frames.map((f) => [f.id, f.origin, f.class, f.replyId ?? f.answers])).toEqual([
      [1, 'box', 'box.poll.isnewset', 2],
      [2, 'cloud', 'cloud.end-time', 1],
      [3, 'box', 'box.upload', 5],
      [4, 'box', 'box.upload', null],
      [5, 'cloud', 'cloud.ack-getactual', 3],
    ])
    expect(s!.frames[3]!.notes).toContain('duplicate-of 3')
    expect(s!.findings).toEqual([])
  })
})

describe('duplicate ids', () => {
  it('reports an id that appears twice in a session export', () => {
    const data = SessionExportSchema.parse({
      conn_id: 5,
      frames: [
        { id: 7, ts: t(0), direction: 'box_to_proxy', raw: POLL },
        { id: 8, ts: t(20), direction: 'cloud_to_proxy', raw: END_TIME },
        { id: 8, ts: t(30), direction: 'cloud_to_proxy', raw: END_TIME },
      ],
    })
    const out: Session[] = []
    const b = new SessionBuilder({
      sessionGapMs: 600_000,
      idsOrdered: false,
      onSession: (s) => out.push(s),
    })
    for (const r of sessionExportRows(data)) b.push(r)
    b.finish()
    expect(codes(out)).toContain('duplicate-id')
  })

  it('rejects an export frame that has neither raw nor raw_b64', () => {
    expect(
      SessionExportSchema.safeParse({ frames: [{ id: 1, direction: 'box_to_proxy' }] }).success,
    ).toBe(false)
  })
})

describe('WAL-mode capture DBs', () => {
  it('reads a cleanly closed WAL DB without creating -wal/-shm files beside it', () => {
    const dir = tempDir()
    const file = makeCaptureDb(
      join(dir, 'wal.db'),
      FULL_COLUMNS,
      [{ ts: t(0), raw: POLL, direction: 'box_to_proxy', conn_id: 1 }],
      { wal: true },
    )
    expect(readdirSync(dir)).toEqual(['wal.db'])
    const before = createHash('sha256').update(readFileSync(file)).digest('hex')
    const db = CaptureDb.open(file)
    expect(db.info.journalMode).toBe('wal')
    expect([...db.rows()].map((r) => r.raw)).toEqual([POLL])
    db.close()
    expect(readdirSync(dir)).toEqual(['wal.db'])
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(before)
  })

  it('reads a live WAL DB (writer open, rows only in the -wal file) without touching the main file', () => {
    const dir = tempDir()
    const file = makeCaptureDb(
      join(dir, 'live.db'),
      FULL_COLUMNS,
      [{ ts: t(0), raw: POLL, direction: 'box_to_proxy', conn_id: 1 }],
      { wal: true },
    )
    const writer = new Database(file)
    writer.pragma('wal_autocheckpoint = 0')
    writer
      .prepare('INSERT INTO frames (ts, raw, direction, conn_id) VALUES (?, ?, ?, ?)')
      .run(t(20), END_TIME, 'cloud_to_proxy', 1)
    const before = createHash('sha256').update(readFileSync(file)).digest('hex')
    const db = CaptureDb.open(file)
    expect([...db.rows()].map((r) => r.id)).toEqual([1, 2])
    db.close()
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(before)
    writer.close()
  })
})
