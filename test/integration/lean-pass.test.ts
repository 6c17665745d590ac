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
import { FULL_COLUMNS, makeCaptureDb, tempDir } from '../helpers/make-db.js'
import { POLL, t } from '../helpers/variant-frames.js'
import { variantRows } from '../helpers/variant-rows.js'

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
