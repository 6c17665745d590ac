import { describe, expect, it } from 'vitest'
import {
  classifyFrame,
  classifyText,
  inferSide,
  type ClassifiedText,
} from '../../src/protocol/classify.js'
import { buildFrameFromPairs, parseFrame, type ParsedFrame } from '../../src/protocol/frame.js'
import type { FrameSide } from '../../src/protocol/frame-class.js'
import { captureFrame, loadCaptureFrames } from '../helpers/captures.js'

const frames = loadCaptureFrames()

const UPLOADS = 'box-uploads-2025-12-07.db'
const SETTINGS = 'cloud-settings-2025-12.db'
const EDGE = 'edge-cases-2025-12.db'
const EVENTS = 'events-change-2026-03-02.db'
const NACK_WC = 'nack-wc-2026-02-01.db'
const PROBES = 'probe-frames-2026-02.db'
const PROBE_FW = 'probe-isnewfw-2025-12-11.db'
const SESSION = 'session-2026-02-17-conn2315.db'
const HANDSHAKE_10 = 'setting-handshake-2025-12-10.db'
const HANDSHAKE_18 = 'setting-handshake-2025-12-18-conn1.db'

type Expected = Omit<ClassifiedText, 'crcOk'> & { crcOk?: boolean }

const upload = (table: string): Expected => ({ class: 'box.upload', table })
const setting = (table: string, item: string): Expected => ({ class: 'cloud.setting', table, item })
const ACK_GETACTUAL: Expected = { class: 'cloud.ack-getactual' }
const NACK_ONEMORE: Expected = { class: 'cloud.nack-onemore' }

/**
 * Every real frame with the class read off its own text against PROTOCOL.md §2 (by hand, not by
 * running the classifier). The capture's `table_name` column is deliberately not used (§6).
 */
