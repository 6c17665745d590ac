/** Human rendering of replay transcripts and compare reports (pure). */
import type { ChalkInstance } from 'chalk'
import Table from 'cli-table3'
import { cellText } from '../../compare/compare.js'
import type { CompareReport } from '../../compare/report-schema.js'
import type { ReplayDryRunDoc } from '../../formats/stdout-docs.js'
import type { ReplayTranscript } from '../../replay/transcript-schema.js'
import { ownValue } from '../../own.js'
import { paint } from './paint.js'

function table(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [] } })
}

export function renderReplay(t: ReplayTranscript, c: ChalkInstance): string {
  const out = [
    `${c.bold('replay')} ${t.session.id} → ${t.target.name} (${t.target.address})${t.settingsQueued.some((q) => q.id !== null) ? `, ${t.settingsQueued.filter((q) => q.id !== null).length} Setting(s) queued` : t.settingsQueued.length ? ', Settings not queued (external target)' : ''}`,
  ]
  const tab = table(['seq', 'BOX frame', 'reply', 'ms', 'recorded', 'notes'])
  for (const s of t.steps) {
    const reply = s.reply?.class ?? s.outcome
    const same =
      s.recorded && s.reply
        ? s.recorded.class === s.reply.class
        : s.recorded === null && s.reply === null
    tab.push([
      String(s.seq),
      s.table ? `${s.requestClass}[${s.table}]` : s.requestClass,
      same ? reply : c.yellow(reply),
      s.reply ? String(s.reply.latencyMs) : '-',
      s.recorded?.class ?? '-',
      [...s.notes, ...s.extra.map((e) => `extra ${e.class}`)].join('; '),
    ])
  }
  out.push(tab.toString())
  const k = t.counts
  out.push(
    `sent ${k.sent}, replies ${k.replies}, no-reply ${k.noReply}, closed ${k.closed}, skipped ${k.skipped}, extra frames ${k.extra}`,
  )
  return out.join('\n')
}

export function renderCompare(r: CompareReport, c: ChalkInstance): string {
  const out = [
    `${c.bold('compare')} against contract ${r.contract.version}: ${r.verdict === 'PASS' ? c.green('PASS') : c.red('FAIL')} (fails on ${r.failOn === 'any' ? 'any mismatch' : 'critical mismatches only'})`,
  ]
  const names = r.targets.map((t) => t.name)
  for (const s of r.sessions) {
    out.push(
      c.bold(`session ${s.id}`) +
        (s.boxOnly
          ? c.yellow(' (BOX-only: the capture holds no cloud side; judged against the contract)')
          : ''),
    )
    const tab = table(['seq', 'BOX frame', 'contract', ...names])
    for (const row of s.rows) {
      tab.push([
        String(row.seq),
        `${row.table ? `${row.requestClass}[${row.table}]` : row.requestClass}${row.critical ? ' *' : ''}`,
        row.expected.join('|') || '-',
        ...names.map((n) => {
          const cell = ownValue(row.cells, n)
          if (!cell) return '-'
          const text = `${cellText(cell)}${cell.latencyMs === null ? '' : ` ${Math.round(cell.latencyMs)}ms`}`
          return cell.verdict === 'PASS'
            ? text
            : cell.verdict === 'WARN' || !row.critical
              ? c.yellow(text)
              : c.red(text)
        }),
      ])
    }
    out.push(tab.toString())
    for (const l of s.lines) out.push(`  ${l.includes(' MISMATCH ') ? c.red(l) : c.yellow(l)}`)
    for (const l of s.contradictions) out.push(`  ${c.magenta(`CONTRADICTION ${l}`)}`)
    for (const h of s.handshakes)
      out.push(
        `  setting batch seq ${h.firstSeq}–${h.lastSeq}: ${h.settings} Setting(s)${h.complete ? '' : ' (not closed)'}: ${Object.entries(
          h.targets,
        )
          .map(([t, v]) => `${t} ${v}`)
          .join(', ')}`,
      )
    const inferred = [
      ...new Set(s.rows.flatMap((r) => (r.reference?.rule ? [r.reference.rule] : []))),
    ]
    if (inferred.length)
      out.push(
        c.dim(
          `  (inferred): a reply the capture lacks, proven by contract rule ${inferred.join(', ')}`,
        ),
      )
  }
  for (const t of r.targets) {
    const v = paint(c, t.verdict, 'PASS', 'DIFFERS')
    out.push(
      `  ${t.name}: ${v} — ${t.pass}/${t.rows} pass, ${t.mismatches} mismatch(es) of which ${t.criticalMismatches} critical, ${t.warnings} warning(s) (slow or unjudged); setting handshake ${t.handshakes.passed}/${t.handshakes.expected}`,
    )
  }
  out.push(c.dim('  * critical: polls and the setting handshake'))
  return out.join('\n')
}

/** The text of `replay --dry-run`: per session, each BOX frame that would be sent. */
export function renderDryRun(d: ReplayDryRunDoc): string {
  const to = d.builtIn ? `${d.target} (built in, started on a free 127.0.0.1 port)` : d.endpoint
  const out = [`dry run: nothing is sent. Would replay to ${to}, ${d.pacing}:`]
  for (const s of d.sessions) {
    out.push(
      `  ${s.session} (${s.frames.length} BOX frames)${s.queued.length ? `, queued first: ${s.queued.join(', ')}` : ''}`,
    )
    for (const f of s.frames)
      out.push(
        `    ${String(f.seq).padStart(4)}  ${f.class}${f.table ? `[${f.table}]` : ''}  ${f.bytes} B${f.gapMs === null ? '' : `  after ${f.gapMs} ms`}${f.conditional ? '  (only after a delivered Setting)' : ''}`,
      )
  }
  return out.join('\n')
}
