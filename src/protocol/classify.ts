/**
 * Frame classification from the frame's own content and its side, never from a capture DB's
 * `table_name` (PROTOCOL.md §2, §6). `Result` decides before `TblName`; anything that fits no
 * class is `*.unknown`.
 */
import type { BoxClass, CloudClass, EventType, FrameClass, FrameSide } from './frame-class.js'
import { EVENT_TYPES } from './frame-class.js'
import {
  frameTagValues,
  getTag,
  parseFrame,
  type FrameChildren,
  type FrameInput,
  type ParsedFrame,
} from './frame.js'

export interface Classification {
  readonly class: FrameClass
  /** Table of a `box.upload` / `box.events` (and of a `cloud.setting`: the table it changes). */
  readonly table?: string
  /** `Type` of a `box.events` upload. */
  readonly eventType?: EventType
  /** Form of an IsNewSet poll: short, or merged with a whole `tbl_actual` body (2026-02+). */
  readonly pollForm?: 'short' | 'merged'
  /** Setting item of a `cloud.setting` (`TblItem`). */
  readonly item?: string
}

/** Tag sets of the fixed-shape cloud replies (without CRC), each with its required values. */
const CLOUD_SHAPES: ReadonlyArray<{
  readonly class: CloudClass
  readonly tags: readonly string[]
  readonly values: Readonly<Record<string, string>>
}> = [
  { class: 'cloud.ack', tags: ['Result'], values: { Result: 'ACK' } },
  {
    class: 'cloud.ack-getactual',
    tags: ['Result', 'ToDo'],
    values: { Result: 'ACK', ToDo: 'GetActual' },
  },
  { class: 'cloud.end', tags: ['Result'], values: { Result: 'END' } },
  { class: 'cloud.end-time', tags: ['Result', 'Time', 'UTCTime'], values: { Result: 'END' } },
  {
    class: 'cloud.end-time-getactual',
    tags: ['Result', 'Time', 'UTCTime', 'ToDo'],
    values: { Result: 'END', ToDo: 'GetActual' },
  },
  {
    class: 'cloud.end-getactual',
    tags: ['Result', 'ToDo'],
    values: { Result: 'END', ToDo: 'GetActual' },
  },
  { class: 'cloud.nack-wc', tags: ['Result', 'Reason'], values: { Result: 'NACK', Reason: 'WC' } },
  {
    class: 'cloud.nack-onemore',
    tags: ['Result', 'Reason'],
    values: { Result: 'NACK', Reason: 'OneMore' },
  },
  { class: 'cloud.nack', tags: ['Result'], values: { Result: 'NACK' } },
]

/** Fields a cloud Setting must carry to be recognised as one (PROTOCOL.md §2). */
const SETTING_REQUIRED = ['ID', 'ID_Set', 'TblName', 'TblItem', 'NewValue'] as const

/**
 * Every tag classification reads: a frame parsed with `keepTags: CLASSIFY_TAGS` classifies exactly
 * like a fully parsed one (a fixed-shape reply has only these tags, so a frame with any other tag
 * fails the shape check through its `childCount`).
 */
export const CLASSIFY_TAGS: ReadonlySet<string> = new Set([
  'Result',
  'Reason',
  'TblName',
  'Type',
  ...CLOUD_SHAPES.flatMap((s) => s.tags),
  ...SETTING_REQUIRED,
])

/** Exactly these tags, each once (a duplicated tag in a fixed-shape reply is not that reply). */
function sameTagSet(frame: FrameChildren, tags: readonly string[]): boolean {
  if (frame.childCount !== tags.length || frame.children.length !== tags.length) return false
  const present = new Set(frame.children.map((c) => c.tag))
  return present.size === tags.length && tags.every((t) => present.has(t))
}

function classifyToBox(frame: FrameChildren): Classification {
  const result = getTag(frame, 'Result')
  if (result !== undefined) {
    for (const shape of CLOUD_SHAPES) {
      if (!sameTagSet(frame, shape.tags)) continue
      if (Object.entries(shape.values).every(([t, v]) => getTag(frame, t) === v)) {
        return { class: shape.class }
      }
    }
    return { class: 'cloud.unknown' }
  }
  if (
    getTag(frame, 'Reason') === 'Setting' &&
    SETTING_REQUIRED.every((t) => getTag(frame, t) !== undefined)
  ) {
    return {
      class: 'cloud.setting',
      table: getTag(frame, 'TblName')!,
      item: getTag(frame, 'TblItem')!,
    }
  }
  return { class: 'cloud.unknown' }
}