const EXPECTED: ReadonlyArray<readonly [file: string, id: number, expected: Expected]> = [
  // Five-minute batches and tbl_actual uploads: TblName + Reason=Table.
  [UPLOADS, 1, upload('tbl_dc_in')],
  [UPLOADS, 2, upload('tbl_ac_in')],
  [UPLOADS, 3, upload('tbl_ac_out')],
  [UPLOADS, 4, upload('tbl_batt')],
  [UPLOADS, 5, upload('tbl_boiler')],
  [UPLOADS, 6, upload('tbl_box')],
  [UPLOADS, 7, upload('tbl_actual')],
  [UPLOADS, 8, upload('tbl_actual')],
  [UPLOADS, 9, upload('tbl_actual')],
  [UPLOADS, 10, upload('tbl_actual')],
  [UPLOADS, 11, upload('tbl_actual')],
  [UPLOADS, 12, upload('tbl_actual')],
  [UPLOADS, 13, upload('tbl_actual')],
  [UPLOADS, 14, upload('tbl_actual')],
  [UPLOADS, 15, upload('tbl_dc_in')],
  [UPLOADS, 16, upload('tbl_ac_in')],
  [UPLOADS, 17, upload('tbl_ac_out')],
  [UPLOADS, 18, upload('tbl_batt')],
  [UPLOADS, 19, upload('tbl_boiler')],
  [UPLOADS, 20, upload('tbl_box')],
  [UPLOADS, 21, upload('tbl_actual')],
  [UPLOADS, 22, upload('tbl_actual')],
  [UPLOADS, 23, upload('tbl_actual')],
  [UPLOADS, 24, upload('tbl_actual')],
  [UPLOADS, 25, upload('tbl_actual')],
  [UPLOADS, 26, upload('tbl_actual')],
  [UPLOADS, 27, upload('tbl_actual')],
  [UPLOADS, 28, upload('tbl_actual')],
  [UPLOADS, 29, upload('tbl_actual')],
  [UPLOADS, 30, upload('tbl_actual')],
  [UPLOADS, 31, upload('tbl_actual')],
  [UPLOADS, 32, upload('tbl_actual')],
  [UPLOADS, 33, upload('tbl_actual')],
  [UPLOADS, 34, upload('tbl_actual')],
  [UPLOADS, 35, upload('tbl_actual')],
  [UPLOADS, 36, upload('tbl_actual')],
  [UPLOADS, 37, upload('tbl_actual')],
  [UPLOADS, 38, upload('tbl_actual')],
  [UPLOADS, 39, upload('tbl_actual')],
  [UPLOADS, 40, upload('tbl_actual')],
  [UPLOADS, 41, upload('tbl_actual')],
  [UPLOADS, 42, upload('tbl_actual')],
  [UPLOADS, 43, upload('tbl_actual')],
  [UPLOADS, 44, upload('tbl_actual')],
  [UPLOADS, 45, upload('tbl_actual')],
  [UPLOADS, 46, upload('tbl_actual')],
  [UPLOADS, 47, upload('tbl_actual')],
  [UPLOADS, 48, upload('tbl_actual')],
  [UPLOADS, 49, upload('tbl_actual')],
  [UPLOADS, 50, upload('tbl_actual')],
  [UPLOADS, 51, upload('tbl_dc_in')],
  [UPLOADS, 52, upload('tbl_ac_in')],
  [UPLOADS, 53, upload('tbl_ac_out')],
  [UPLOADS, 54, upload('tbl_batt')],
  [UPLOADS, 55, upload('tbl_boiler')],
  [UPLOADS, 56, upload('tbl_box')],
  [UPLOADS, 57, upload('tbl_actual')],
  // Cloud Settings: the 14 fields ending Reason=Setting, TSec, ver; no Result.
  [SETTINGS, 1, setting('tbl_box_prms', 'MODE')],
  [SETTINGS, 2, setting('tbl_box_prms', 'MODE')],
  [SETTINGS, 3, setting('tbl_box_prms', 'MODE')],
  [SETTINGS, 4, setting('tbl_box_prms', 'MODE')],
  [SETTINGS, 5, setting('tbl_box_prms', 'MODE')],
  [SETTINGS, 6, setting('tbl_box_prms', 'MODE')],
  [SETTINGS, 7, setting('tbl_box_prms', 'MODE')],
  // Edge cases: END+GetActual (21021), END+Time+UTCTime, BOX END "All data sent", NACKs.
  [EDGE, 234, { class: 'cloud.end-getactual' }],
  [EDGE, 262, { class: 'cloud.end-time' }],
  [EDGE, 303, { class: 'box.end' }],
  [EDGE, 373, { class: 'cloud.end-time' }],
  [EDGE, 404, { class: 'box.end' }],
  [EDGE, 416, { class: 'cloud.end-getactual' }],
  [EDGE, 435, { class: 'box.end' }],
  [EDGE, 499, { class: 'cloud.end-getactual' }],
  [EDGE, 527, { class: 'cloud.end-time' }],
  [EDGE, 552, { class: 'box.end' }],
  [EDGE, 16441, NACK_ONEMORE],
  [EDGE, 24541, NACK_ONEMORE],
  [EDGE, 30733, NACK_ONEMORE],
  [EDGE, 111795, NACK_ONEMORE],
  [EDGE, 241168, { class: 'cloud.nack' }],
  [EDGE, 241170, { class: 'cloud.nack' }],
  [EDGE, 252688, NACK_ONEMORE],
  [EDGE, 498995, NACK_ONEMORE],
  [EDGE, 505675, NACK_ONEMORE],
  [EDGE, 520912, NACK_ONEMORE],
  // tbl_events Type=Change around a tbl_invertor_prms upload.
  [EVENTS, 1, { class: 'box.events', table: 'tbl_events', eventType: 'Change' }],
  [EVENTS, 2, upload('tbl_invertor_prms')],
  [EVENTS, 3, { class: 'box.events', table: 'tbl_events', eventType: 'Change' }],
  // The probe: TblName tbl_box but Reason=Diagnostic (no class) and CRC 00000; the NACK WC reply.
  [NACK_WC, 871951, { class: 'box.unknown', table: 'tbl_box', crcOk: false }],
  [NACK_WC, 871952, { class: 'cloud.nack-wc' }],
  [PROBES, 1, upload('tbl_actual')],
  [PROBES, 2, { class: 'box.poll.isnewset', pollForm: 'short' }],
  // The one real IsNewFW poll: Result=IsNewFW, carries Fw and an empty Up.
  [PROBE_FW, 1, { class: 'box.poll.isnewfw' }],
  // The 2026 session: merged IsNewSet (Result before TblName), uploads, BOX END answered by ACK.
  [SESSION, 13794, { class: 'box.poll.isnewset', pollForm: 'merged' }],
  [SESSION, 13795, { class: 'cloud.end-time' }],
  [SESSION, 13796, upload('tbl_dc_in')],
  [SESSION, 13797, ACK_GETACTUAL],
  [SESSION, 13798, upload('tbl_ac_in')],
  [SESSION, 13799, ACK_GETACTUAL],
  [SESSION, 13800, upload('tbl_ac_out')],
  [SESSION, 13801, ACK_GETACTUAL],
  [SESSION, 13802, upload('tbl_batt')],
  [SESSION, 13803, ACK_GETACTUAL],
  [SESSION, 13804, upload('tbl_box')],
  [SESSION, 13805, ACK_GETACTUAL],
  [SESSION, 13806, upload('tbl_ac_in_b')],
  [SESSION, 13807, ACK_GETACTUAL],
  [SESSION, 13808, upload('tbl_actual')],
  [SESSION, 13809, ACK_GETACTUAL],
  [SESSION, 13810, upload('tbl_invertor')],
  [SESSION, 13811, ACK_GETACTUAL],
  [SESSION, 13812, upload('tbl_ac_in2')],
  [SESSION, 13813, ACK_GETACTUAL],
  [SESSION, 13814, upload('tbl_actual')],
  [SESSION, 13815, { class: 'cloud.ack' }],
  [SESSION, 13816, { class: 'box.end' }],
  [SESSION, 13817, { class: 'cloud.ack' }],
  // The 2025-12-10 handshake: poll → Setting → BOX ACK → END+Time+UTCTime+ToDo → events.
  [HANDSHAKE_10, 1, { class: 'box.poll.isnewset', pollForm: 'short' }],
  [HANDSHAKE_10, 2, setting('tbl_box_prms', 'MODE')],
  [HANDSHAKE_10, 3, { class: 'box.setting-ack' }],
  [HANDSHAKE_10, 4, { class: 'cloud.end-time-getactual' }],
  [HANDSHAKE_10, 5, { class: 'box.events', table: 'tbl_events', eventType: 'Setting' }],
  [HANDSHAKE_18, 1, setting('tbl_box_prms', 'MODE')],
  [HANDSHAKE_18, 2, { class: 'box.setting-ack' }],
  [HANDSHAKE_18, 3, { class: 'cloud.end-time' }],
]

