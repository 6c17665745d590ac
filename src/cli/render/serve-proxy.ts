/** Human rendering of what a `serve proxy` run did, printed at shutdown. */
import type { ChalkInstance } from 'chalk'
import type { ServeProxyDoc } from '../../targets/serve-doc.js'

export function renderServeProxy(d: ServeProxyDoc, c: ChalkInstance): string {
  const k = d.counters
  const f = k.upstreamFailures
  const s = d.settings
  return [
    `${c.bold('oigctl serve proxy')} stopped by ${d.stoppedBy} at ${d.stoppedAt}`,
    `  listened on ${d.listen}, upstream ${d.upstream ?? 'none'}, contract ${d.contractVersion}`,
    `  mode ${d.mode} (${d.state}), ${d.transitions.length} mode changes, local replies ${d.localReplies}`,
    `  connections: ${d.connections.total} accepted, ${d.connections.rejected} rejected`,
    `  frames: ${k.framesIn} in, ${k.forwarded} forwarded, ${k.upstreamReplies} upstream replies, ${k.localReplies} local replies (${k.rescued} rescues), ${k.unanswered} unanswered, ${k.unobserved} unobserved`,
    `  problems: ${k.crcErrors} bad CRC, ${k.garbage} garbage, ${k.oversize} oversize, ${k.backlogPauses} backlog pauses`,
    `  upstream failures: ${f.timeout} timeouts, ${f.reset} resets, ${f.refused} refused`,
    `  settings: ${s.pending.length} pending, ${s.delivered.length} delivered, ${s.acked.length} acked, ${s.nacked.length} nacked`,
    ...(d.capture === null ? [] : [`  capture: ${d.capture}`]),
  ].join('\n')
}
