/**
 * Frame builders for the synthetic capture: every shape here is copied from a real capture in
 * `../shared/captures` or from PROTOCOL.md §2 (field order included); CRCs come from buildFrame.
 */
import { formatCzech } from '../protocol/cz-time.js'
import { buildFrame, buildFrameFromPairs, type FrameChild } from '../protocol/frame.js'

export type Children = FrameChild[]

/** Shorthand for one frame child. */
export const child = (tag: string, value: string): FrameChild => ({ tag, value })

const REASON_TABLE = child('Reason', 'Table')

export {
  CLOUD_ACK,
  CLOUD_ACK_GETACTUAL,
  CLOUD_END,
  CLOUD_END_GETACTUAL,
  CLOUD_NACK_ONEMORE,
  cloudEndTime,
  cloudSetting,
  type CloudSettingInput,
} from '../protocol/cloud-frames.js'

/**
 * A BOX upload's `ID_Set`, derived from its Czech `DT` text (`YYYY-MM-DD HH:MM:SS`): a seconds
 * counter over a calendar of 31-day months counted from the year 2000,
 * ((Y−2000)·372 + M·31 + D)·86400 + h·3600 + m·60 + s. Fits every captured upload (e.g.
 * `2026-02-17 13:37:12` → 842535432 in probe-frames-2026-02, `2026-03-02 06:40:47` → 843892847 in
 * events-change-2026-03-02).
 */
export function boxIdSet(dt: string): number {
  const n = (from: number, to: number): number => Number(dt.slice(from, to))
  const days = (n(0, 4) - 2000) * 372 + n(5, 7) * 31 + n(8, 10)
  return days * 86400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19)
}

/** A BOX time stamp in both forms an upload carries: Czech `DT` text and the `ID_Set` counter. */
export interface BoxStamp {
  readonly dt: string
  readonly idSet: number
}

/** Builds the BoxStamp of a UTC instant. */
export function boxStamp(utcMs: number): BoxStamp {
  const dt = formatCzech(utcMs)
  return { dt, idSet: boxIdSet(dt) }
}

/** Head of a table upload: `TblName, ID_Set, DT, Reason=Table, ID_Device` (box-uploads-2025-12-07). */
function pushUploadHead(
  out: Children,
  table: string,
  stamp: BoxStamp,
  idSet: number,
  deviceId: string,
): void {
  out.push(
    child('TblName', table),
    child('ID_Set', String(idSet)),
    child('DT', stamp.dt),
    REASON_TABLE,
    child('ID_Device', deviceId),
  )
}

/** A BOX table upload: head, data fields, `ver`. `idSet` defaults to the stamp's counter. */
export function boxUpload(
  table: string,
  stamp: BoxStamp,
  deviceId: string,
  fields: Children,
  ver: string,
  idSet = stamp.idSet,
): string {
  const children: Children = []
  pushUploadHead(children, table, stamp, idSet, deviceId)
  for (const f of fields) children.push(f)
  children.push(child('ver', ver))
  return buildFrame(children)
}

/** Short IsNewSet poll: `Result, ID_Device, Lat, ver` (probe-frames-2026-02). */
export function boxPollIsNewSetShort(deviceId: string, lat: number, ver: string): string {
  return buildFrameFromPairs([
    ['Result', 'IsNewSet'],
    ['ID_Device', deviceId],
    ['Lat', String(lat)],
    ['ver', ver],
  ])
}

/** Merged IsNewSet poll: the short prefix without `ver` glued onto a whole tbl_actual body
 * (session-2026-02-17-conn2315: `ID_Device` then appears twice). */
export function boxPollIsNewSetMerged(
  deviceId: string,
  lat: number,
  stamp: BoxStamp,
  fields: Children,
  ver: string,
): string {
  const children: Children = [
    child('Result', 'IsNewSet'),
    child('ID_Device', deviceId),
    child('Lat', String(lat)),
  ]
  pushUploadHead(children, 'tbl_actual', stamp, stamp.idSet, deviceId)
  for (const f of fields) children.push(f)
  children.push(child('ver', ver))
  return buildFrame(children)
}

/**
 * IsNewFW poll. PROTOCOL.md §2 names its fields (`Fw` = `v.4.4.43.0716`, empty `Up`) but no such
 * frame was captured: the order follows the IsNewSet poll (`Result, ID_Device, …, ver`).
 */
export function boxPollIsNewFw(deviceId: string, ver: string): string {
  return buildFrameFromPairs([
    ['Result', 'IsNewFW'],
    ['ID_Device', deviceId],
    ['Fw', 'v.4.4.43.0716'],
    ['Up', ''],
    ['ver', ver],
  ])
}

/**
 * IsNewWeather poll. PROTOCOL.md §2 names `Geobaseid` and `LoadedOn` but no such frame was
 * captured: order as the IsNewSet poll, placeholder values (`Geobaseid` 0, `LoadedOn` Czech time).
 */
export function boxPollIsNewWeather(deviceId: string, loadedOnMs: number, ver: string): string {
  return buildFrameFromPairs([
    ['Result', 'IsNewWeather'],
    ['ID_Device', deviceId],
    ['Geobaseid', '0'],
    ['LoadedOn', formatCzech(loadedOnMs)],
    ['ver', ver],
  ])
}

/** BOX ACK of a Setting: `Result=ACK, Rdt, Reason=Setting, Tmr=100, ver` (PROTOCOL.md §2). */
export function boxSettingAck(rdt: string, ver: string): string {
  return buildFrameFromPairs([
    ['Result', 'ACK'],
    ['Rdt', rdt],
    ['Reason', 'Setting'],
    ['Tmr', '100'],
    ['ver', ver],
  ])
}

/** BOX END `All data sent`; `ver` was present in 2025 and is absent in 2026 (PROTOCOL.md §2). */
export function boxEnd(rdt: string, ver: string | null): string {
  const pairs: Array<[string, string]> = [
    ['Result', 'END'],
    ['Rdt', rdt],
    ['Reason', 'All data sent'],
  ]
  if (ver !== null) pairs.push(['ver', ver])
  return buildFrameFromPairs(pairs)
}

/** BOX `tbl_events` upload in the captured order (setting-handshake-2025-12-10). */
export function boxEvents(
  deviceId: string,
  stamp: BoxStamp,
  type: 'Setting',
  content: string,
  ver: string,
): string {
  return buildFrameFromPairs([
    ['TblName', 'tbl_events'],
    ['Reason', 'Table'],
    ['ID_Device', deviceId],
    ['ID_Set', String(stamp.idSet)],
    ['DT', stamp.dt],
    ['Type', type],
    ['Confirm', 'NoNeed'],
    ['Content', content],
    ['ver', ver],
  ])
}