/** Frames whose shape PROTOCOL.md §2 lists on both sides or on neither, so no side can be inferred. */
const NO_INFERABLE_SIDE = new Set([
  `${NACK_WC}#871951`, // Reason=Diagnostic fits no class on either side
  `${NACK_WC}#871952`, // NACK Reason=WC is sent by both sides (§1) and is a BOX setting NACK shape
])

function parsed(raw: string): ParsedFrame {
  const result = parseFrame(raw)
  if (!result.ok) throw new Error(`not a frame: ${result.problem.code}`)
  return result.frame
}

describe('classifyText on real frames', () => {
  it('has an expectation for exactly the captured frames', () => {
    expect(EXPECTED.map(([file, id]) => `${file}#${id}`).sort()).toEqual(
      frames.map((f) => `${f.file}#${f.id}`).sort(),
    )
  })

  it.each(EXPECTED)('classifies %s row %i', (file, id, expected) => {
    const frame = captureFrame(frames, file, id)
    expect(classifyText(frame.raw, frame.side)).toEqual({ crcOk: true, ...expected })
  })

  it('classifies the session’s cloud rows from their content, not from the table_name echo', () => {
    // Row 13795 is stored with table_name IsNewSet (PROTOCOL.md §6) but is the cloud END+Time.
    const end = captureFrame(frames, SESSION, 13795)
    expect(classifyText(end.raw, 'cloud').class).toBe('cloud.end-time')
  })
})

