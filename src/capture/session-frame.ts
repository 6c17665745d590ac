/** A capture row as a session frame: parsed, oriented and classified, or lean (placeholders). */
import {
  CLASSIFY_TAGS,
  classifyBoxText,
  classifyFrame,
  inferSide,
  type Classification,
} from '../protocol/classify.js'
import type { FrameSide } from '../protocol/frame-class.js'
import { parseFrame, parseFrameChildren } from '../protocol/frame.js'
import { detached } from './lean-scan.js'
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
const tables = new Map<string, string>()

function tableOf(c: Classification): string | null {
  const t = c.table
  if (t === undefined || t === '') return null
  let kept = tables.get(t)
  if (kept === undefined) {
    kept = detached(t)
    tables.set(kept, kept)
  }
  return kept
}

const NO_NOTES = Object.freeze([]) as unknown as string[]
const LEAN_FLAGGED = Object.freeze({ flagged: true })
const LEAN_PLAIN = Object.freeze({ flagged: false })

/** Parses, orients and classifies one capture row. */
export function toSessionFrame(row: CaptureRow): SessionFrame {
  const parsed = parseFrame(row.bytes ?? row.raw, { keepTags: CLASSIFY_TAGS })
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
      ? classifyFrame(parsed.frame, side)
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
