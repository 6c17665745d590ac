import { describe, expect, it } from 'vitest'
import { crc16Modbus, formatCrc } from '../../src/protocol/crc.js'
import {
  buildFrame,
  buildFrameFromPairs,
  getTag,
  innerText,
  parseFrame,
  rebuildFrame,
  tagNames,
  type ParsedFrame,
} from '../../src/protocol/frame.js'
import { captureFrame, loadCaptureFrames } from '../helpers/captures.js'

const frames = loadCaptureFrames()
const PROBE = captureFrame(frames, 'nack-wc-2026-02-01.db', 871951)
const MERGED_ISNEWSET = captureFrame(frames, 'session-2026-02-17-conn2315.db', 13794)

function parseOk(text: string): ParsedFrame {
  const result = parseFrame(text)
  if (!result.ok) throw new Error(`expected a frame, got ${result.problem.code}`)
  return result.frame
}

const terminatorOf = (raw: string): string => (raw.endsWith('\r\n') ? '\r\n' : '')

describe('parseFrame', () => {
  it('parses a frame into its ordered children, CRC text and terminator', () => {
    const frame = parseOk(
      '<Frame><Result>ACK</Result><ToDo>GetActual</ToDo><CRC>00167</CRC></Frame>\r\n',
    )
    expect(frame).toEqual({
      children: [
        { tag: 'Result', value: 'ACK' },
        { tag: 'ToDo', value: 'GetActual' },
      ],
      childCount: 2,
      crcText: '00167',
      crcComputed: 167,
      crcOk: true,
      terminator: '\r\n',
    })
  })

  it('materialises only keepTags but still validates and counts every child', () => {
    const full = parseOk(MERGED_ISNEWSET.raw)
    const r = parseFrame(MERGED_ISNEWSET.raw, { keepTags: new Set(['Result', 'TblName']) })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.frame.children).toEqual([
      { tag: 'Result', value: 'IsNewSet' },
      { tag: 'TblName', value: 'tbl_actual' },
    ])
    expect(r.frame.childCount).toBe(full.children.length)
    expect(r.frame.crcOk).toBe(true)
    expect(
      parseFrame('<Frame><A>1</B><CRC>00000</CRC></Frame>', { keepTags: new Set(['X']) }).ok,
    ).toBe(false)
  })

  it('keeps duplicate tags in order (merged IsNewSet carries ID_Device twice)', () => {
    const frame = parseOk(MERGED_ISNEWSET.raw)
    const names = tagNames(frame)
    expect(names.slice(0, 9)).toEqual([
      'Result',
      'ID_Device',
      'Lat',
      'TblName',
      'ID_Set',
      'DT',
      'Reason',
      'ID_Device',
      'ENBL',
    ])
    expect(names.filter((n) => n === 'ID_Device')).toHaveLength(2)
    expect(names).toHaveLength(36)
    expect(names.at(-1)).toBe('ver')
    expect(getTag(frame, 'Result')).toBe('IsNewSet')
    expect(getTag(frame, 'TblName')).toBe('tbl_actual')
    expect(getTag(frame, 'Lat')).toBe('636')
  })

  it('returns the first occurrence of a duplicated tag from getTag', () => {
    const frame = parseOk(
      buildFrameFromPairs([
        ['Result', 'ACK'],
        ['Reason', 'Setting'],
        ['Reason', 'WC'],
      ]),
    )
    expect(frame.children.filter((c) => c.tag === 'Reason').map((c) => c.value)).toEqual([
      'Setting',
      'WC',
    ])
    expect(getTag(frame, 'Reason')).toBe('Setting')
    expect(getTag(frame, 'Missing')).toBeUndefined()
  })

  it('keeps an empty value as an empty string', () => {
    const frame = parseOk(buildFrameFromPairs([['Up', '']]))
    expect(getTag(frame, 'Up')).toBe('')
  })

  it.each(frames.map((f) => [f.file, f.id, f.raw] as const))(
    'parses %s row %i with the terminator it was captured with',
    (_file, _id, raw) => {
      const frame = parseOk(raw)
      expect(frame.terminator).toBe(terminatorOf(raw))
      expect(frame.children.length).toBeGreaterThan(0)
      expect(frame.crcText).toMatch(/^\d{5}$/)
    },
  )

  it('reports the bad-CRC probe as a frame whose CRC does not verify', () => {
    const frame = parseOk(PROBE.raw)
    expect(frame.crcText).toBe('00000')
    expect(frame.crcOk).toBe(false)
    expect(frame.crcComputed).not.toBe(0)
    expect(getTag(frame, 'Reason')).toBe('Diagnostic')
  })

  it.each([
    ['CRLF', '\r\n'],
    ['lone CR', '\r'],
    ['lone LF', '\n'],
    ['no terminator', ''],
  ] as const)('accepts %s after </Frame>', (_name, terminator) => {
    const frame = parseOk(`<Frame><Result>ACK</Result><CRC>54590</CRC></Frame>${terminator}`)
    expect(frame.terminator).toBe(terminator)
    expect(frame.crcOk).toBe(true)
  })

  it('rejects a CRC that is not 5 zero-padded digits', () => {
    const frame = parseOk('<Frame><Result>ACK</Result><ToDo>GetActual</ToDo><CRC>167</CRC></Frame>')
    expect(frame.crcOk).toBe(false)
    expect(frame.crcComputed).toBe(167)
  })

  it('keeps a non-numeric CRC text as carried and reports it unverified', () => {
    const raw = '<Frame><Result>ACK</Result><CRC>abc</CRC></Frame>\r\n'
    const frame = parseOk(raw)
    expect(frame.crcText).toBe('abc')
    expect(frame.crcOk).toBe(false)
    expect(rebuildFrame(frame)).toBe(raw)
  })

  it('reports an empty CRC text as carried and unverified', () => {
    const raw = '<Frame><Result>ACK</Result><CRC></CRC></Frame>'
    const frame = parseOk(raw)
    expect(frame.crcText).toBe('')
    expect(frame.crcOk).toBe(false)
    expect(rebuildFrame(frame)).toBe(raw)
  })

  describe('returns problem values, never throws', () => {
    it.each([
      ['an empty string', '', 'NOT_A_FRAME', null],
      ['plain text', 'hello', 'NOT_A_FRAME', null],
      [
        'a frame without </Frame>',
        '<Frame><Result>ACK</Result><CRC>54590</CRC>',
        'NOT_A_FRAME',
        null,
      ],
      [
        'text before <Frame>',
        'x<Frame><Result>ACK</Result><CRC>54590</CRC></Frame>',
        'NOT_A_FRAME',
        null,
      ],
      [
        'trailing data after </Frame>',
        '<Frame><Result>ACK</Result><CRC>54590</CRC></Frame>junk',
        'TRAILING_DATA',
        null,
      ],
      [
        'two line endings after </Frame>',
        '<Frame><Result>ACK</Result><CRC>54590</CRC></Frame>\r\n\r\n',
        'TRAILING_DATA',
        null,
      ],
      [
        'two frames in one text',
        '<Frame><Result>ACK</Result><CRC>54590</CRC></Frame><Frame><Result>END</Result><CRC>34500</CRC></Frame>',
        'MALFORMED_CHILDREN',
        false,
      ],
      ['a frame without CRC', '<Frame><Result>ACK</Result></Frame>\r\n', 'MISSING_CRC', false],
      ['an empty frame', '<Frame></Frame>', 'MISSING_CRC', false],
      [
        'an unclosed child',
        '<Frame><Result>ACK<ToDo>GetActual</ToDo><CRC>00167</CRC></Frame>',
        'MALFORMED_CHILDREN',
        false,
      ],
      [
        'a mismatched closing tag',
        '<Frame><Result>ACK</Reason><CRC>54590</CRC></Frame>',
        'MALFORMED_CHILDREN',
        false,
      ],
      [
        'text between children',
        '<Frame><Result>ACK</Result>x<CRC>54590</CRC></Frame>',
        'MALFORMED_CHILDREN',
        false,
      ],
      [
        'a nested element',
        '<Frame><Result><Inner>ACK</Inner></Result><CRC>54590</CRC></Frame>',
        'MALFORMED_CHILDREN',
        false,
      ],
      [
        'a child after the CRC',
        '<Frame><Result>ACK</Result><CRC>54590</CRC><ToDo>GetActual</ToDo></Frame>',
        'MALFORMED_CHILDREN',
        false,
      ],
    ] as const)('reports %s', (_name, text, code, crcOk) => {
      const result = parseFrame(text)
      expect(result).toMatchObject({ ok: false, problem: { code }, crcOk })
      if (!result.ok) expect(result.problem.message).not.toBe('')
    })

    it('reports the CRC status of a malformed frame whose covered bytes still verify', () => {
      const covered = '<Result>ACK<Result>'
      const crc = formatCrc(crc16Modbus(covered))
      expect(parseFrame(`<Frame>${covered}<CRC>${crc}</CRC></Frame>`)).toMatchObject({
        ok: false,
        problem: { code: 'MALFORMED_CHILDREN' },
        crcOk: true,
      })
    })
  })
})

