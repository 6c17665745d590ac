import { describe, expect, it } from 'vitest'
import { crc16Ascii, crc16ByteView, crc16Modbus, formatCrc } from '../../src/protocol/crc.js'
import { loadCaptureFrames } from '../helpers/captures.js'

const frames = loadCaptureFrames()

/** The deliberate bad-CRC probe (captures README): its carried CRC is `00000`. */
const BAD_CRC_PROBE = { file: 'nack-wc-2026-02-01.db', id: 871951 }

/** Splits a raw frame independently of frame.ts: covered inner text and the carried CRC. */
function splitRaw(raw: string): { covered: string; carried: string } {
  const m = /^<Frame>(.*)<CRC>(\d{5})<\/CRC><\/Frame>(?:\r\n)?$/s.exec(raw)
  if (!m) throw new Error(`not a frame: ${raw.slice(0, 60)}`)
  return { covered: m[1]!, carried: m[2]! }
}

const isProbe = (f: { file: string; id: number }): boolean =>
  f.file === BAD_CRC_PROBE.file && f.id === BAD_CRC_PROBE.id

describe('crc16Modbus', () => {
  it('computes the CRC-16/MODBUS check value 19255 for "123456789"', () => {
    expect(crc16Modbus('123456789')).toBe(19255)
  })

  it('computes 0xFFFF (the init value) for empty input', () => {
    expect(crc16Modbus('')).toBe(0xffff)
    expect(crc16Modbus(new Uint8Array())).toBe(0xffff)
  })

  it.each([
    ['<Result>ACK</Result><ToDo>GetActual</ToDo>', '00167'],
    ['<Result>ACK</Result>', '54590'],
    ['<Result>END</Result>', '34500'],
    ['<Result>END</Result><ToDo>GetActual</ToDo>', '21021'],
    ['<Result>NACK</Result><Reason>OneMore</Reason>', '45909'],
    ['<Result>NACK</Result><Reason>WC</Reason>', '21736'],
    ['<Result>NACK</Result>', '56002'],
  ])('computes the known constant of %s as %s', (inner, expected) => {
    expect(formatCrc(crc16Modbus(inner))).toBe(expected)
  })

  it.each(frames.filter((f) => !isProbe(f)).map((f) => [f.file, f.id, f.raw] as const))(
    'verifies the carried CRC of %s row %i',
    (_file, _id, raw) => {
      const { covered, carried } = splitRaw(raw)
      expect(formatCrc(crc16Modbus(covered))).toBe(carried)
    },
  )

  it('does not verify the deliberate bad-CRC probe (carried 00000)', () => {
    const probe = frames.find(isProbe)
    expect(probe).toBeDefined()
    const { covered, carried } = splitRaw(probe!.raw)
    expect(carried).toBe('00000')
    expect(formatCrc(crc16Modbus(covered))).not.toBe('00000')
  })

  it.each(frames.map((f) => [f.file, f.id, f.raw] as const))(
    'gives the same CRC for string and Uint8Array input of %s row %i',
    (_file, _id, raw) => {
      const { covered } = splitRaw(raw)
      expect(crc16Modbus(new TextEncoder().encode(covered))).toBe(crc16Modbus(covered))
      expect(crc16Modbus(Buffer.from(covered, 'latin1'))).toBe(crc16Modbus(covered))
    },
  )

  it('takes a non-ASCII string as UTF-8 bytes', () => {
    const text = '<Content>Teplota 25 °C</Content>'
    expect(crc16Modbus(text)).toBe(crc16Modbus(new TextEncoder().encode(text)))
  })
})

describe('formatCrc', () => {
  it.each([
    [0, '00000'],
    [7, '00007'],
    [167, '00167'],
    [4003, '04003'],
    [19255, '19255'],
    [65535, '65535'],
  ])('formats %i as %s', (value, text) => {
    expect(formatCrc(value)).toBe(text)
  })
})

/** One table step a byte: the textbook CRC-16/MODBUS, the reference for the two-byte loop. */
function referenceCrc(codes: Iterable<number>): number {
  let crc = 0xffff
  for (const code of codes) {
    crc ^= code & 0xff
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1
  }
  return crc
}

describe('the two-byte CRC loop equals the one-byte reference', () => {
  // A fixed pseudo-random stream: every length parity, start and end offset, byte value.
  let seed = 12345
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed % n
  }
  const cases = Array.from({ length: 500 }, () => {
    const bytes = Uint8Array.from({ length: next(41) }, () => next(256))
    const start = next(bytes.length + 1)
    return { bytes, start, end: start + next(bytes.length - start + 1) }
  })

  it('over bytes, byte views and ASCII text, at any offsets', () => {
    for (const { bytes, start, end } of cases) {
      const want = referenceCrc(bytes.subarray(start, end))
      expect(crc16Modbus(bytes, start, end)).toBe(want)
      expect(crc16ByteView(Buffer.from(bytes).toString('latin1'), start, end)).toBe(want)
      const ascii = Buffer.from(bytes.map((b) => b & 0x7f))
      const asciiWant = referenceCrc(ascii.subarray(start, end))
      expect(crc16Ascii(ascii.toString('latin1'), start, end)).toBe(asciiWant)
      expect(crc16Modbus(ascii.toString('latin1'), start, end)).toBe(asciiWant)
    }
  })

  it('takes non-ASCII text as its UTF-8 bytes, and says -1 for it in the ASCII variant', () => {
    for (const { bytes } of cases.slice(0, 100)) {
      const text = `é${Buffer.from(bytes.map((b) => b & 0x7f)).toString('latin1')}€`
      expect(crc16Modbus(text)).toBe(referenceCrc(Buffer.from(text, 'utf8')))
      expect(crc16Ascii(text, 0, text.length)).toBe(-1)
    }
  })
})
