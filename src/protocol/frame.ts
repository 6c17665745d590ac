/**
 * Frame parse/build. A frame is a flat tag stream, not XML (PROTOCOL.md §1): duplicates are kept
 * in order, the CRC covers the bytes between `<Frame>` and `<CRC>` exactly as they came off the
 * wire. Frames are bytes: the parser scans a byte view (one char per byte) and the CRC is computed
 * over those bytes; a text frame (a capture's `raw`, a frame we build) stands for its UTF-8 bytes.
 */
import { crc16Ascii, crc16ByteView, crc16Modbus, formatCrc } from './crc.js'

export const FRAME_OPEN = '<Frame>'
export const FRAME_CLOSE = '</Frame>'
export const CRC_OPEN = '<CRC>'
export const CRC_CLOSE = '</CRC>'
/** The line ending a frame is sent with, as bytes. */
export const CRLF: Buffer = Buffer.from('\r\n', 'latin1')

/** A frame as read: its bytes, or text (whose bytes are its UTF-8 encoding). */
export type FrameInput = string | Uint8Array

/** The bytes a frame goes on the wire as: text as UTF-8 (what its CRC covers), bytes unchanged. */
export function wireBytes(frame: FrameInput): Buffer {
  if (typeof frame === 'string') return Buffer.from(frame, 'utf8')
  return Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.length)
}

/** One char per byte (latin1): the form the parser scans, offsets are byte offsets. */
function byteView(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1')
}

/** A value scanned from a byte view, as text: bytes >= 0x80 are decoded as UTF-8. */
function textOf(view: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(view) ? Buffer.from(view, 'latin1').toString('utf8') : view
}

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
  decode: boolean,
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
      const raw = text.slice(pos + 1, close)
      const tag = decode ? textOf(raw) : raw
      if (keep === undefined || keep.has(tag)) {
        const value = text.slice(close + 1, end)
        children.push({ tag, value: decode ? textOf(value) : value })
      }
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

export function parseFrame(input: FrameInput, options: ParseOptions = {}): ParseResult {
  return typeof input === 'string'
    ? parseView(input, options, true)
    : parseView(byteView(input), options, false)
}

interface FrameBounds {
  readonly problem: null
  readonly terminator: FrameTerminator
  /** Offsets of the inner text and of `<CRC>` in it. */
  readonly innerStart: number
  readonly innerEnd: number
  readonly crcAt: number
  /** The frame ends with `</CRC></Frame>` after `<CRC>`. */
  readonly crcClosed: boolean
  /** What sits between `<CRC>` and `</CRC>` (or the end of the inner text). */
  readonly crcText: string
}

/** Where a frame's inner text and CRC element are, or why the text is not one frame. */
function frameBounds(
  text: string,
): FrameBounds | { readonly problem: 'NOT_A_FRAME' | 'TRAILING_DATA' | 'MISSING_CRC' } {
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
    return {
      problem: text.startsWith(FRAME_OPEN) && closeAt >= 0 ? 'TRAILING_DATA' : 'NOT_A_FRAME',
    }
  }
  const crcAt = text.lastIndexOf(CRC_OPEN, innerEnd)
  if (crcAt < innerStart) return { problem: 'MISSING_CRC' }
  const crcClosed =
    text.startsWith(CRC_CLOSE, innerEnd - CRC_CLOSE.length) &&
    innerEnd - CRC_CLOSE.length >= crcAt + CRC_OPEN.length
  // The carried text is what sits between <CRC> and </CRC>, digits or not, so that rebuildFrame
  // reproduces even a frame with a non-numeric CRC byte for byte.
  const crcText = text.slice(
    crcAt + CRC_OPEN.length,
    crcClosed ? innerEnd - CRC_CLOSE.length : innerEnd,
  )
  return { problem: null, terminator, innerStart, innerEnd, crcAt, crcClosed, crcText }
}

/** The children of a frame as classification reads them (see classifyFrame). */
export type FrameChildren = Pick<ParsedFrame, 'children' | 'childCount'>

/**
 * The children of a text frame exactly as `parseFrame(text, { keepTags })` gives them when it
 * parses (null when it would not), without computing the CRC: for readers that only classify
 * (`contract derive`, whose output never depends on a CRC). A text's non-ASCII chars sit between
 * ASCII delimiters, so scanning the text finds the same tags and values as scanning its UTF-8
 * bytes does.
 */
export function parseFrameChildren(
  text: string,
  keepTags: ReadonlySet<string>,
): FrameChildren | null {
  const bounds = frameBounds(text)
  if (bounds.problem !== null || !bounds.crcClosed || bounds.crcText.includes('<')) return null
  const parsed = parseChildren(text, bounds.innerStart, bounds.crcAt, keepTags, false)
  return parsed === null ? null : { children: parsed.children, childCount: parsed.count }
}

/**
 * A whole flat run of children, `<Tag>value</Tag>` each, as parseChildren accepts it: a tag name is
 * what precedes the first `>` (no whitespace, control char, `<` or `/`), a value what precedes the
 * next `<`, which must open `</Tag>`. Every step is forced, so the run matched from an offset is
 * the run parseChildren walks.
 */
// eslint-disable-next-line no-control-regex
const FLAT_RUN = /(?:<([^\x00-\x20</>]+)>[^<]*<\/\1>)*/y

/**
 * The first value of any tag of a text frame, looked up when asked (undefined when absent), if
 * `parseFrame(text)` would parse it (null when it would not); without computing the CRC or
 * materialising children. For readers that need first values only (getTag), not the children's
 * order or count: classification of BOX frames (classify.ts).
 */