describe('rebuildFrame', () => {
  it.each(frames.map((f) => [f.file, f.id, f.raw] as const))(
    'rebuilds %s row %i byte for byte',
    (_file, _id, raw) => {
      expect(rebuildFrame(parseOk(raw))).toBe(raw)
    },
  )
})

describe('buildFrame', () => {
  const valid = frames.filter((f) => parseOk(f.raw).crcOk)

  it('leaves only the bad-CRC probe out of the CRC-valid frames', () => {
    expect(frames.filter((f) => !valid.includes(f))).toEqual([PROBE])
  })

  it.each(valid.map((f) => [f.file, f.id, f.raw] as const))(
    'reproduces %s row %i from its children with a computed CRC',
    (_file, _id, raw) => {
      const frame = parseOk(raw)
      expect(buildFrame(frame.children, { terminator: frame.terminator })).toBe(raw)
    },
  )

  it('computes the CRC and appends CRLF by default', () => {
    expect(buildFrameFromPairs([['Result', 'ACK']])).toBe(
      '<Frame><Result>ACK</Result><CRC>54590</CRC></Frame>\r\n',
    )
    expect(buildFrame([{ tag: 'Result', value: 'END' }])).toBe(
      '<Frame><Result>END</Result><CRC>34500</CRC></Frame>\r\n',
    )
  })

  it.each([
    [
      'no terminator',
      '',
      '<Frame><Result>ACK</Result><ToDo>GetActual</ToDo><CRC>00167</CRC></Frame>',
    ],
    [
      'lone LF',
      '\n',
      '<Frame><Result>ACK</Result><ToDo>GetActual</ToDo><CRC>00167</CRC></Frame>\n',
    ],
  ] as const)('appends the requested terminator (%s)', (_name, terminator, expected) => {
    expect(
      buildFrameFromPairs(
        [
          ['Result', 'ACK'],
          ['ToDo', 'GetActual'],
        ],
        { terminator },
      ),
    ).toBe(expected)
  })

  it('carries a given CRC text instead of computing one', () => {
    expect(buildFrameFromPairs([['Result', 'ACK']], { crcText: '00000', terminator: '' })).toBe(
      '<Frame><Result>ACK</Result><CRC>00000</CRC></Frame>',
    )
  })

  it('serialises children to the inner text the CRC covers', () => {
    expect(
      innerText([
        { tag: 'Result', value: 'END' },
        { tag: 'Time', value: '2026-02-17 09:05:13' },
      ]),
    ).toBe('<Result>END</Result><Time>2026-02-17 09:05:13</Time>')
  })
})
