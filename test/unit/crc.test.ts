import { describe, expect, it } from 'vitest'
import { crc16Modbus, formatCrc } from '../../src/protocol/crc.js'
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
