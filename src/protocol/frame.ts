/**
 * Frame parse/build. A frame is a flat tag stream, not XML (PROTOCOL.md §1): duplicates are kept
 * in order, the CRC covers the inner text between `<Frame>` and `<CRC>`.
 */
import { crc16Modbus, formatCrc } from './crc.js'

export const FRAME_OPEN = '<Frame>'
export const FRAME_CLOSE = '</Frame>'
export const CRC_OPEN = '<CRC>'
export const CRC_CLOSE = '</CRC>'

export interface FrameChild {
  readonly tag: string
  readonly value: string
}

export type FrameTerminator = '' | '\r\n' | '\r' | '\n'

export interface ParsedFrame {
  /** Children before `<CRC>`, in order, duplicates kept (only `keepTags` when that was given). */
  readonly children: readonly FrameChild[]
  /** Number of children before `<CRC>`, kept or not. */
  readonly childCount: number
  /** The CRC text as carried (`null` when the frame has no `<CRC>` element). */
  readonly crcText: string | null
  /** CRC computed over the covered bytes. */
  readonly crcComputed: number
  /** Whether the carried CRC equals the computed one. */
  readonly crcOk: boolean
  /** Line ending that followed `</Frame>` in the input. */
  readonly terminator: FrameTerminator
}

export type FrameProblemCode =
  'NOT_A_FRAME' | 'MALFORMED_CHILDREN' | 'MISSING_CRC' | 'TRAILING_DATA'

export interface FrameProblem {
  readonly code: FrameProblemCode
  readonly message: string
}

export type ParseResult =
  | { readonly ok: true; readonly frame: ParsedFrame }
  | {
      readonly ok: false
      readonly problem: FrameProblem
      /** CRC status when it could still be determined from the text. */
      readonly crcOk: boolean | null
    }

/** Returns the first value of a tag (first occurrence wins, PROTOCOL.md §1), or undefined. */
export function getTag(frame: Pick<ParsedFrame, 'children'>, tag: string): string | undefined {
  for (const child of frame.children) if (child.tag === tag) return child.value
  return undefined
}

/** Returns the tag names of a frame's children in order (duplicates kept). */
export function tagNames(frame: Pick<ParsedFrame, 'children'>): string[] {
  return frame.children.map((c) => c.tag)
}

/**
 * Parses `<Tag>value</Tag>` children of `text[from, to)`; null when they are not a flat run.
 * With `keep`, only those tags are materialised (the others are validated and counted).
 */
function parseChildren(
  text: string,
  from: number,
  to: number,
  keep: ReadonlySet<string> | undefined,
): { children: FrameChild[]; count: number } | null {
  const children: FrameChild[] = []
  let count = 0
  let pos = from
  while (pos < to) {
    if (text.charCodeAt(pos) !== 0x3c /* < */) return null
    const close = text.indexOf('>', pos + 1)
    if (close < 0 || close >= to || close === pos + 1) return null
    for (let i = pos + 1; i < close; i++) {
      const c = text.charCodeAt(i)
      // no whitespace, '<' or '/' inside a tag name
      if (c <= 0x20 || c === 0x3c || c === 0x2f) return null
    }
    const end = text.indexOf('<', close + 1)
    const tagLen = close - pos - 1
    // the value runs to the next '<', which must open the matching `</Tag>`
    if (
      end < 0 ||
      end + tagLen + 3 > to ||
      text.charCodeAt(end + 1) !== 0x2f ||
      text.charCodeAt(end + tagLen + 2) !== 0x3e
    ) {
      return null
    }
    for (let i = 0; i < tagLen; i++) {
      if (text.charCodeAt(end + 2 + i) !== text.charCodeAt(pos + 1 + i)) return null
    }
    count++
    // Only tags of a kept length are sliced and looked up (millions of frames in an extract).
    if (keep === undefined || keepLengths(keep)[tagLen] === 1) {
      const tag = text.slice(pos + 1, close)
      if (keep === undefined || keep.has(tag))
        children.push({ tag, value: text.slice(close + 1, end) })
    }
    pos = end + tagLen + 3
  }
  return { children, count }
}

const keepLengthCache = new WeakMap<ReadonlySet<string>, Uint8Array>()

/** Lookup table: 1 at index n when `keep` has a tag of length n. */
function keepLengths(keep: ReadonlySet<string>): Uint8Array {
  let table = keepLengthCache.get(keep)
  if (!table) {
    table = new Uint8Array(256)
    for (const t of keep) if (t.length < 256) table[t.length] = 1
    keepLengthCache.set(keep, table)
  }
  return table
}