describe('classifyText on synthetic frames of classes without a real capture', () => {
  const box = (pairs: ReadonlyArray<readonly [string, string]>): ClassifiedText =>
    classifyText(buildFrameFromPairs(pairs), 'box')
  const cloud = (pairs: ReadonlyArray<readonly [string, string]>): ClassifiedText =>
    classifyText(buildFrameFromPairs(pairs), 'cloud')

  it.each([
    [
      'an IsNewFW poll with Fw and an empty Up',
      [
        ['Result', 'IsNewFW'],
        ['ID_Device', '2206237016'],
        ['Fw', 'v.4.4.43.0716'],
        ['Up', ''],
        ['ver', '12345'],
      ],
      { class: 'box.poll.isnewfw' },
    ],
    [
      'an IsNewWeather poll with Geobaseid and LoadedOn',
      [
        ['Result', 'IsNewWeather'],
        ['ID_Device', '2206237016'],
        ['Geobaseid', '3067696'],
        ['LoadedOn', '2025-12-18 20:00:00'],
        ['ver', '23456'],
      ],
      { class: 'box.poll.isnewweather' },
    ],
    [
      'a setting NACK with Reason=Setting',
      [
        ['Result', 'NACK'],
        ['Rdt', '2025-12-18 20:26:21'],
        ['Reason', 'Setting'],
        ['ver', '34567'],
      ],
      { class: 'box.setting-nack' },
    ],
    [
      'a setting NACK with Reason=WC',
      [
        ['Result', 'NACK'],
        ['Reason', 'WC'],
      ],
      { class: 'box.setting-nack' },
    ],
    [
      'a Factory events upload',
      [
        ['TblName', 'tbl_events'],
        ['Reason', 'Table'],
        ['ID_Device', '2206237016'],
        ['Type', 'Factory'],
        ['Content', 'diagnostics'],
        ['ver', '45678'],
      ],
      { class: 'box.events', table: 'tbl_events', eventType: 'Factory' },
    ],
    [
      'a BOX END of 2026 without ver',
      [
        ['Result', 'END'],
        ['Rdt', '2026-02-17 09:05:56'],
        ['Reason', 'All data sent'],
      ],
      { class: 'box.end' },
    ],
    [
      'an IsNewFW poll that also carries TblName (Result decides first)',
      [
        ['Result', 'IsNewFW'],
        ['TblName', 'tbl_actual'],
        ['Reason', 'Table'],
      ],
      { class: 'box.poll.isnewfw' },
    ],
    [
      'a BOX frame with TblName but Reason not Table',
      [
        ['TblName', 'tbl_box'],
        ['Reason', 'Diagnostic'],
      ],
      { class: 'box.unknown', table: 'tbl_box' },
    ],
    [
      'a BOX frame with TblName and no Reason',
      [['TblName', 'tbl_actual']],
      { class: 'box.unknown', table: 'tbl_actual' },
    ],
    [
      'an events upload with a Type the vocabulary lacks',
      [
        ['TblName', 'tbl_events'],
        ['Reason', 'Table'],
        ['Type', 'Reboot'],
      ],
      { class: 'box.unknown', table: 'tbl_events' },
    ],
    [
      'a BOX frame with a Result the vocabulary lacks',
      [['Result', 'Maybe']],
      { class: 'box.unknown' },
    ],
    [
      'a BOX ACK whose Reason is not Setting',
      [
        ['Result', 'ACK'],
        ['Reason', 'Table'],
      ],
      { class: 'box.unknown' },
    ],
    ['a BOX END without "All data sent"', [['Result', 'END']], { class: 'box.unknown' }],
    [
      'a BOX frame with neither Result nor TblName',
      [['ID_Device', '2206237016']],
      { class: 'box.unknown' },
    ],
  ] as const)('classifies %s from the BOX', (_name, pairs, expected) => {
    expect(box(pairs)).toEqual({ ...expected, crcOk: true })
  })

  it('classifies the bare END constant (34500) from the cloud', () => {
    expect(
      classifyText('<Frame><Result>END</Result><CRC>34500</CRC></Frame>\r\n', 'cloud'),
    ).toEqual({
      class: 'cloud.end',
      crcOk: true,
    })
  })

  it.each([
    [
      'an ACK+GetActual with an extra tag',
      [
        ['Result', 'ACK'],
        ['ToDo', 'GetActual'],
        ['Extra', '1'],
      ],
    ],
    ['a Result the vocabulary lacks', [['Result', 'Maybe']]],
    [
      'an ACK with a ToDo other than GetActual',
      [
        ['Result', 'ACK'],
        ['ToDo', 'Reboot'],
      ],
    ],
    [
      'a NACK with a Reason the vocabulary lacks',
      [
        ['Result', 'NACK'],
        ['Reason', 'Busy'],
      ],
    ],
    [
      'a Setting without TblItem',
      [
        ['ID', '13589888'],
        ['ID_Set', '1765399208'],
        ['NewValue', '3'],
        ['TblName', 'tbl_box_prms'],
        ['Reason', 'Setting'],
      ],
    ],
    [
      'a BOX table upload sent to the BOX',
      [
        ['TblName', 'tbl_actual'],
        ['Reason', 'Table'],
      ],
    ],
  ] as const)('classifies %s from the cloud as cloud.unknown', (_name, pairs) => {
    expect(cloud(pairs)).toEqual({ class: 'cloud.unknown', crcOk: true })
  })

  it('classifies a well-formed frame with a bad CRC by content and reports crcOk false', () => {
    const text = buildFrameFromPairs([['Result', 'ACK']], { crcText: '00000' })
    expect(classifyText(text, 'cloud')).toEqual({ class: 'cloud.ack', crcOk: false })
  })
})

