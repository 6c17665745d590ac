/** A capture row as a session frame: parsed, oriented and classified, or lean (placeholders). */
import {
  CLASSIFY_TAGS,
  classifyBoxText,
  classifyFrame,
  inferSide,
  type Classification,
} from '../protocol/classify.js'
import type { FrameSide } from '../protocol/frame-class.js'
import { CLOUD_CONSTANT_FRAMES } from '../protocol/cloud-frames.js'
import { parseFrame, parseFrameChildren, type ParseResult } from '../protocol/frame.js'
import { KeptNames } from './lean-scan.js'
import {
  mapDirection,
  type CaptureRow,
  type Destination,
  type LeanRow,
  type Origin,
} from './rows.js'
import type { SessionFrame } from './session-model.js'

/**
 * The frame of a lean row: side from its direction, everything the frame text would tell left as a
 * placeholder (`*.unknown`, CRC taken as good so that no finding is made of it). A row that
 * carries its text (LeanRow.raw) is classified from it as toSessionFrame would classify it; its CRC
 * is not checked (still taken as good) and its text is not kept.
 */
export function leanSessionFrame(row: LeanRow): SessionFrame {
  const dir = mapDirection(row.direction)!
  const side = dir.destination === 'cloud' ? 'box' : 'cloud'
  const c =
    row.raw === undefined
      ? ({ class: side === 'box' ? 'box.unknown' : 'cloud.unknown' } as const)
      : row.constant === true
        ? constantClassification(row.raw, side)
        : textClassification(row.raw, side)
  return {
    id: row.id,
    ts: row.ts,
    tsMs: row.tsMs,
    origin: dir.origin,
    destination: dir.destination,
    direction: row.direction,
    connId: row.connId,
    class: c.class,
    table: tableOf(c),
    eventType: c.eventType || null,
    pollForm: c.pollForm || null,
    item: c.item || null,
    crcOk: true,
    raw: '',
    tableName: null,
    gapMs: null,
    answers: null,
    replyId: null,
    latencyMs: null,
    // Never added to: only a relayed BOX frame gets a note from pairing, and that row is read in full.
    notes: NO_NOTES,
    lean: row.flagged ? LEAN_FLAGGED : LEAN_PLAIN,
  }
}

/** How a frame text classifies on a side, as toSessionFrame classifies a parsed row. */
function textClassification(raw: string, side: FrameSide): Classification {
  if (side === 'box') return classifyBoxText(raw)
  const children = parseFrameChildren(raw, CLASSIFY_TAGS)
  return children === null ? { class: 'cloud.unknown' } : classifyFrame(children, 'cloud')
}

/** Classifications of the scan's constant frames (a handful of strings), per side. */
const constantClasses = new Map<string, Classification>()

function constantClassification(raw: string, side: FrameSide): Classification {
  const key = side === 'box' ? `box:${raw}` : raw
  let c = constantClasses.get(key)
  if (c === undefined) {
    c = textClassification(raw, side)
    constantClasses.set(key, c)
  }
  return c
}

/**
 * Table names as a classification gives them, interned: a table sliced from a page of the scan
 * would otherwise keep the whole page alive in the contract state it ends up in.
 */
const tables = new KeptNames()

function tableOf(c: Classification): string | null {
  const t = c.table
  return t === undefined || t === '' ? null : tables.kept(t)
}

const NO_NOTES = Object.freeze([]) as unknown as string[]
const LEAN_FLAGGED = Object.freeze({ flagged: true })
const LEAN_PLAIN = Object.freeze({ flagged: false })

/**
 * The cloud's constant replies (about half of a capture's rows) parsed once, and classified once
 * per side: a row whose text is one of them parses to the very same result, CRC check included.
 */
interface ConstantParse {
  readonly parsed: ParseResult
  readonly classes: Map<FrameSide, Classification>
}

const constantParses = new Map<string, ConstantParse>(
  CLOUD_CONSTANT_FRAMES.map((c) => [
    c,
    { parsed: parseFrame(c, { keepTags: CLASSIFY_TAGS }), classes: new Map() },
  ]),
)
const CONSTANT_LENGTHS = new Set(CLOUD_CONSTANT_FRAMES.map((c) => c.length))

function constantParseOf(row: CaptureRow): ConstantParse | undefined {
  return row.bytes === undefined && CONSTANT_LENGTHS.has(row.raw.length)
    ? constantParses.get(row.raw)
    : undefined
}

function classified(
  parsed: ParseResult & { ok: true },
  side: FrameSide,
  known: ConstantParse | undefined,
): Classification {
  if (known === undefined) return classifyFrame(parsed.frame, side)
  let c = known.classes.get(side)
  if (c === undefined) {
    c = classifyFrame(parsed.frame, side)
    known.classes.set(side, c)
  }
  return c
}

/** Parses, orients and classifies one capture row. */
export function toSessionFrame(row: CaptureRow): SessionFrame {
  const known = constantParseOf(row)
  const parsed = known?.parsed ?? parseFrame(row.bytes ?? row.raw, { keepTags: CLASSIFY_TAGS })
  const dir = mapDirection(row.direction)
  const notes: string[] = []
  let origin: Origin
  let destination: Destination
  let sideKnown = true
  if (dir) {
    origin = dir.origin
    destination = dir.destination
    // proxy_to_cloud: the proxy relaying a BOX frame (PROTOCOL.md §6, a few days in 2025-12).
    if (dir.origin === 'proxy' && dir.destination === 'cloud') {
      origin = 'box'
      notes.push('relayed-by-proxy')
    }
  } else {
    const side = parsed.ok ? inferSide(parsed.frame) : null
    sideKnown = side !== null
    origin = side === 'cloud' ? 'cloud' : 'box'
    destination = side === 'cloud' ? 'box' : 'cloud'
    notes.push(side === null ? 'origin-unknown' : 'origin-inferred')
  }
  // Frames towards the cloud speak the BOX's language; frames towards the BOX the cloud's.
  const side = destination === 'cloud' ? 'box' : 'cloud'
  const c =
    parsed.ok && sideKnown
      ? classified(parsed, side, known)
      : { class: side === 'box' ? ('box.unknown' as const) : ('cloud.unknown' as const) }
  if (!parsed.ok) notes.push(`parse: ${parsed.problem.code}`)
  return {
    id: row.id,
    ts: row.ts,
    tsMs: row.tsMs,
    origin,
    destination,
    direction: row.direction,
    connId: row.connId,
    class: c.class,
    table: ('table' in c && c.table) || null,
    eventType: ('eventType' in c && c.eventType) || null,
    pollForm: ('pollForm' in c && c.pollForm) || null,
    item: ('item' in c && c.item) || null,
    crcOk: parsed.ok ? parsed.frame.crcOk : parsed.crcOk,
    raw: row.raw,
    ...(row.bytes === undefined ? {} : { rawB64: Buffer.from(row.bytes).toString('base64') }),
    tableName: row.tableName,
    gapMs: null,
    answers: null,
    replyId: null,
    latencyMs: null,
    notes,
  }
}
