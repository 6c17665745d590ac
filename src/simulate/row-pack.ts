/**
 * The compact form in which the generator worker hands rows to the DB writer: one string per chunk,
 * PACKED_FIELDS fields per row separated by US (0x1f). Frames are printable ASCII + CRLF, so the
 * separator never occurs inside a value. Pure.
 */
import type { SyntheticRow } from './row-sink.js'

export const FIELD_SEPARATOR = '\x1f'

/** ts, device_id ('' for NULL), table_name, raw, direction, conn_id, length. */
export const PACKED_FIELDS = 7

/** Appends one row's packed fields to `parts`. */
export function packRow(row: SyntheticRow, parts: string[]): void {
  parts.push(
    row.ts,
    row.deviceId ?? '',
    row.tableName,
    row.raw,
    row.direction,
    String(row.connId),
    String(row.length),
  )
}

/** Unpacks a chunk into a flat field array (PACKED_FIELDS per row). */
export function unpackRows(chunk: string): string[] {
  return chunk.split(FIELD_SEPARATOR)
}
