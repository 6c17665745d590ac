/**
 * A SYNTHETIC capture with every variant a lean scan must read like the full one (the lean first
 * pass of extract, the classifying scan of contract derive): both add-on vocabularies, missing
 * conn ids and directions, a relayed frame, a bad CRC, conn id restarts, gaps, bad ts values, a
 * REAL conn id, a row only in raw_b64, sessions split on BOX END.
 */
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
