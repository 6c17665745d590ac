/**
 * A BOX-only capture of a 3-Setting batch, built from REAL BOX frames of the captures: the short
 * IsNewSet of `setting-handshake-2025-12-10.db` (row 1) and its setting ACK (row 3), the setting
 * ACK of `setting-handshake-2025-12-18-conn1.db` (row 2) and row 3 again. The cloud rows are
 * dropped, as an add-on that recorded only the BOX side would store the batch; the timestamps
 * are spaced like the BOX's real ACK gaps (PROTOCOL.md §4: 5–7 s).
 */
import { captureFrame, loadCaptureFrames } from './captures.js'
import { FULL_COLUMNS, makeCaptureDb } from './make-db.js'

const TS = [
  '2025-12-10T20:42:51+00:00',
  '2025-12-10T20:42:58+00:00',
  '2025-12-10T20:43:05+00:00',
  '2025-12-10T20:43:12+00:00',
]

/** Writes the BOX-only batch DB to `file` and returns its path. */
export function boxOnlyBatchDb(file: string): string {
  const frames = loadCaptureFrames()
  const poll = captureFrame(frames, 'setting-handshake-2025-12-10.db', 1)
  const ack10 = captureFrame(frames, 'setting-handshake-2025-12-10.db', 3)
  const ack18 = captureFrame(frames, 'setting-handshake-2025-12-18-conn1.db', 2)
  const rows = [poll, ack10, ack18, ack10].map((f, i) => {
    if (f.side !== 'box') throw new Error(`${f.file} row ${f.id} is not a BOX frame`)
    return {
      ts: TS[i]!,
      device_id: '2206237016',
      table_name: i === 0 ? 'IsNewSet' : 'ACK',
      raw: f.raw,
      direction: 'box_to_proxy',
      conn_id: 1,
      length: Buffer.byteLength(f.raw),
    }
  })
  return makeCaptureDb(file, FULL_COLUMNS, rows)
}
