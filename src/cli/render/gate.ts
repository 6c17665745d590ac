/** Human rendering of a gate decision: the checklist table, the decision, the rollback steps (pure). */
import type { ChalkInstance } from 'chalk'
import Table from 'cli-table3'
import type { GateDecision } from '../../gate/gate-schema.js'
import type { RollbackRehearsal } from '../../rehearse/rehearsal-schema.js'
import { paint } from './paint.js'

const status = (s: string, c: ChalkInstance): string => paint(c, s, 'PASS', 'MISSING')

export function renderGateDecision(d: GateDecision, c: ChalkInstance): string {
  // Paths inside the evidence folder are shown relative to it.
  const prefix = d.evidenceDir.endsWith('/') ? d.evidenceDir : `${d.evidenceDir}/`
  const rel = (s: string): string => s.split(prefix).join('')
  const out = [
    `${c.bold('gate')} ${d.evidenceDir} (checklist ${d.checklist.version}${d.checklist.file ? ` ${d.checklist.file}` : ''})`,
  ]
  const tab = new Table({
    head: ['criterion', 'mandatory', 'status', 'evidence', 'reason'],
    style: { head: [], border: [] },
    colWidths: [28, 11, 9, 34, 60],
    wordWrap: true,
  })
  for (const k of d.criteria)
    tab.push([
      k.id,
      k.mandatory ? 'yes' : 'no',
      status(k.status, c),
      k.files.map((f) => rel(f.status === 'ok' ? f.file : `${f.file} (${f.status})`)).join('\n'),
      k.reasons.length > 2
        ? `${k.reasons.slice(0, 2).map(rel).join('\n')}\n… ${k.reasons.length - 2} more`
        : k.reasons.map(rel).join('\n') || '-',
    ])
  out.push(tab.toString())
  const verdict = d.decision === 'REMOVE' ? c.green.bold('REMOVE') : c.red.bold('KEEP')
  out.push(`decision: ${verdict} — ${d.summary}`)
  for (const b of d.blocking) {
    out.push(`  ${status(b.status, c)} ${b.id}`)
    for (const r of b.reasons) out.push(`    ${rel(r)}`)
    for (const f of b.fix) out.push(`    ${c.bold('to fix, run:')} ${f}`)
  }
  const optional = d.criteria.filter((k) => !k.mandatory && k.status !== 'PASS')
  if (optional.length)
    out.push(c.dim(`  not blocking: ${optional.map((k) => `${k.id} ${k.status}`).join(', ')}`))
  for (const k of optional) for (const f of k.fix) out.push(c.dim(`    ${k.id}: to fix, run: ${f}`))
  out.push(
    d.decision === 'KEEP'
      ? c.bold('rollback to the legacy replies (keep the backup path ready):')
      : c.dim('rollback to the legacy replies, while the path still exists:'),
  )
  d.rollback.forEach((s, i) => out.push(`  ${i + 1}. ${s.title}\n     ${s.command}`))
  return out.join('\n')
}

/** One line per rehearsal check (stderr, before the decision). */
export function renderRehearsal(r: RollbackRehearsal, c: ChalkInstance): string {
  const head = `rollback rehearsal on ${r.session.id} (${r.session.frames} BOX frames, one live connection): ${r.pass ? c.green('PASS') : c.red('FAIL')}`
  return [head, ...r.checks.map((k) => `  ${k.pass ? 'ok  ' : 'FAIL'} ${k.id}: ${k.detail}`)].join(
    '\n',
  )
}

/** `gate -q`: one line a CI log can show, `REMOVE` or `KEEP: <first blocking reason>`. */
export function renderGateLine(d: GateDecision): string {
  if (d.decision === 'REMOVE') return 'REMOVE'
  const first = d.blocking[0]
  if (!first) return `KEEP: ${d.summary}`
  return `KEEP: ${first.id} ${first.status}${first.reasons[0] ? `: ${first.reasons[0]}` : ''}`
}

/** A markdown cell: no pipe or line break can break the table. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>') || '-'
}

/** `gate --format markdown`: the decision and the checklist as a CI job summary table. */
export function renderGateMarkdown(d: GateDecision): string {
  const prefix = d.evidenceDir.endsWith('/') ? d.evidenceDir : `${d.evidenceDir}/`
  const rel = (s: string): string => s.split(prefix).join('')
  const mark = (s: string): string =>
    s === 'PASS' ? '✅ PASS' : s === 'MISSING' ? '⚠️ MISSING' : '❌ FAIL'
  const out = [
    `## oigctl gate: ${d.decision === 'REMOVE' ? '✅ REMOVE' : '❌ KEEP'}`,
    '',
    cell(d.summary),
    '',
    '| criterion | mandatory | status | evidence | reason |',
    '| --- | --- | --- | --- | --- |',
  ]
  for (const k of d.criteria)
    out.push(
      `| \`${cell(k.id)}\` | ${k.mandatory ? 'yes' : 'no'} | ${mark(k.status)} | ${cell(k.files.map((f) => rel(f.file)).join(', '))} | ${cell(k.reasons.map(rel).join('; '))} |`,
    )
  out.push('', `Evidence: \`${cell(d.evidenceDir)}\`, checklist ${cell(d.checklist.version)}.`)
  return out.join('\n')
}
