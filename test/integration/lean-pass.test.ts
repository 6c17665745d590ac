import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openSources, streamSessions } from '../../src/capture/sources.js'
import type { Session } from '../../src/capture/sessions.js'
import {
  isSelected,
  leanFlagOf,
  mayBeSelected,
  type SessionFilter,
} from '../../src/extract/summary.js'
import { toFixture } from '../../src/extract/fixture.js'
import { writeSyntheticDb } from '../../src/simulate/synthetic-db.js'
import { captureDbPath } from '../helpers/captures.js'
import { FULL_COLUMNS, makeCaptureDb, tempDir, type Row } from '../helpers/make-db.js'
import {
  ACK,
  ACK_GA,
  BOX_END,
  END_TIME,
  POLL,
  SETTING,
  SETTING_ACK,
  t,
  UPLOAD,
} from '../helpers/variant-frames.js'

const BAD_CRC = POLL.replace(/<CRC>\d+<\/CRC>/, '<CRC>00000</CRC>')

/** Every variant the lean pass must read like the full one, in one capture. */
function variantRows(): Row[] {
  const rows: Row[] = []
  const at = (ms: number, raw: string, direction: string | null, conn_id: number | null): void => {
    rows.push({ ts: t(ms), raw, direction, conn_id })
  }
  // Two interleaved connections of the older add-on, one with a setting handshake.
  at(0, POLL, 'box_to_proxy', 1)
  at(10, SETTING, 'cloud_to_proxy', 1)
  at(500, UPLOAD, 'box_to_proxy', 2)
  at(520, ACK_GA, 'cloud_to_proxy', 2)
  at(6000, SETTING_ACK, 'box_to_proxy', 1)
  at(6020, END_TIME, 'cloud_to_proxy', 1)
  // A row without conn_id joins the last active connection; one without a direction is inferred.
  at(7000, UPLOAD, 'box_to_proxy', null)
  at(7010, ACK_GA, null, 2)
  // The proxy relaying a lean BOX frame (its raw text is read back for the duplicate check).
  at(8000, UPLOAD, 'box_to_proxy', 2)
  at(8001, UPLOAD, 'proxy_to_cloud', 2)
  at(8020, ACK, 'cloud_to_proxy', 2)
  at(9000, BAD_CRC, 'box_to_proxy', 2)
  at(9010, ACK, 'proxy_to_box', 2)
  // A discontinuity, then an add-on restart (conn ids go down), a reply without request.
  at(20_000, POLL, 'box_to_proxy', 7)
  at(20_030, ACK, 'cloud_to_proxy', 7)
  at(30_000, ACK, 'cloud_to_proxy', 3)
  at(31_000, POLL, 'box_to_proxy', 3)
  // The newer add-on: ids per direction, replies paired by time.
  at(40_000, POLL, 'box_to_cloud', 101)
  at(40_020, END_TIME, 'cloud_to_box', 9101)
  at(44_000, BOX_END, 'box_to_cloud', 101)
  at(44_020, ACK, 'cloud_to_box', 9101)
  at(45_000, ACK, 'cloud_to_box', 9555)
  // A time gap on the same conn id, a ts out of order, an unparseable ts, a REAL conn id.
  at(2_000_000, POLL, 'box_to_proxy', 3)
  at(1_999_000, END_TIME, 'cloud_to_proxy', 3)
  rows.push({ ts: 'yesterday', raw: UPLOAD, direction: 'box_to_proxy', conn_id: 3 })
  rows.push({ ts: t(2_000_500), raw: ACK_GA, direction: 'cloud_to_proxy', conn_id: 3.5 })
  // A row whose text is only in raw_b64.
  at(2_001_000, POLL, 'box_to_proxy', 3)
  rows.push({
    ts: t(2_001_020),
    raw: null,
    raw_b64: Buffer.from(SETTING).toString('base64'),
    direction: 'cloud_to_proxy',
    conn_id: 3,
  })
  at(2_007_000, SETTING_ACK, 'box_to_proxy', 3)
  at(2_007_020, END_TIME, 'cloud_to_proxy', 3)
  // Rows without conn_id only: split on an answered BOX END.
  at(5_000_000, POLL, 'box_to_proxy', null)
  at(5_000_020, END_TIME, 'cloud_to_proxy', null)
  at(5_004_000, BOX_END, 'box_to_proxy', null)
  at(5_004_020, ACK, 'cloud_to_proxy', null)
  at(5_010_000, POLL, 'box_to_proxy', null)
  return rows
}

