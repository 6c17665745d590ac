/** Human rendering of contracts, validations and diffs (pure). */
import type { ChalkInstance } from 'chalk'
import Table from 'cli-table3'
import type { ContractDiff } from '../../contract/diff.js'
import type { ContractValidation } from '../../contract/run-validate.js'
import type { Contract } from '../../contract/schema.js'
import { paint } from './paint.js'

function table(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [] } })
}

const ms = (n: number | null): string => (n === null ? '-' : String(n))

export function renderContract(c: Contract, chalk: ChalkInstance): string {
  const out: string[] = []
  const synthetic = c.synthetic ? chalk.yellow(' [SYNTHETIC INPUTS]') : ''
  out.push(
    `${chalk.bold(`contract ${c.version}`)}${synthetic}: ${c.inputs.length} input(s), ${c.totals.frames} frames, ${c.totals.sessions} sessions, ${c.totals.pairs} request/reply pairs, ${c.totals.from ?? '?'} … ${c.totals.to ?? '?'}`,
  )
  const t = table([
    'request @context',
    'reply',
    'n',
    'share',
    'p50 ms',
    'p99 ms',
    'tolerance ms',
    'BOX next',
  ])
  for (const r of c.transitions) {
    const next = r.followUps.map((f) => `${f.class ?? '(none)'} ×${f.count}`).join(', ')
    const tol = r.latency.toleranceMs ? `≤ ${r.latency.toleranceMs.maxMs}` : '-'
    t.push([
      `${r.id.split(' -> ')[0]}`,
      r.response,
      String(r.count),
      String(r.share),
      ms(r.latency.p50),
      ms(r.latency.p99),
      tol,
      next,
    ])
  }
  out.push(t.toString())
  for (const r of c.sequenceRules) {
    const tag = paint(chalk, r.status, 'holds', 'unsupported')
    out.push(
      `  rule ${r.id}: ${tag} (support ${r.support}, violations ${r.violations}, undetermined ${r.undetermined})`,
    )
  }
  const unobserved = c.unobserved.requests.map((u) => u.class).join(', ')
  out.push(`  unobserved requests: ${unobserved || '-'}`)
  out.push(`  unobserved replies: ${c.unobserved.replies.map((u) => u.name).join(', ')}`)
  return out.join('\n')
}

export function renderValidation(v: ContractValidation, chalk: ChalkInstance): string {
  const out: string[] = []
  const verdict = v.verdict === 'valid' ? chalk.green('VALID') : chalk.red('INVALID')
  out.push(
    `${chalk.bold('contract validate')} ${v.contract.file} (version ${v.contract.version}): ${verdict}`,
  )
  out.push(
    `  rows ${v.counts.rows}: ${v.counts.supported} supported, ${v.counts.unsupported} unsupported, ${v.counts.badCitations} with a bad citation, ${v.counts.unresolved} backed by pairs only (pass --pairs to check them); ${v.counts.missing} capture transition(s) not in the contract${v.strict ? ' (strict)' : ''}`,
  )
  out.push(
    `  inputs ${v.sameInputs ? 'are exactly the contract inputs' : 'differ from the contract inputs (counts are informative)'}`,
  )
  for (const p of v.problems.filter((x) => x.severity !== 'info')) {
    out.push(`  ${p.severity === 'error' ? chalk.red('FAIL') : chalk.yellow('WARN')} ${p.message}`)
  }
  for (const p of v.problems.filter((x) => x.severity === 'info' && x.code === 'missing-row'))
    out.push(chalk.dim(`  info ${p.message}`))
  return out.join('\n')
}

export function renderContractDiff(d: ContractDiff, chalk: ChalkInstance): string {
  const out = [
    `${chalk.bold('contract diff')} ${d.old.version} (${d.old.rows} rows) → ${d.new.version} (${d.new.rows} rows): ${d.breaking ? chalk.red('BREAKING') : chalk.green('compatible')}`,
  ]
  for (const c of d.changes)
    out.push(
      `  ${c.breaking ? chalk.red('breaking') : 'compatible'} ${c.kind} ${c.row}: ${c.detail}`,
    )
  if (d.changes.length === 0) out.push('  no changes')
  return out.join('\n')
}