function terminatorOf(text: string): FrameTerminator {
  const n = text.length
  const last = text.charCodeAt(n - 1)
  if (last === 0x0a) return text.charCodeAt(n - 2) === 0x0d ? '\r\n' : '\n'
  if (last === 0x0d) return '\r'
  return ''
}

/**
 * Parses one frame (`<Frame>…</Frame>` plus an optional CRLF/CR/LF). Never throws: a text that is
 * not a well-formed frame is a problem value, with the CRC status when it can still be computed.
 * Works on offsets into `text` (no intermediate copies): extract parses a million frames.
 */
export interface ParseOptions {
  /**
   * Materialise only these tags in `children` (the rest are still validated and counted in
   * `childCount`). For classification of large captures; such a frame cannot be rebuilt.
   */
  readonly keepTags?: ReadonlySet<string>
}

export function parseFrame(text: string, options: ParseOptions = {}): ParseResult {
  const terminator = terminatorOf(text)
  const bodyEnd = text.length - terminator.length
  const innerStart = FRAME_OPEN.length
  const innerEnd = bodyEnd - FRAME_CLOSE.length
  if (
    innerEnd < innerStart ||
    !text.startsWith(FRAME_OPEN) ||
    !text.startsWith(FRAME_CLOSE, innerEnd)
  ) {
    const closeAt = text.indexOf(FRAME_CLOSE)
    const code: FrameProblemCode =
      text.startsWith(FRAME_OPEN) && closeAt >= 0 ? 'TRAILING_DATA' : 'NOT_A_FRAME'
    return {
      ok: false,
      problem: { code, message: `text is not one <Frame>…</Frame> element (${code})` },
      crcOk: null,
    }
  }
  const crcAt = text.lastIndexOf(CRC_OPEN, innerEnd)
  if (crcAt < innerStart) {
    return {
      ok: false,
      problem: { code: 'MISSING_CRC', message: 'frame has no <CRC> element' },
      crcOk: false,
    }
  }
  const crcComputed = crc16Modbus(text, innerStart, crcAt)
  const crcClosed =
    text.startsWith(CRC_CLOSE, innerEnd - CRC_CLOSE.length) &&
    innerEnd - CRC_CLOSE.length >= crcAt + CRC_OPEN.length
  // The carried text is what sits between <CRC> and </CRC>, digits or not, so that rebuildFrame
  // reproduces even a frame with a non-numeric CRC byte for byte.
  const crcText = text.slice(
    crcAt + CRC_OPEN.length,
    crcClosed ? innerEnd - CRC_CLOSE.length : innerEnd,
  )
  const crcOk = crcClosed && !crcText.includes('<') && crcText === formatCrc(crcComputed)
  const parsed =
    crcClosed && !crcText.includes('<')
      ? parseChildren(text, innerStart, crcAt, options.keepTags)
      : null
  if (parsed === null) {
    return {
      ok: false,
      problem: {
        code: 'MALFORMED_CHILDREN',
        message: 'frame children are not a flat <Tag>value</Tag> run',
      },
      crcOk,
    }
  }
  return {
    ok: true,
    frame: {
      children: parsed.children,
      childCount: parsed.count,
      crcText,
      crcComputed,
      crcOk,
      terminator,
    },
  }
}

/** Serialises children to the inner text covered by the CRC. */
export function innerText(children: readonly FrameChild[]): string {
  let s = ''
  for (const c of children) s += `<${c.tag}>${c.value}</${c.tag}>`
  return s
}

export interface BuildOptions {
  /** Line ending after `</Frame>`; CRLF as the cloud and the BOX send it. */
  readonly terminator?: FrameTerminator
  /** Use this CRC text instead of computing one (to rebuild a captured frame with a bad CRC). */
  readonly crcText?: string
}

/** Builds a frame from children: computes the CRC and appends CRLF unless told otherwise. */
export function buildFrame(children: readonly FrameChild[], options: BuildOptions = {}): string {
  const inner = innerText(children)
  const crc = options.crcText ?? formatCrc(crc16Modbus(inner))
  return `${FRAME_OPEN}${inner}${CRC_OPEN}${crc}</CRC>${FRAME_CLOSE}${options.terminator ?? '\r\n'}`
}

/** Rebuilds a parsed frame exactly as it was received (same CRC text, same terminator). */
export function rebuildFrame(frame: ParsedFrame): string {
  return buildFrame(frame.children, {
    terminator: frame.terminator,
    ...(frame.crcText === null ? {} : { crcText: frame.crcText }),
  })
}

/** Shorthand for building a frame from `[tag, value]` pairs. */
export function buildFrameFromPairs(
  pairs: ReadonlyArray<readonly [string, string]>,
  options: BuildOptions = {},
): string {
  return buildFrame(
    pairs.map(([tag, value]) => ({ tag, value })),
    options,
  )
}
