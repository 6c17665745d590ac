/**
 * Frames sent to the BOX, built exactly as the real cloud sends them (PROTOCOL.md §1–2; shapes
 * and field order as captured). Used by the simulator, the mock cloud and the proxy's local replies.
 */
import { formatCzech, formatCzechSettingDt, formatUtc } from './cz-time.js'
import type { CloudClass } from './frame-class.js'
import { buildFrameFromPairs } from './frame.js'

/** Constant cloud replies (CRCs 54590, 00167, 34500, 21021, 21736, 45909, 56002). */
export const CLOUD_ACK = buildFrameFromPairs([['Result', 'ACK']])
export const CLOUD_ACK_GETACTUAL = buildFrameFromPairs([
  ['Result', 'ACK'],
  ['ToDo', 'GetActual'],
])
export const CLOUD_END = buildFrameFromPairs([['Result', 'END']])
export const CLOUD_END_GETACTUAL = buildFrameFromPairs([
  ['Result', 'END'],
  ['ToDo', 'GetActual'],
])
export const CLOUD_NACK_WC = buildFrameFromPairs([
  ['Result', 'NACK'],
  ['Reason', 'WC'],
])
export const CLOUD_NACK_ONEMORE = buildFrameFromPairs([
  ['Result', 'NACK'],
  ['Reason', 'OneMore'],
])
export const CLOUD_NACK = buildFrameFromPairs([['Result', 'NACK']])

/** The constant replies above, the most frequent first. */
export const CLOUD_CONSTANT_FRAMES: readonly string[] = [
  CLOUD_ACK_GETACTUAL,
  CLOUD_ACK,
  CLOUD_END,
  CLOUD_END_GETACTUAL,
  CLOUD_NACK_WC,
  CLOUD_NACK_ONEMORE,
  CLOUD_NACK,
]

/** Cloud END+Time+UTCTime (+ToDo GetActual), both times taken from the reply's own instant. */
export function cloudEndTime(utcMs: number, getActual: boolean): string {
  const pairs: Array<[string, string]> = [
    ['Result', 'END'],
    ['Time', formatCzech(utcMs)],
    ['UTCTime', formatUtc(utcMs)],
  ]
  if (getActual) pairs.push(['ToDo', 'GetActual'])
  return buildFrameFromPairs(pairs)
}

export interface CloudSettingInput {
  readonly id: number
  readonly deviceId: string
  /** When the user asked for the change (UTC ms): `ID_Set` (Unix s) and `DT` (Czech). */
  readonly requestMs: number
  readonly newValue: string
  readonly tblName: string
  readonly tblItem: string
  /** When the cloud sends the frame (UTC ms): `TSec`. */
  readonly sentMs: number
  /** 5-digit `ver`, different on every frame. */
  readonly ver: string
}

/** Cloud Setting with the 14 children in the captured order (setting-handshake-2025-12-10). */
export function cloudSetting(s: CloudSettingInput): string {
  return buildFrameFromPairs([
    ['ID', String(s.id)],
    ['ID_Device', s.deviceId],
    ['ID_Set', String(Math.floor(s.requestMs / 1000))],
    ['ID_SubD', '0'],
    ['DT', formatCzechSettingDt(s.requestMs)],
    ['NewValue', s.newValue],
    ['Confirm', 'New'],
    ['TblName', s.tblName],
    ['TblItem', s.tblItem],
    ['ID_Server', '5'],
    ['mytimediff', '0'],
    ['Reason', 'Setting'],
    ['TSec', formatUtc(s.sentMs)],
    ['ver', s.ver],
  ])
}

/**
 * Builds a fixed-shape reply of a class at instant `utcMs`. `cloud.setting` needs its own input
 * (cloudSetting) and `cloud.unknown` has no shape: both give null, never an invented frame.
 */
export function buildCloudReply(cls: CloudClass, utcMs: number): string | null {
  switch (cls) {
    case 'cloud.ack':
      return CLOUD_ACK
    case 'cloud.ack-getactual':
      return CLOUD_ACK_GETACTUAL
    case 'cloud.end':
      return CLOUD_END
    case 'cloud.end-getactual':
      return CLOUD_END_GETACTUAL
    case 'cloud.end-time':
      return cloudEndTime(utcMs, false)
    case 'cloud.end-time-getactual':
      return cloudEndTime(utcMs, true)
    case 'cloud.nack-wc':
      return CLOUD_NACK_WC
    case 'cloud.nack-onemore':
      return CLOUD_NACK_ONEMORE
    case 'cloud.nack':
      return CLOUD_NACK
    case 'cloud.setting':
    case 'cloud.unknown':
      return null
  }
}
