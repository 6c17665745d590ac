/**
 * contract derive reads DBs with the classifying lean scan (frame text in SQL pages, the cloud's
 * constant replies named by SQLite, BOX frames classified without a CRC check). It must give the
 * very contract, sessions and pairing of the full read (every row parsed, CRC included): on every
 * real capture, on a SYNTHETIC variants DB built to break the scan, and on a SYNTHETIC capture.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Session } from '../../src/capture/sessions.js'
import { buildContract } from '../../src/contract/build.js'
import { deriveState } from '../../src/contract/run-derive.js'
import { CLOUD_ACK, CLOUD_END } from '../../src/protocol/cloud-frames.js'
import { writeSyntheticDb } from '../../src/simulate/synthetic-db.js'
import { GENERATOR } from '../../src/version.js'
import { capturesDir } from '../helpers/captures.js'
import { FULL_COLUMNS, makeCaptureDb, tempDir } from '../helpers/make-db.js'
import { ACK_GA, POLL, t, UPLOAD } from '../helpers/variant-frames.js'
import { hostileRows, pageBreakers } from '../helpers/variant-rows.js'

interface Run {
  readonly contract: string
  readonly sessions: unknown[]
  /** Frames read by the lean scan (0 on the full read). */
  readonly leanFrames: number
}

/** What derive (and validate) read of each session: every field but text, CRC and findings. */
function sessionFacts(s: Session): unknown {
  return {
    index: s.index,
    connId: s.connId,
    cloudConnIds: s.cloudConnIds,
    boundary: s.boundary,
    frames: s.frames.map((f) => [
      f.id,
      f.ts,
      f.tsMs,
      f.origin,
      f.destination,
      f.direction,
      f.connId,
      f.class,
      f.table,
      f.eventType,
      f.pollForm,
      f.item,
      f.gapMs,
      f.answers,
      f.replyId,
      f.latencyMs,
    ]),
  }
}

async function derive(files: readonly string[], readAll: boolean): Promise<Run> {
  const sessions: unknown[] = []
  let leanFrames = 0
  const state = await deriveState(
    { dbs: files, sessionFiles: [], maxCitations: 1000 },
    {
      readAll,
      onSession: (s, file) => {
        sessions.push({ file, ...(sessionFacts(s) as object) })
        leanFrames += s.frames.filter((f) => f.lean !== undefined).length
      },
    },
  )
  const contract = buildContract(state, { version: '1.0.0', generator: GENERATOR })
  return { contract: JSON.stringify(contract), sessions, leanFrames }
}

/** The lean read equals the full one; returns the lean run (its leanFrames: how lean it was). */
async function expectSame(files: readonly string[]): Promise<Run> {
  const full = await derive(files, true)
  const lean = await derive(files, false)
  expect(full.leanFrames).toBe(0)
  expect(lean.sessions).toEqual(full.sessions)
  expect(lean.contract).toBe(full.contract)
  return lean
}

describe('contract derive: the classifying lean scan reads like the full read', () => {
  it('on every real capture, one by one and all together', async () => {
    const dbs = readdirSync(capturesDir())
      .filter((f) => f.endsWith('.db'))
      .sort()
      .map((f) => join(capturesDir(), f))
    expect(dbs.length).toBeGreaterThanOrEqual(9)
    let lean = 0
    for (const db of dbs) lean += (await expectSame([db])).leanFrames
    // Files with conn ids and timestamps are read lean (the others have NULLs: read in full).
    expect(lean).toBeGreaterThan(40)
    expect((await expectSame(dbs)).leanFrames).toBe(lean)
  })

  it('on a SYNTHETIC DB of every variant and hostile text', async () => {
    const file = makeCaptureDb(join(tempDir(), 'hostile.db'), FULL_COLUMNS, hostileRows())
    const lean = await expectSame([file])
    expect(lean.leanFrames).toBeGreaterThan(50)
    // The rows were what they were written to be: the contract saw unknown, malformed and bad frames.
    expect(lean.contract).toContain('box.unknown')
    expect(lean.contract).toContain('cloud.unknown')
    expect(lean.contract).toContain('box.events[Change]')
  })

  it.each(['NOCASE', 'RTRIM'] as const)(
    'on a SYNTHETIC DB whose raw and direction compare %s (matched byte for byte)',
    async (collation) => {
      const rows = hostileRows()
      let ms = 30_000_000
      for (const raw of [CLOUD_ACK.toLowerCase(), `${CLOUD_ACK}  `, CLOUD_END.toUpperCase()]) {
        rows.push({ ts: t((ms += 500)), raw: POLL, direction: 'box_to_proxy', conn_id: 60 })
        rows.push({ ts: t((ms += 500)), raw, direction: 'cloud_to_proxy', conn_id: 60 })
      }
      // A direction in other case or with trailing spaces: mapped as the full read maps it.
      rows.push({ ts: t((ms += 500)), raw: POLL, direction: 'BOX_TO_PROXY', conn_id: 60 })
      rows.push({ ts: t((ms += 500)), raw: CLOUD_ACK, direction: 'cloud_to_proxy  ', conn_id: 60 })
      const file = makeCaptureDb(join(tempDir(), `collate-${collation}.db`), FULL_COLUMNS, rows, {
        rawCollation: collation,
      })
      const lean = await expectSame([file])
      expect(lean.leanFrames).toBeGreaterThan(50)
    },
  )

  it('on pages with non-ASCII text or the scan separators (read in full)', async () => {
    const rows = pageBreakers()
    const one = await expectSame([makeCaptureDb(join(tempDir(), 'page.db'), FULL_COLUMNS, rows)])
    expect(one.leanFrames).toBe(0)
    // Later pages of the same capture are read lean again.
    const filler = Array.from({ length: 9000 }, (_, i) => ({
      ts: t(20_000_000 + i * 1000),
      raw: i % 2 === 0 ? UPLOAD : ACK_GA,
      direction: i % 2 === 0 ? 'box_to_proxy' : 'cloud_to_proxy',
      conn_id: 50,
    }))
    const file = makeCaptureDb(join(tempDir(), 'pages.db'), FULL_COLUMNS, [...rows, ...filler])
    expect((await expectSame([file])).leanFrames).toBeGreaterThan(0)
  })

  it('on a SYNTHETIC capture with long connections', async () => {
    const file = join(tempDir(), 'long.db')
    await writeSyntheticDb({
      out: file,
      seed: 3,
      days: 2,
      settingsPerDay: 12,
      connectionMinutes: 30,
    })
    const lean = await expectSame([file])
    expect(lean.leanFrames).toBeGreaterThan(5000)
  })
})
