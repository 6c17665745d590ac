/**
 * SYNTHETIC frames for the schema and vocabulary variants the sample captures do not contain
 * (built with the project's frame builder, correct CRCs), and the timestamps of their rows.
 */
import { buildFrameFromPairs } from '../../src/protocol/frame.js'

const pairs = (p: Array<[string, string]>): string => buildFrameFromPairs(p)
export const POLL = pairs([
  ['Result', 'IsNewSet'],
  ['ID_Device', '0000000001'],
  ['Lat', '100'],
  ['ver', '12345'],
])
export const END_TIME = pairs([
  ['Result', 'END'],
  ['Time', '2026-03-01 11:00:00'],
  ['UTCTime', '2026-03-01 10:00:00'],
])
export const UPLOAD = pairs([
  ['TblName', 'tbl_actual'],
  ['ID_Set', '1'],
  ['DT', '2026-03-01 11:00:00'],
  ['Reason', 'Table'],
  ['ID_Device', '0000000001'],
  ['ver', '11111'],
])
export const ACK_GA = pairs([
  ['Result', 'ACK'],
  ['ToDo', 'GetActual'],
])
export const BOX_END = pairs([
  ['Result', 'END'],
  ['Rdt', '2026-03-01 11:00:00'],
  ['Reason', 'All data sent'],
])
export const ACK = pairs([['Result', 'ACK']])
export const SETTING = pairs([
  ['ID', '1'],
  ['ID_Device', '0000000001'],
  ['ID_Set', '1772359200'],
  ['ID_SubD', '0'],
  ['DT', '01.03.2026 11:00:00'],
  ['NewValue', '3'],
  ['Confirm', 'New'],
  ['TblName', 'tbl_box_prms'],
  ['TblItem', 'MODE'],
  ['ID_Server', '5'],
  ['mytimediff', '0'],
  ['Reason', 'Setting'],
  ['TSec', '2026-03-01 10:00:00'],
  ['ver', '22222'],
])
export const SETTING_ACK = pairs([
  ['Result', 'ACK'],
  ['Rdt', '2026-03-01 11:00:07'],
  ['Reason', 'Setting'],
  ['Tmr', '100'],
  ['ver', '33333'],
])
export const NACK_WC = pairs([
  ['Result', 'NACK'],
  ['Reason', 'WC'],
])

/** ISO ts (UTC, +00:00) `ms` after 2026-03-01 10:00:00. */
export const t = (ms: number): string =>
  new Date(Date.UTC(2026, 2, 1, 10, 0, 0) + ms).toISOString().replace('Z', '+00:00')
