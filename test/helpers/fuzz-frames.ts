/**
 * SYNTHETIC hostile BOX frames for the fuzz tests: real BOX frames of `../shared/captures`
 * mutated by a seeded generator. Content mutations stay inside `<Frame>` … `</Frame>` (the
 * splitter sees exactly one frame per mutated frame, so every reply can be accounted for);
 * stream mutations (junk, truncation, oversize) are separate. Prototype names are put into every
 * tag that classification, contract keys or counters read.
 */
import { crc16Modbus, formatCrc } from '../../src/protocol/crc.js'
import { loadCaptureFrames } from './captures.js'

/** Names Object.prototype answers to: as a value or a tag, they must stay plain text. */
export const PROTOTYPE_NAMES = [
  'constructor',
  'toString',
  '__proto__',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
  'prototype',
] as const

/** Tags whose values classify a frame or key a table, a count or a contract row. */
export const KEY_TAGS = [
  'Result',
  'TblName',
  'Reason',
  'Type',
  'ToDo',
  'TblItem',
  'ID_Device',
  'NewValue',
  'ID',
  'ID_Set',
] as const

/** Values that make a frame a poll, an ACK or an upload, so a prototype name meets every path. */
const RESULTS = ['IsNewSet', 'IsNewFW', 'IsNewWeather', 'ACK', 'NACK', 'END']

/** Seeded PRNG (mulberry32): the same seed gives the same frames. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The inner bytes of the real BOX frames (between `<Frame>` and `<CRC>`). */
export function realBoxInners(): Buffer[] {
  const out: Buffer[] = []
  for (const f of loadCaptureFrames()) {
    if (f.side !== 'box') continue
    const m = /^<Frame>(.*)<CRC>\d{5}<\/CRC><\/Frame>/s.exec(f.raw)
    if (m) out.push(Buffer.from(m[1]!, 'utf8'))
  }
  return out
}

/** `<Frame>inner<CRC>crc</CRC></Frame>` + CRLF, the CRC over the inner bytes (or stale). */
export function frameOf(inner: Buffer, crc: 'valid' | 'stale' = 'valid'): Buffer {
  const value = crc16Modbus(inner)
  const text = formatCrc(crc === 'valid' ? value : (value + 1) % 65536)
  return Buffer.concat([
    Buffer.from('<Frame>'),
    inner,
    Buffer.from(`<CRC>${text}</CRC></Frame>\r\n`),
  ])
}

const el = (tag: string, value: string | Buffer): Buffer =>
  Buffer.concat([Buffer.from(`<${tag}>`), Buffer.from(value), Buffer.from(`</${tag}>`)])

/** Replaces the first `<tag>…</tag>` of `inner` (or prepends one) with `value`. */
export function setTag(inner: Buffer, tag: string, value: string | Buffer): Buffer {
  const open = inner.indexOf(`<${tag}>`)
  const close = open < 0 ? -1 : inner.indexOf(`</${tag}>`, open)
  if (open < 0 || close < 0) return Buffer.concat([el(tag, value), inner])
  return Buffer.concat([
    inner.subarray(0, open),
    el(tag, value),
    inner.subarray(close + tag.length + 3),
  ])
}

/** A mutated frame never holds a frame boundary of its own (one frame in, one frame out). */
const clean = (inner: Buffer): boolean => !inner.includes('<Frame>') && !inner.includes('</Frame>')

export type Chooser = <T>(xs: readonly T[]) => T

interface Mutation {
  readonly inner: Buffer
  readonly crc?: 'valid' | 'stale'
}

/** One content mutation of a real inner, with a valid CRC unless the mutation is a bad CRC. */
function mutate(inner: Buffer, r: () => number, pick: Chooser): Mutation {
  const roll = r()
  const proto = pick(PROTOTYPE_NAMES)
  if (roll < 0.3) return { inner: setTag(inner, pick(KEY_TAGS), proto) }
  if (roll < 0.45) {
    // A poll / ACK / END whose other key tags are prototype names.
    const base = setTag(inner, 'Result', pick(RESULTS))
    return {
      inner: setTag(setTag(base, pick(KEY_TAGS.slice(1)), proto), 'Reason', pick(PROTOTYPE_NAMES)),
    }
  }
  if (roll < 0.55) return { inner: setTag(inner, pick(KEY_TAGS), proto), crc: 'stale' }
  if (roll < 0.62) return { inner: Buffer.concat([el(proto, pick(PROTOTYPE_NAMES)), inner]) }
  if (roll < 0.72) {
    // Random bytes (any value, >= 0x80 included) over a stretch of the inner bytes.
    const copy = Buffer.from(inner)
    const n = 1 + Math.floor(r() * 8)
    for (let i = 0; i < n && copy.length > 0; i++)
      copy[Math.floor(r() * copy.length)] = Math.floor(r() * 256)
    return { inner: copy, crc: r() < 0.5 ? 'valid' : 'stale' }
  }
  if (roll < 0.82) {
    // Non-ASCII values with a valid CRC over their bytes: UTF-8 and single-byte (cp1250 ř = 0xF8).
    const value =
      r() < 0.5 ? Buffer.from('Čeřovský ěšč °C', 'utf8') : Buffer.from([0x52, 0xf8, 0xe9, 0x9a])
    return {
      inner: setTag(inner, pick(['ID_Device', 'TblItem', 'NewValue', 'Content', 'Type']), value),
    }
  }
  if (roll < 0.9) {
    // Duplicate tags: the first one (a prototype name) wins.
    return { inner: Buffer.concat([el('Result', proto), el('TblName', proto), inner]) }
  }
  // Truncated children: the inner is cut anywhere, CRC over what is left.
  return { inner: inner.subarray(0, Math.floor(r() * inner.length)) }
}

/**
 * `count` mutated BOX frames (each with CRLF), from the real BOX frames, seeded; every one is a
 * single frame to the splitter and smaller than `maxBytes`.
 */
export function* mutatedFrames(count: number, seed: number, maxBytes = 8192): Generator<Buffer> {
  const inners = realBoxInners()
  const r = rng(seed)
  const pick: Chooser = (xs) => xs[Math.floor(r() * xs.length)]!
  for (let made = 0; made < count;) {
    const m = mutate(pick(inners), r, pick)
    const frame = frameOf(m.inner, m.crc)
    if (!clean(m.inner) || frame.length > maxBytes) continue
    made++
    yield frame
  }
}

/**
 * Stream-level junk for one connection: bytes outside frames, a frame cut short by the next one,
 * a frame without `</Frame>` left at FIN, or an oversize frame; each followed by a valid frame.
 */
export function streamJunk(r: () => number, valid: Buffer, maxFrameBytes: number): Buffer[] {
  const kind = Math.floor(r() * 4)
  if (kind === 0) return [Buffer.from('GET / HTTP/1.1\r\n\u0000\u00ff'), valid]
  if (kind === 1) return [valid.subarray(0, Math.floor(valid.length / 2)), valid]
  if (kind === 2) return [valid, valid.subarray(0, valid.length - 12)]
  return [Buffer.concat([Buffer.from('<Frame>'), Buffer.alloc(maxFrameBytes + 10, 0x41)]), valid]
}
