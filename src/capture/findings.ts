/** Integrity findings: what extract reports about a capture, per session, and those of one frame. */
import { FINDING_SEVERITY, type FindingCode } from '../evidence/schemas/finding-codes.js'
import { mapDirection } from './rows.js'
import type { Finding, SessionFrame } from './session-model.js'

export type { Finding }

/** Makes a finding with the severity its code carries. */
export function finding(code: FindingCode, frameId: number | null, message: string): Finding {
  return { code, severity: FINDING_SEVERITY[code], frameId, message }
}

/**
 * What one frame tells about the capture's integrity, given the session's previous frame, added
 * to `out`: time going back, a CRC that does not verify, text that is not a frame, an unparseable
 * ts, and a side that neither the direction nor the frame shape tells.
 */
export function addFrameFindings(
  out: Finding[],
  prev: SessionFrame | undefined,
  frame: SessionFrame,
): void {
  if (prev && prev.tsMs !== null && frame.tsMs !== null && frame.tsMs < prev.tsMs)
    out.push(
      finding(
        'ts-out-of-order',
        frame.id,
        `ts ${frame.ts} is earlier than the previous frame's ${prev.ts}`,
      ),
    )
  if (frame.crcOk === false)
    out.push(finding('crc-failure', frame.id, `CRC does not verify (${frame.class})`))
  if (frame.crcOk === null)
    out.push(finding('unparseable-frame', frame.id, 'row text is not a <Frame>…</Frame>'))
  if (frame.ts !== null && frame.tsMs === null)
    out.push(finding('missing-ts', frame.id, `unparseable ts ${JSON.stringify(frame.ts)}`))
  if (
    (frame.direction === null || mapDirection(frame.direction) === null) &&
    frame.notes.includes('origin-unknown')
  )
    out.push(
      finding(
        'unknown-direction',
        frame.id,
        'no usable direction and the frame shape does not tell its side',
      ),
    )
}
