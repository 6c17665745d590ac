/** Human rendering of a soak report (pure). */
import type { ChalkInstance } from 'chalk'
import Table from 'cli-table3'
import type { SoakReport } from '../../soak/report-schema.js'

const secs = (s: number): string => `${Math.round(s * 10) / 10} s`

function faultLine(r: SoakReport): string {
  if (r.faults.length === 0) return '  faults: none'
  const shown = r.faults.slice(0, 3).map((f) => `${f.kind} ${secs(f.fromS)}–${secs(f.toS)}`)
  const more = r.faults.length > 3 ? `, … (${r.faults.length} windows)` : ''
  return `  faults: ${shown.join(', ')}${more}`
}

export function renderSoak(r: SoakReport, c: ChalkInstance): string {
  const v = r.verdict
  const k = r.counts
  const cons = r.conservation
  const out = [
    `${c.bold('soak')} ${r.scenario}: ${v.pass ? c.green('PASS') : c.red('FAIL')} — ${v.expectation}`,
    `  ${secs(r.durationS)} simulated at time scale ${r.timeScale} in ${secs(r.wallS)} wall; threshold ${r.policy.failThreshold}, retry ${r.policy.retryIntervalS} s, reply timeout ${r.policy.replyTimeoutMs} ms`,
    `  sessions: ${r.sessions.count} from ${r.sessions.source}; contract ${r.contract.version}; seed ${r.seed}`,
    faultLine(r),
    `  upstream: ${k.resets} resets, ${k.timeouts} timeouts, ${k.refusals} refusals, ${k.slow} slow, ${k.garbage} garbage; ${k.rescues} rescues`,
    `  conservation: ${cons.boxFrames} BOX frames, ${cons.replies} replies, ${cons.lost} lost, ${cons.duplicated} duplicated ${cons.ok ? c.green('ok') : c.red('FAILED')}`,
    `  time in state: ${Object.entries(r.timeInStateS)
      .map(([s, t]) => `${s} ${secs(t)}`)
      .join(', ')}; oscillations ${r.oscillations}`,
  ]
  if (r.transitions.length > 0) {
    const tab = new Table({
      head: ['at', 'from', 'to', 'fails', 'reason'],
      style: { head: [], border: [] },
    })
    for (const t of r.transitions.slice(0, 20))
      tab.push([secs(t.atS), t.from, t.to, String(t.failCount), t.reason])
    out.push(tab.toString())
    if (r.transitions.length > 20) out.push(`  … ${r.transitions.length - 20} more transitions`)
  } else out.push('  transitions: none')
  for (const reason of v.reasons) out.push(c.red(`  ✗ ${reason}`))
  return out.join('\n')
}
