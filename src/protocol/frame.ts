/**
 * Frame parse/build. A frame is a flat tag stream, not XML (PROTOCOL.md §1): duplicates are kept
 * in order, the CRC covers the inner text between `<Frame>` and `<CRC>`.
 */
import { crc16Modbus, formatCrc } from './crc.js'

export const FRAME_OPEN = '<Frame>'
export const FRAME_CLOSE = '</Frame>'
export const CRC_OPEN = '<CRC>'

export interface FrameChild {
  readonly tag: string
  readonly value: string
}

export type FrameTerminator = '' | '\r\n' | '\r' | '\n'

export interface ParsedFrame {
  /** Children before `<CRC>`, in order, duplicates kept. */
  readonly children: readonly FrameChild[]
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

const TERMINATORS: readonly FrameTerminator[] = ['\r\n', '\r', '\n', '']

/** Returns the first value of a tag (first occurrence wins, PROTOCOL.md §1), or undefined. */
export function getTag(frame: Pick<ParsedFrame, 'children'>, tag: string): string | undefined {
  for (const child of frame.children) if (child.tag === tag) return child.value
  return undefined
}

/** Returns the tag names of a frame's children in order (duplicates kept). */
export function tagNames(frame: Pick<ParsedFrame, 'children'>): string[] {
  return frame.children.map((c) => c.tag)
}

function checkCrc(inner: string): { crcText: string | null; crcComputed: number; crcOk: boolean } {
  const at = inner.lastIndexOf(CRC_OPEN)
  if (at < 0) return { crcText: null, crcComputed: crc16Modbus(inner), crcOk: false }
  const covered = inner.slice(0, at)
  const crcComputed = crc16Modbus(covered)
  // The carried text is what sits between <CRC> and </CRC>, digits or not, so that
  // rebuildFrame reproduces even a frame with a non-numeric CRC byte for byte.
  const m = /^<CRC>([^<]*)<\/CRC>$/.exec(inner.slice(at))
  if (!m) return { crcText: inner.slice(at + CRC_OPEN.length), crcComputed, crcOk: false }
  const crcText = m[1]!
  return { crcText, crcComputed, crcOk: crcText === formatCrc(crcComputed) }
}

function parseChildren(covered: string): FrameChild[] | null {
  const children: FrameChild[] = []
  let pos = 0
  while (pos < covered.length) {
    if (covered.charCodeAt(pos) !== 0x3c /* < */) return null
    const close = covered.indexOf('>', pos + 1)
    if (close < 0) return null
    const tag = covered.slice(pos + 1, close)
    if (tag.length === 0 || tag.startsWith('/') || /[\s<]/.test(tag)) return null
    const endTag = `</${tag}>`
    const end = covered.indexOf(endTag, close + 1)
    if (end < 0) return null
    const value = covered.slice(close + 1, end)
    if (value.includes('<')) return null
    children.push({ tag, value })
    pos = end + endTag.length
  }
  return children
}

/**
 * Parses one frame (`<Frame>…</Frame>` plus an optional CRLF/CR/LF). Never throws: a text that is
 * not a well-formed frame is a problem value, with the CRC status when it can still be computed.
 */
export function parseFrame(text: string): ParseResult {
  let terminator: FrameTerminator = ''
  for (const t of TERMINATORS) {
    if (t !== '' && text.endsWith(FRAME_CLOSE + t)) {
      terminator = t
      break
    }
  }
  const body = text.slice(0, text.length - terminator.length)
  if (!body.startsWith(FRAME_OPEN) || !body.endsWith(FRAME_CLOSE)) {
    const closeAt = body.indexOf(FRAME_CLOSE)
    const code: FrameProblemCode =
      body.startsWith(FRAME_OPEN) && closeAt >= 0 ? 'TRAILING_DATA' : 'NOT_A_FRAME'
    return {
      ok: false,
      problem: { code, message: `text is not one <Frame>…</Frame> element (${code})` },
      crcOk: null,
    }
  }
  const inner = body.slice(FRAME_OPEN.length, body.length - FRAME_CLOSE.length)
  const crc = checkCrc(inner)
  if (crc.crcText === null) {
    return {
      ok: false,
      problem: { code: 'MISSING_CRC', message: 'frame has no <CRC> element' },
      crcOk: false,
    }
  }
  const crcAt = inner.lastIndexOf(CRC_OPEN)
  const children = parseChildren(inner.slice(0, crcAt))
  if (children === null || !/^<CRC>[^<]*<\/CRC>$/.test(inner.slice(crcAt))) {
    return {
      ok: false,
      problem: {
        code: 'MALFORMED_CHILDREN',
        message: 'frame children are not a flat <Tag>value</Tag> run',
      },
      crcOk: crc.crcOk,
    }
  }
  return { ok: true, frame: { children, ...crc, terminator } }
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
