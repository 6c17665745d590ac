/** Human rendering of a pipeline run (pure). */
import type { ChalkInstance } from 'chalk'
import type { PipelineResult } from '../../pipeline/run-pipeline.js'

export function renderPipeline(r: PipelineResult, c: ChalkInstance): string {
  const out = [
    c.bold(
      `oigctl pipeline${r.synthetic ? c.yellow(' [SYNTHETIC DATA: a built-in simulated capture, not a real one]') : ''}`,
    ),
  ]
  for (const s of r.steps) {
    const mark = s.ok ? c.green('ok  ') : s.name === 'gate' ? c.yellow('KEEP') : c.red('FAIL')
    out.push(
      `  ${mark} ${s.name.padEnd(18)} ${s.summary}${s.evidence ? c.dim(`  → ${s.evidence}`) : ''}`,
    )
  }
  const decision = r.decision === 'REMOVE' ? c.green('REMOVE') : c.yellow('KEEP')
  out.push(
    `decision: ${decision}${r.blocking.length ? ` (blocking: ${r.blocking.join(', ')})` : ''}`,
  )
  for (const b of r.gate.blocking) {
    out.push(`  ${b.status} ${b.id}`)
    for (const reason of b.reasons) out.push(`    ${reason}`)
    for (const f of b.fix) out.push(`    ${c.bold('to fix, run:')} ${f}`)
  }
  for (const k of r.gate.notBlocking)
    out.push(c.dim(`  not blocking: ${k.id} ${k.status}: ${k.reasons.join('; ')}`))
  out.push(
    c.dim(
      `  exit ${r.exitCode}: ${r.synthetic ? 'synthetic data, every step but the gate ran' : "the gate's decision (0 REMOVE, 1 KEEP)"}`,
    ),
  )
  if (r.synthetic)
    out.push(
      c.dim(
        '  synthetic evidence can never remove the backup path; run oigctl pipeline --db payloads.db on real captures',
      ),
    )
  out.push(`evidence: ${r.out}/ (gate.json, compare.json, soak/, contract.json, …)`)
  out.push(`report: ${r.report}`)
  return out.join('\n')
}
