/**
 * Frames are bytes (PROTOCOL.md §1, issue 12 item 2): the CRC covers the bytes as they came off
 * the wire, whatever they are. SYNTHETIC frames built on a real upload with non-ASCII values.
 */
import { describe, expect, it } from 'vitest'
import { classifyText } from '../../src/protocol/classify.js'
import { crc16Modbus, formatCrc } from '../../src/protocol/crc.js'
import {
  buildFrameFromPairs,
  carriedCrcOk,
  getTag,
  parseFrame,
  wireBytes,
} from '../../src/protocol/frame.js'
import { FrameSplitter } from '../../src/protocol/frame-splitter.js'
import { bare, realFrames } from '../helpers/box-frames.js'
import { loadCaptureFrames } from '../helpers/captures.js'
import { frameOf, setTag } from '../helpers/fuzz-frames.js'

const F = realFrames()
const INNER = Buffer.from(/^<Frame>(.*)<CRC>/s.exec(F.upload)![1]!, 'utf8')
const UTF8 = frameOf(setTag(INNER, 'Note', Buffer.from('Řež °C', 'utf8'))).subarray(0, -2)
const CP1250 = frameOf(setTag(INNER, 'Note', Buffer.from([0xd8, 0x65, 0x9e, 0xb0]))).subarray(0, -2)

describe('frames as bytes', () => {
  it.each([
    ['UTF-8', UTF8],
    ['single-byte (not UTF-8)', CP1250],
  ])('verifies the CRC over the bytes of a %s value', (_name, bytes) => {
    const parsed = parseFrame(bytes)
    expect(parsed.ok && parsed.frame.crcOk).toBe(true)
    expect(carriedCrcOk(bytes)).toBe(true)
    expect(classifyText(bytes, 'box')).toMatchObject({ class: 'box.upload', crcOk: true })
  })

  it('reads a text frame as its UTF-8 bytes, values decoded', () => {
    const text = UTF8.toString('utf8')
    const parsed = parseFrame(text)
    expect(parsed.ok && parsed.frame.crcOk).toBe(true)
    expect(parsed.ok && getTag(parsed.frame, 'Note')).toBe('Řež °C')
    expect(parsed.ok && parsed.frame.crcComputed).toBe(
      crc16Modbus(setTag(INNER, 'Note', Buffer.from('Řež °C', 'utf8'))),
    )
  })

  it('does not verify the same value re-encoded (latin1 view of UTF-8 bytes is not the frame)', () => {
    const mangled = Buffer.from(UTF8.toString('latin1'), 'utf8')
    expect(carriedCrcOk(mangled)).toBe(false)
    const parsed = parseFrame(mangled)
    expect(parsed.ok && parsed.frame.crcOk).toBe(false)
  })

  it('builds a frame whose CRC covers the UTF-8 bytes it is sent as', () => {
    const frame = bare(
      buildFrameFromPairs([
        ['NewValue', 'ř'],
        ['Reason', 'Setting'],
      ]),
    )
    const bytes = wireBytes(frame)
    expect(bytes.includes(Buffer.from([0xc5, 0x99]))).toBe(true)
    expect(carriedCrcOk(bytes)).toBe(true)
    const inner = bytes.subarray(7, bytes.lastIndexOf('<CRC>'))
    expect(frame).toContain(`<CRC>${formatCrc(crc16Modbus(inner))}</CRC>`)
  })

  it('splits byte-exact frames out of a stream cut inside a multi-byte character', () => {
    const splitter = new FrameSplitter()
    const stream = Buffer.concat([UTF8, Buffer.from('\r\n'), CP1250, Buffer.from('\r\n')])
    const cut = UTF8.indexOf(Buffer.from('Ř')) + 1
    const events = [
      ...splitter.push(stream.subarray(0, cut)),
      ...splitter.push(stream.subarray(cut)),
    ]
    expect(events).toEqual([
      { type: 'frame', bytes: UTF8 },
      { type: 'frame', bytes: CP1250 },
    ])
  })

  it('agrees with parseFrame on every real frame and on odd CRC texts', () => {
    const odd = ['<CRC>167</CRC>', '<CRC>0016a</CRC>', '<CRC></CRC>', '<CRC>000167</CRC>', '']
    const ack = '<Frame><Result>ACK</Result><ToDo>GetActual</ToDo><CRC>00167</CRC></Frame>'
    const texts = [
      ...loadCaptureFrames().map((f) => bare(f.raw)),
      ...odd.map((crc) => ack.replace('<CRC>00167</CRC>', crc)),
    ]
    for (const text of texts) {
      const parsed = parseFrame(text)
      const expected = parsed.ok ? parsed.frame.crcOk : parsed.crcOk
      expect(carriedCrcOk(text), text.slice(0, 80)).toBe(expected)
    }
    expect(carriedCrcOk(ack)).toBe(true)
  })

  it('gives null for bytes that are not one frame', () => {
    expect(carriedCrcOk(Buffer.from('<Frame><Result>ACK</Result><CRC>54590</CRC>'))).toBeNull()
    expect(carriedCrcOk('no frame at all')).toBeNull()
  })
})
