/** Human rendering of what a `serve` run did, printed at shutdown. */
import type { ChalkInstance } from 'chalk'
import type { ServeDoc } from '../../targets/serve-doc.js'

/** The shutdown summary of a `serve` run: where it listened, what it answered, what went wrong. */
export function renderServe(d: ServeDoc, c: ChalkInstance): string {
  const k = d.counters
  const s = d.settings
  return [
    `${c.bold(`oigctl serve ${d.target}`)} stopped by ${d.stoppedBy} at ${d.stoppedAt}`,
    `  listened on ${d.host}:${d.port}, control ${d.controlPort === null ? 'off' : `${d.controlHost}:${d.controlPort}`}, contract ${d.contractVersion}`,
    `  connections: ${d.connections.accepted} accepted, ${d.connections.rejected} rejected`,
    `  frames: ${k.framesIn} in, ${k.repliesOut} replies (${k.settingsSent} Settings), ${k.unobserved} unanswered (unobserved)`,
    `  problems: ${k.crcErrors} bad CRC, ${k.garbage} garbage, ${k.oversize} oversize, ${k.idleTimeouts} idle timeouts, ${k.socketErrors} socket errors`,
    `  settings: ${s.pending.length} pending, ${s.delivered.length} delivered, ${s.acked.length} acked, ${s.nacked.length} nacked`,
  ].join('\n')
}
