/**
 * A SYNTHETIC capture with every variant a lean scan must read like the full one (the lean first
 * pass of extract, the classifying scan of contract derive): both add-on vocabularies, missing
 * conn ids and directions, a relayed frame, a bad CRC, conn id restarts, gaps, bad ts values, a
 * REAL conn id, a row only in raw_b64, sessions split on BOX END.
 */
import {
  CLOUD_ACK,
  CLOUD_ACK_GETACTUAL,
  CLOUD_END,
  CLOUD_NACK_ONEMORE,
} from '../../src/protocol/cloud-frames.js'
import { buildFrameFromPairs } from '../../src/protocol/frame.js'
import type { Row } from './make-db.js'
import {
  ACK,
  ACK_GA,
  BOX_END,
  END_TIME,
  POLL,
  SETTING,
  SETTING_ACK,
  t,
  UPLOAD,
} from './variant-frames.js'

const BAD_CRC = POLL.replace(/<CRC>\d+<\/CRC>/, '<CRC>00000</CRC>')

/** Every variant the lean pass must read like the full one, in one capture (in capture order). */
export function variantRows(): Row[] {
  const rows: Row[] = []
  const at = (ms: number, raw: string, direction: string | null, conn_id: number | null): void => {
    rows.push({ ts: t(ms), raw, direction, conn_id })
  }
  // Two interleaved connections of the older add-on, one with a setting handshake.
  at(0, POLL, 'box_to_proxy', 1)
  at(10, SETTING, 'cloud_to_proxy', 1)
  at(500, UPLOAD, 'box_to_proxy', 2)
  at(520, ACK_GA, 'cloud_to_proxy', 2)
  at(6000, SETTING_ACK, 'box_to_proxy', 1)
  at(6020, END_TIME, 'cloud_to_proxy', 1)
  // A row without conn_id joins the last active connection; one without a direction is inferred.
  at(7000, UPLOAD, 'box_to_proxy', null)
  at(7010, ACK_GA, null, 2)
  // The proxy relaying a lean BOX frame (its raw text is read back for the duplicate check).
  at(8000, UPLOAD, 'box_to_proxy', 2)
  at(8001, UPLOAD, 'proxy_to_cloud', 2)
  at(8020, ACK, 'cloud_to_proxy', 2)
  at(9000, BAD_CRC, 'box_to_proxy', 2)
  at(9010, ACK, 'proxy_to_box', 2)
  // A discontinuity, then an add-on restart (conn ids go down), a reply without request.
  at(20_000, POLL, 'box_to_proxy', 7)
  at(20_030, ACK, 'cloud_to_proxy', 7)
  at(30_000, ACK, 'cloud_to_proxy', 3)
  at(31_000, POLL, 'box_to_proxy', 3)
  // The newer add-on: ids per direction, replies paired by time.
  at(40_000, POLL, 'box_to_cloud', 101)
  at(40_020, END_TIME, 'cloud_to_box', 9101)
  at(44_000, BOX_END, 'box_to_cloud', 101)
  at(44_020, ACK, 'cloud_to_box', 9101)
  at(45_000, ACK, 'cloud_to_box', 9555)
  // A time gap on the same conn id, a ts out of order, an unparseable ts, a REAL conn id.
  at(2_000_000, POLL, 'box_to_proxy', 3)
  at(1_999_000, END_TIME, 'cloud_to_proxy', 3)
  rows.push({ ts: 'yesterday', raw: UPLOAD, direction: 'box_to_proxy', conn_id: 3 })
  rows.push({ ts: t(2_000_500), raw: ACK_GA, direction: 'cloud_to_proxy', conn_id: 3.5 })
  // A row whose text is only in raw_b64.
  at(2_001_000, POLL, 'box_to_proxy', 3)
  rows.push({
    ts: t(2_001_020),
    raw: null,
    raw_b64: Buffer.from(SETTING).toString('base64'),
    direction: 'cloud_to_proxy',
    conn_id: 3,
  })
  at(2_007_000, SETTING_ACK, 'box_to_proxy', 3)
  at(2_007_020, END_TIME, 'cloud_to_proxy', 3)
  // Rows without conn_id only: split on an answered BOX END.
  at(5_000_000, POLL, 'box_to_proxy', null)
  at(5_000_020, END_TIME, 'cloud_to_proxy', null)
  at(5_004_000, BOX_END, 'box_to_proxy', null)
  at(5_004_020, ACK, 'cloud_to_proxy', null)
  at(5_010_000, POLL, 'box_to_proxy', null)
  return rows
}

const pairs = (p: Array<[string, string]>): string => buildFrameFromPairs(p)

