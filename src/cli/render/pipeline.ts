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