const FILTERS: Array<[string, SessionFilter]> = [
  ['setting', { select: 'setting', fromMs: null, toMs: null, conn: null }],
  ['polls', { select: 'polls', fromMs: null, toMs: null, conn: null }],
  [
    'a time window',
    {
      select: 'all',
      fromMs: Date.UTC(2026, 2, 1, 10, 0, 8),
      toMs: Date.UTC(2026, 2, 1, 10, 0, 41),
      conn: null,
    },
  ],
  ['a conn id', { select: 'all', fromMs: null, toMs: null, conn: 3 }],
  ['a reply-side conn id', { select: 'all', fromMs: null, toMs: null, conn: 9101 }],
  [
    'setting and a window',
    { select: 'setting', fromMs: Date.UTC(2026, 2, 1, 10, 30), toMs: null, conn: null },
  ],
]

interface Run {
  readonly kept: unknown[]
  readonly skipped: number[]
  readonly stats: unknown
}

/** Frames the lean pass left lean (0 in a full pass): the lean path was really taken. */
let leanFrames = 0

/** Sessions kept by the filter and their fixtures, by the full pass or by the lean one. */
async function run(file: string, filter: SessionFilter, lean: boolean): Promise<Run> {
  const [source] = openSources([file], [])
  const kept: unknown[] = []
  const skipped: number[] = []
  const keep = (s: Session): void => {
    const fx = toFixture(s, source!.ref, { name: 'oigctl', version: 'test' })
    if (isSelected(s, fx.handshakes, filter)) kept.push({ session: s, fixture: fx })
    else skipped.push(s.index)
  }
  try {
    const stats = await streamSessions(source!, {
      sessionGapMs: 600_000,
      onSession: keep,
      ...(lean
        ? {
            lean: {
              flag: leanFlagOf(filter),
              mayKeep: (s: Session) => {
                leanFrames += s.frames.filter((f) => f.lean).length
                return mayBeSelected(s, filter)
              },
              onSkipped: (s: Session) => skipped.push(s.index),
            },
          }
        : {}),
    })
    expect(source!.lean).not.toBeNull()
    return { kept, skipped: skipped.sort((a, b) => a - b), stats }
  } finally {
    source!.close()
  }
}

describe('the lean first pass (extract with a selection)', () => {
  const variants = (): string =>
    makeCaptureDb(join(tempDir(), 'variants.db'), FULL_COLUMNS, variantRows())

  it.each(FILTERS)(
    'keeps the same sessions, frames and findings as the full pass for %s',
    async (_name, filter) => {
      const file = variants()
      const full = await run(file, filter, false)
      leanFrames = 0
      const lean = await run(file, filter, true)
      expect(lean).toEqual(full)
      expect(leanFrames).toBeGreaterThan(10)
    },
  )

  it('is a real selection on the variants capture, not everything or nothing', async () => {
    const file = variants()
    const counts = await Promise.all(
      FILTERS.map(async ([, f]) => (await run(file, f, true)).kept.length),
    )
    expect(counts.every((n) => n > 0)).toBe(true)
    const all = await run(file, { select: 'all', fromMs: null, toMs: null, conn: null }, false)
    expect(counts.every((n) => n < all.kept.length)).toBe(true)
  })

  it('reads a page whose ts holds the scan separators in full, like the full pass', async () => {
    const rows = variantRows()
    rows.splice(3, 0, {
      ts: `${t(600)}\x1f1\x1f0\x1f0\x1e9`,
      raw: POLL,
      direction: 'box_to_proxy',
      conn_id: 2,
    })
    const file = makeCaptureDb(join(tempDir(), 'separators.db'), FULL_COLUMNS, rows)
    for (const [, filter] of FILTERS)
      expect(await run(file, filter, true)).toEqual(await run(file, filter, false))
  })

  it('reads a SYNTHETIC capture with long connections like the full pass', async () => {
    const file = join(tempDir(), 'long.db')
    await writeSyntheticDb({
      out: file,
      seed: 9,
      days: 2,
      settingsPerDay: 12,
      connectionMinutes: 30,
    })
    for (const [, filter] of FILTERS.slice(0, 2)) {
      const full = await run(file, filter, false)
      expect(await run(file, filter, true)).toEqual(full)
      expect(full.kept.length).toBeGreaterThan(0)
    }
  })

  it('reads the real captures like the full pass', async () => {
    for (const name of [
      'setting-handshake-2025-12-10.db',
      'session-2026-02-17-conn2315.db',
      'edge-cases-2025-12.db',
    ]) {
      for (const [, filter] of FILTERS) {
        const file = captureDbPath(name)
        expect(await run(file, filter, true)).toEqual(await run(file, filter, false))
      }
    }
  })
})