/** A tbl_events frame with this Content. */
const events = (content: string): string =>
  pairs([
    ['TblName', 'tbl_events'],
    ['ID_Set', '1'],
    ['Reason', 'Table'],
    ['Type', 'Change'],
    ['Content', content],
  ])

/**
 * variantRows and rows written to break the lean scans (malformed, bad-CRC and constant-like
 * frames, odd ts and raw values): each must read exactly as the full read reads it.
 */
export function hostileRows(): Row[] {
  const rows = variantRows()
  let ms = 9_000_000
  const at = (raw: string | null, direction: string, extra: Row = {}): void => {
    ms += 500
    rows.push({ ts: t(ms), raw, direction, conn_id: 40, ...extra })
  }
  at(POLL, 'box_to_proxy')
  at(CLOUD_ACK_GETACTUAL, 'cloud_to_proxy')
  at(events('Remotely : tbl_box_prms / MODE: [0]->[3]'), 'box_to_proxy')
  at(CLOUD_ACK, 'cloud_to_proxy')
  // Malformed frames: no CRC, a '<' in a value, a space in a tag, trailing data, empty text.
  at('<Frame><TblName>tbl_actual</TblName><Reason>Table</Reason></Frame>\r\n', 'box_to_proxy')
  at(CLOUD_ACK, 'cloud_to_proxy')
  at(UPLOAD.replace('tbl_actual', 'tbl<actual'), 'box_to_proxy')
  at(CLOUD_ACK, 'cloud_to_proxy')
  at(UPLOAD.replace('<DT>', '<D T>').replace('</DT>', '</D T>'), 'box_to_proxy')
  at(CLOUD_ACK, 'cloud_to_proxy')
  at(`${UPLOAD}junk`, 'box_to_proxy')
  at(CLOUD_END, 'cloud_to_proxy')
  at('', 'box_to_proxy')
  at(CLOUD_END, 'cloud_to_proxy')
  // A CRC child before the CRC, duplicate tags (the first wins), a bad CRC on an upload.
  at(POLL.replace('<ver>', '<CRC>1</CRC><ver>'), 'box_to_proxy')
  at(CLOUD_END, 'cloud_to_proxy')
  at(POLL.replace('<Frame>', '<Frame><Result>IsNewFW</Result>'), 'box_to_proxy')
  at(CLOUD_END, 'cloud_to_proxy')
  at(UPLOAD.replace(/<CRC>\d+/, '<CRC>99999'), 'box_to_proxy')
  at(CLOUD_NACK_ONEMORE, 'cloud_to_proxy')
  // A BOX frame with the text of a cloud constant; a constant with another line ending.
  at(CLOUD_ACK, 'box_to_proxy')
  at(CLOUD_ACK.replace('\r\n', '\n'), 'cloud_to_proxy')
  at(POLL, 'box_to_proxy')
  at(CLOUD_ACK_GETACTUAL.replace('\r\n', ''), 'cloud_to_proxy')
  // A cloud frame of a fixed shape with one tag too many; a Setting batch on this connection.
  at(POLL, 'box_to_proxy')
  at(
    pairs([
      ['Result', 'END'],
      ['ToDo', 'GetActual'],
      ['X', '1'],
    ]),
    'cloud_to_proxy',
  )
  at(POLL, 'box_to_proxy')
  at(SETTING, 'cloud_to_proxy')
  at(SETTING_ACK, 'box_to_proxy')
  at(ACK_GA, 'cloud_to_proxy')
  // An empty ts (lean: its ts page holds it as an empty field).
  rows.push({ ts: '', raw: POLL, direction: 'box_to_proxy', conn_id: 40 })
  at(CLOUD_END, 'cloud_to_proxy')
  // A numeric ts, a NULL raw with nothing in raw_b64 (read in full, row by row).
  rows.push({ ts: 1_772_400_000, raw: CLOUD_END, direction: 'cloud_to_proxy', conn_id: 40 })
  at(null, 'box_to_proxy')
  at(CLOUD_ACK, 'cloud_to_proxy')
  return rows
}

/**
 * Text the scan cannot delimit by its byte lengths (non-ASCII: several bytes a char; its separators
 * inside a value or a ts): the page holding it is read in full, and must still read the same.
 */
export function pageBreakers(): Row[] {
  const rows = hostileRows()
  const at = (ms: number, raw: string, direction: string, ts = t(ms)): void => {
    rows.splice(10, 0, { ts, raw, direction, conn_id: 2 })
  }
  at(600, events('Vstup : tbl_batt_prms / Příkon: [200]->[100]'), 'box_to_proxy')
  at(601, events('emoji \u{1F600} and more'), 'box_to_proxy')
  at(602, events('a\x1eb\x1fc'), 'box_to_proxy')
  at(603, POLL, 'box_to_proxy', `${t(603)}\x1f1\x1f0\x1f0\x1e9`)
  return rows
}
