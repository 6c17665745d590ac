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
import {
  CLOUD_ACK,
  CLOUD_ACK_GETACTUAL,
  CLOUD_END,
  CLOUD_NACK_ONEMORE,
} from '../../src/protocol/cloud-frames.js'
import { buildFrameFromPairs } from '../../src/protocol/frame.js'
import { writeSyntheticDb } from '../../src/simulate/synthetic-db.js'
import { GENERATOR } from '../../src/version.js'
import { capturesDir } from '../helpers/captures.js'
import { FULL_COLUMNS, makeCaptureDb, tempDir, type Row } from '../helpers/make-db.js'
import { ACK_GA, POLL, SETTING, SETTING_ACK, t, UPLOAD } from '../helpers/variant-frames.js'
import { variantRows } from '../helpers/variant-rows.js'

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

const pairs = (p: Array<[string, string]>): string => buildFrameFromPairs(p)

/** A tbl_events frame with this Content. */
const events = (content: string): string =>
  pairs([
    ['TblName', 'tbl_events'],
    ['ID_Set', '1'],
    ['Reason', 'Table'],
    ['Type', 'Change'],
    ['Content', content],
  ])

/** Rows written to break the classifying scan: each must read exactly as the full read reads it. */
function hostileRows(): Row[] {
  const rows = variantRows()
  let ms = 9_000_000
  const at = (raw: string | null, direction: string, extra: Row = {}): void => {
    ms += 500
    rows.push({ ts: t(ms), raw, direction, conn_id: 40, ...extra })
  }
  at(POLL, 'box_to_proxy')
  at(CLOUD_ACK_GETACTUAL, 'cloud_to_proxy')
  at(events('Remotely : tbl_box_prms / MODE: [0]->[3]'), 'box_to_proxy')
  at(CLOUD_ACK, 'cloud_to_proxy')
  // Malformed frames: no CRC, a '<' in a value, a space in a tag, trailing data, empty text.
  at('<Frame><TblName>tbl_actual</TblName><Reason>Table</Reason></Frame>\r\n', 'box_to_proxy')
  at(CLOUD_ACK, 'cloud_to_proxy')
  at(UPLOAD.replace('tbl_actual', 'tbl<actual'), 'box_to_proxy')
  at(CLOUD_ACK, 'cloud_to_proxy')
  at(UPLOAD.replace('<DT>', '<D T>').replace('</DT>', '</D T>'), 'box_to_proxy')
  at(CLOUD_ACK, 'cloud_to_proxy')
  at(`${UPLOAD}junk`, 'box_to_proxy')
  at(CLOUD_END, 'cloud_to_proxy')
  at('', 'box_to_proxy')
  at(CLOUD_END, 'cloud_to_proxy')
  // A CRC child before the CRC, duplicate tags (the first wins), a bad CRC on an upload.
  at(POLL.replace('<ver>', '<CRC>1</CRC><ver>'), 'box_to_proxy')
  at(CLOUD_END, 'cloud_to_proxy')
  at(POLL.replace('<Frame>', '<Frame><Result>IsNewFW</Result>'), 'box_to_proxy')
  at(CLOUD_END, 'cloud_to_proxy')
  at(UPLOAD.replace(/<CRC>\d+/, '<CRC>99999'), 'box_to_proxy')
  at(CLOUD_NACK_ONEMORE, 'cloud_to_proxy')
  // A BOX frame with the text of a cloud constant; a constant with another line ending.
  at(CLOUD_ACK, 'box_to_proxy')
  at(CLOUD_ACK.replace('\r\n', '\n'), 'cloud_to_proxy')
  at(POLL, 'box_to_proxy')
  at(CLOUD_ACK_GETACTUAL.replace('\r\n', ''), 'cloud_to_proxy')
  // A cloud frame of a fixed shape with one tag too many; a Setting batch on this connection.
  at(POLL, 'box_to_proxy')
  at(
    pairs([
      ['Result', 'END'],
      ['ToDo', 'GetActual'],
      ['X', '1'],
    ]),
    'cloud_to_proxy',
  )
  at(POLL, 'box_to_proxy')
  at(SETTING, 'cloud_to_proxy')
  at(SETTING_ACK, 'box_to_proxy')
  at(ACK_GA, 'cloud_to_proxy')
  // An empty ts (lean: its ts page holds it as an empty field).
  rows.push({ ts: '', raw: POLL, direction: 'box_to_proxy', conn_id: 40 })
  at(CLOUD_END, 'cloud_to_proxy')
  // A numeric ts, a NULL raw with nothing in raw_b64 (read in full, row by row).
  rows.push({ ts: 1_772_400_000, raw: CLOUD_END, direction: 'cloud_to_proxy', conn_id: 40 })
  at(null, 'box_to_proxy')
  at(CLOUD_ACK, 'cloud_to_proxy')
  return rows
}

/**
 * Text the scan cannot delimit by its byte lengths (non-ASCII: several bytes a char; its separators
 * inside a value or a ts): the page holding it is read in full, and must still read the same.
 */
function pageBreakers(): Row[] {
  const rows = hostileRows()
  const at = (ms: number, raw: string, direction: string, ts = t(ms)): void => {
    rows.splice(10, 0, { ts, raw, direction, conn_id: 2 })
  }
  at(600, events('Vstup : tbl_batt_prms / Příkon: [200]->[100]'), 'box_to_proxy')
  at(601, events('emoji \u{1F600} and more'), 'box_to_proxy')
  at(602, events('a\x1eb\x1fc'), 'box_to_proxy')
  at(603, POLL, 'box_to_proxy', `${t(603)}\x1f1\x1f0\x1f0\x1e9`)
  return rows
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