/** The first value of a tag of a frame (getTag), or undefined. */
type TagValue = (tag: string) => string | undefined

/** Reads only the tags it needs (Result, Reason, TblName, Type), each by its first value. */
function classifyFromBox(tag: TagValue): Classification {
  const result = tag('Result')
  if (result !== undefined) {
    const poll = POLLS.get(result)
    if (poll === 'box.poll.isnewset') {
      return { class: poll, pollForm: tag('TblName') === undefined ? 'short' : 'merged' }
    }
    if (poll !== undefined) return { class: poll }
    const reason = tag('Reason')
    if (result === 'ACK' && reason === 'Setting') return { class: 'box.setting-ack' }
    if (result === 'NACK' && (reason === 'Setting' || reason === 'WC'))
      return { class: 'box.setting-nack' }
    if (result === 'END' && reason === 'All data sent') return { class: 'box.end' }
    return { class: 'box.unknown' }
  }
  const table = tag('TblName')
  if (table === 'tbl_events') {
    const type = tag('Type')
    const eventType = EVENT_TYPES.find((t) => t === type)
    return eventType ? { class: 'box.events', table, eventType } : { class: 'box.unknown', table }
  }
  if (table !== undefined && tag('Reason') === 'Table') return { class: 'box.upload', table }
  return table === undefined ? { class: 'box.unknown' } : { class: 'box.unknown', table }
}

/** Poll class by `Result`: a Map, so that frame text never reaches Object.prototype members. */
const POLLS: ReadonlyMap<string, BoxClass> = new Map([
  ['IsNewSet', 'box.poll.isnewset'],
  ['IsNewFW', 'box.poll.isnewfw'],
  ['IsNewWeather', 'box.poll.isnewweather'],
])

/** Classifies a parsed frame (or its children only) sent by the BOX (`box`) or sent to it (`cloud`). */
export function classifyFrame(frame: FrameChildren, side: FrameSide): Classification {
  return side === 'box' ? classifyFromBox((t) => getTag(frame, t)) : classifyToBox(frame)
}

/**
 * The class of a text frame sent by the BOX exactly as classifyText gives it, without computing the
 * CRC or materialising children it does not read (contract derive, on every BOX frame of a capture).
 */
export function classifyBoxText(text: string): Classification {
  const tag = frameTagValues(text)
  return tag === null ? { class: 'box.unknown' } : classifyFromBox(tag)
}

export interface ClassifiedText extends Classification {
  /** CRC verified; `null` when the text is not even a frame. */
  readonly crcOk: boolean | null
  /** Parse problem code when the text is not a well-formed frame. */
  readonly problem?: string
}

/** Parses and classifies a raw frame; a malformed one is `box.unknown` / `cloud.unknown`. */
export function classifyText(input: FrameInput, side: FrameSide): ClassifiedText {
  const parsed = parseFrame(input)
  if (!parsed.ok) {
    return {
      class: side === 'box' ? 'box.unknown' : 'cloud.unknown',
      crcOk: parsed.crcOk,
      problem: parsed.problem.code,
    }
  }
  return { ...classifyFrame(parsed.frame, side), crcOk: parsed.frame.crcOk }
}

/**
 * Guesses the side of a frame for captures without a `direction` column: only shapes that
 * PROTOCOL.md §2 ties to one side decide; anything else is `null` (unknown side).
 */
export function inferSide(frame: ParsedFrame): FrameSide | null {
  const box = classifyFromBox((t) => getTag(frame, t))
  const cloud = classifyToBox(frame)
  const boxKnown = box.class !== 'box.unknown'
  const cloudKnown = cloud.class !== 'cloud.unknown'
  if (boxKnown && !cloudKnown) return 'box'
  if (cloudKnown && !boxKnown) return 'cloud'
  return null
}