export function frameTagValues(text: string): ((tag: string) => string | undefined) | null {
  const bounds = frameBounds(text)
  if (bounds.problem !== null || !bounds.crcClosed || bounds.crcText.includes('<')) return null
  // The run must go on through the CRC element to the end of the inner text: then `<CRC>` at
  // crcAt (the last one) opens its last child, and the children before it are a flat run.
  FLAT_RUN.lastIndex = bounds.innerStart
  if (!FLAT_RUN.test(text) || FLAT_RUN.lastIndex !== bounds.innerEnd) return null
  const { innerStart, crcAt } = bounds
  return (tag) => {
    // In a flat run `<Tag>` only ever opens a child: values hold no `<`, closing tags have a `/`.
    const open = openTag(tag)
    const at = text.indexOf(open, innerStart)
    if (at < 0 || at >= crcAt) return undefined
    const from = at + open.length
    return text.slice(from, text.indexOf('<', from))
  }
}

const openTags = new Map<string, string>()

/** `<Tag>`, made once per tag name (classification asks for a handful). */
function openTag(tag: string): string {
  let open = openTags.get(tag)
  if (open === undefined) {
    open = `<${tag}>`
    if (openTags.size < 64) openTags.set(tag, open)
  }
  return open
}

/**
 * Parses a byte view, or a text (`isText`): an ASCII text is its own byte view, any other text is
 * parsed over its UTF-8 bytes, so that the CRC always covers the bytes the frame is sent as.
 */
function parseView(text: string, options: ParseOptions, isText: boolean): ParseResult {
  const bounds = frameBounds(text)
  if (bounds.problem !== null) {
    const code = bounds.problem
    return code === 'MISSING_CRC'
      ? {
          ok: false,
          problem: { code, message: 'frame has no <CRC> element' },
          crcOk: false,
        }
      : {
          ok: false,
          problem: { code, message: `text is not one <Frame>…</Frame> element (${code})` },
          crcOk: null,
        }
  }
  const { terminator, innerStart, crcAt, crcClosed, crcText } = bounds
  let crcComputed = crc16Ascii(text, innerStart, crcAt)
  const decode = crcComputed < 0
  if (decode) {
    if (isText) return parseView(byteView(Buffer.from(text, 'utf8')), options, false)
    crcComputed = crc16ByteView(text, innerStart, crcAt)
  }
  const crcOk = crcClosed && !crcText.includes('<') && crcText === formatCrc(crcComputed)
  const parsed =
    crcClosed && !crcText.includes('<')
      ? parseChildren(text, innerStart, crcAt, options.keepTags, decode)
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

/**
 * Builds a frame (text) from children: computes the CRC over the UTF-8 bytes the frame is sent as
 * (`wireBytes`) and appends CRLF unless told otherwise.
 */
export function buildFrame(children: readonly FrameChild[], options: BuildOptions = {}): string {
  const inner = innerText(children)
  const crc = options.crcText ?? formatCrc(crc16Modbus(inner))
  return `${FRAME_OPEN}${inner}${CRC_OPEN}${crc}</CRC>${FRAME_CLOSE}${options.terminator ?? '\r\n'}`
}

/**
 * Rebuilds a parsed frame as it was received (same CRC text, same terminator); byte-exact for
 * every frame whose bytes are ASCII or UTF-8 (values are decoded as UTF-8).
 */
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

const CRC_TAIL = Buffer.from(`${CRC_CLOSE}${FRAME_CLOSE}`, 'latin1')
const FRAME_OPEN_BYTES = Buffer.from(FRAME_OPEN, 'latin1')
const CRC_OPEN_BYTES = Buffer.from(CRC_OPEN, 'latin1')
/** `<CRC>` + 5 digits + `</CRC></Frame>`: the only tail a good CRC can have. */
const CRC_DIGITS = 5

/**
 * Whether a frame's carried CRC matches its bytes, as parseFrame would say, without parsing its
 * children (the proxy's forwarding path counts bad CRCs this way); null when the bytes are not
 * one `<Frame>…</Frame>` (without line ending).
 */
export function carriedCrcOk(frame: FrameInput): boolean | null {
  const bytes = wireBytes(frame)
  const n = bytes.length
  if (
    n < FRAME_OPEN.length + FRAME_CLOSE.length ||
    bytes.compare(FRAME_OPEN_BYTES, 0, FRAME_OPEN.length, 0, FRAME_OPEN.length) !== 0 ||
    bytes.compare(CRC_TAIL, CRC_CLOSE.length, CRC_TAIL.length, n - FRAME_CLOSE.length) !== 0
  )
    return null
  const tailAt = n - CRC_TAIL.length
  if (tailAt < FRAME_OPEN.length || bytes.compare(CRC_TAIL, 0, CRC_TAIL.length, tailAt) !== 0)
    return false
  const crcAt = tailAt - CRC_DIGITS - CRC_OPEN.length
  const fast =
    crcAt >= FRAME_OPEN.length &&
    bytes.compare(CRC_OPEN_BYTES, 0, CRC_OPEN.length, crcAt, crcAt + CRC_OPEN.length) === 0
  if (!fast) {
    // Not `<CRC>` + five chars: compare the carried text the slow way.
    const at = bytes.lastIndexOf(CRC_OPEN_BYTES, tailAt)
    if (at < FRAME_OPEN.length) return false
    const carried = bytes.toString('latin1', at + CRC_OPEN.length, tailAt)
    return carried === formatCrc(crc16Modbus(bytes, FRAME_OPEN.length, at))
  }
  let carried = 0
  for (let i = tailAt - CRC_DIGITS; i < tailAt; i++) {
    const d = bytes[i]! - 0x30
    if (d < 0 || d > 9) return false
    carried = carried * 10 + d
  }
  return carried === crc16Modbus(bytes, FRAME_OPEN.length, crcAt)
}