describe('classifyText on text that is not a frame', () => {
  it.each([
    ['box', '', 'box.unknown', 'NOT_A_FRAME', null],
    ['cloud', 'hello', 'cloud.unknown', 'NOT_A_FRAME', null],
    ['box', 'GET / HTTP/1.1\r\n', 'box.unknown', 'NOT_A_FRAME', null],
    ['cloud', '<Frame><Result>ACK</Result></Frame>', 'cloud.unknown', 'MISSING_CRC', false],
    [
      'box',
      '<Frame><Result>ACK</Result><CRC>54590</CRC></Frame>x',
      'box.unknown',
      'TRAILING_DATA',
      null,
    ],
  ] as const)('gives a %s side %j the unknown class', (side, text, cls, problem, crcOk) => {
    expect(classifyText(text, side)).toEqual({ class: cls, crcOk, problem })
  })
})

describe('classifyFrame', () => {
  it('gives the same class as classifyText for a parsed real frame', () => {
    const merged = captureFrame(frames, SESSION, 13794)
    expect(classifyFrame(parsed(merged.raw), 'box')).toEqual({
      class: 'box.poll.isnewset',
      pollForm: 'merged',
    })
  })

  it('classifies the same frame differently by side', () => {
    const nackWc = parsed(captureFrame(frames, NACK_WC, 871952).raw)
    expect(classifyFrame(nackWc, 'cloud')).toEqual({ class: 'cloud.nack-wc' })
    expect(classifyFrame(nackWc, 'box')).toEqual({ class: 'box.setting-nack' })
  })
})

describe('inferSide', () => {
  it.each(frames.map((f) => [f.file, f.id, f.side] as const))(
    'infers the side of %s row %i',
    (file, id, side) => {
      const expected: FrameSide | null = NO_INFERABLE_SIDE.has(`${file}#${id}`) ? null : side
      expect(inferSide(parsed(captureFrame(frames, file, id).raw))).toBe(expected)
    },
  )
})

describe('classification of frames parsed with keepTags: CLASSIFY_TAGS', () => {
  it('gives the same class as a full parse for every real frame', async () => {
    const { CLASSIFY_TAGS, classifyFrame } = await import('../../src/protocol/classify.js')
    const { parseFrame } = await import('../../src/protocol/frame.js')
    const { loadCaptureFrames } = await import('../helpers/captures.js')
    for (const f of loadCaptureFrames()) {
      const full = parseFrame(f.raw)
      const lite = parseFrame(f.raw, { keepTags: CLASSIFY_TAGS })
      if (!full.ok || !lite.ok) {
        expect(lite.ok).toBe(full.ok)
        continue
      }
      expect(classifyFrame(lite.frame, f.side)).toEqual(classifyFrame(full.frame, f.side))
    }
  })

  it('still rejects a fixed-shape reply with an extra tag outside the classified set', async () => {
    const { CLASSIFY_TAGS, classifyFrame } = await import('../../src/protocol/classify.js')
    const { buildFrameFromPairs, parseFrame } = await import('../../src/protocol/frame.js')
    const raw = buildFrameFromPairs([
      ['Result', 'ACK'],
      ['Extra', '1'],
    ])
    const lite = parseFrame(raw, { keepTags: CLASSIFY_TAGS })
    expect(lite.ok && classifyFrame(lite.frame, 'cloud').class).toBe('cloud.unknown')
  })
})
