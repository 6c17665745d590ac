/**
 * What the proxy needs to know about a BOX frame, read once from the frame's own content (pure):
 * its class (CRC not required: the legacy path classified by `Result` alone), the table, the
 * device id and the add-on's `table_name` label for the capture DB (PROTOCOL.md §6).
 */
import { classifyFrame, classifyText } from '../../protocol/classify.js'
import type { BoxClass, CloudClass } from '../../protocol/frame-class.js'
import { getTag, parseFrame, wireBytes, type FrameInput } from '../../protocol/frame.js'

export interface BoxFrameInfo {
  readonly request: BoxClass
  /** `TblName` of an upload or events upload. */
  readonly table: string | null
  /** CRC verified; null when the text is not a frame at all. */
  readonly crcOk: boolean | null
  readonly deviceId: string | null
  /** The add-on's `table_name`: `Result` of a poll/END/ACK, else `TblName` (best effort). */
  readonly label: string | null
}

/** Classifies a BOX frame (bytes or text, without line ending); never throws. */
export function inspectBoxFrame(frame: FrameInput): BoxFrameInfo {
  const parsed = parseFrame(frame)
  if (!parsed.ok) {
    return { request: 'box.unknown', table: null, crcOk: parsed.crcOk, deviceId: null, label: null }
  }
  const c = classifyFrame(parsed.frame, 'box')
  const tblName = getTag(parsed.frame, 'TblName') ?? null
  return {
    request: c.class as BoxClass,
    table: c.table ?? null,
    crcOk: parsed.frame.crcOk,
    deviceId: getTag(parsed.frame, 'ID_Device') ?? null,
    label: getTag(parsed.frame, 'Result') ?? tblName,
  }
}

/** Class and CRC status of a frame sent to the BOX (`cloud.unknown` for text that is no frame). */
export function inspectReply(frame: FrameInput): {
  readonly cls: CloudClass
  readonly crcOk: boolean | null
} {
  const c = classifyText(frame, 'cloud')
  return { cls: c.class as CloudClass, crcOk: c.crcOk }
}

/** Cheap pre-check (hot path): only a frame with `Reason` Setting can be a `cloud.setting`. */
export function mayBeSetting(frame: FrameInput): boolean {
  return typeof frame === 'string'
    ? frame.includes('<Reason>Setting</Reason>')
    : wireBytes(frame).includes('<Reason>Setting</Reason>')
}
