/** Report section: the compare matrix (sequences × targets) and one diagram per cell (pure). */
import type { CompareReport } from '../compare/report-schema.js'
import { diagramId, esc } from './html.js'
import type { ReportInput } from './report-input.js'
import { ownValue } from '../own.js'
import { renderSequenceDiagram } from './sequence-svg.js'

type CompareSession = CompareReport['sessions'][number]
export type CellVerdict = 'PASS' | 'WARN' | 'MISMATCH' | 'NONE'

/** The worst verdict of `target` over the rows of a session (NONE: the target has no rows). */
export function sessionVerdict(session: CompareSession, target: string): CellVerdict {
  const verdicts = session.rows
    .map((r) => ownValue(r.cells, target)?.verdict)
    .filter((v) => v !== undefined)
  if (verdicts.length === 0) return 'NONE'
  if (verdicts.includes('MISMATCH')) return 'MISMATCH'
  return verdicts.includes('WARN') ? 'WARN' : 'PASS'
}

/** The sessions × targets matrix, each cell linking to its diagram, then all diagrams. */
export function renderCompare(input: ReportInput): string {
  const c = input.compare
  if (!c)
    return `<section id="compare"><h2>Compare</h2><p class="missing">No readable compare.json in the evidence.</p></section>`
  const targets = c.targets.map((t) => t.name)
  const head = targets
    .map((name) => {
      const t = c.targets.find((x) => x.name === name)!
      return `<th>${esc(name)}<br><span class="v-${t.verdict.toLowerCase()}">${esc(t.verdict)}</span></th>`
    })
    .join('')
  const rows = c.sessions
    .map((s) => {
      const cells = targets
        .map((t) => {
          const v = sessionVerdict(s, t)
          if (v === 'NONE') return `<td class="cell v-none">–</td>`
          const n = s.rows.filter((r) => ownValue(r.cells, t)?.verdict === v).length
          return `<td class="cell v-${v.toLowerCase()}" data-verdict="${v}"><a href="#${diagramId(s.id, t)}">${v}${v === 'PASS' ? '' : ` ×${n}`}</a></td>`
        })
        .join('')
      return `<tr class="sequence-row" data-session="${esc(s.id)}"><th scope="row">${esc(s.id)}<br><span class="muted">${s.rows.length} frames</span></th>${cells}</tr>`
    })
    .join('')
  // Collapsed by default; failing diagrams first and expanded (a long capture is many screens).
  const rank: Record<CellVerdict, number> = { MISMATCH: 0, WARN: 1, PASS: 2, NONE: 3 }
  const diagrams = c.sessions
    .flatMap((s) =>
      targets.map((t) => ({ s, t, v: sessionVerdict(s, t) })).filter((d) => d.v !== 'NONE'),
    )
    .sort((a, b) => rank[a.v] - rank[b.v])
    .map(
      ({ s, t, v }) =>
        `<details class="diagram-box" data-verdict="${v}"${v === 'PASS' ? '' : ' open'}>` +
        `<summary><span class="v-${v.toLowerCase()}">${v}</span> ${esc(s.id)} → ${esc(t)} <span class="muted">${s.rows.length} frames</span></summary>` +
        `${renderSequenceDiagram(input, s, t)}</details>`,
    )
  const failing = diagrams.filter((d) => d.includes(' open>')).length
  return (
    `<section id="compare"><h2>Compare: ${esc(c.verdict)}</h2>` +
    `<p class="muted">contract ${esc(c.contract.version)} · ${c.sessions.length} sequences × ${targets.length} targets${c.strictTiming ? ' · strict timing' : ''}</p>` +
    `<table class="matrix"><thead><tr><th>sequence</th>${head}</tr></thead><tbody>${rows}</tbody></table>` +
    `<h2 id="diagrams">Sequence diagrams</h2><p class="muted">${failing} with a mismatch or warning, first and open; ${diagrams.length - failing} passing, collapsed (click to open)</p>${diagrams.join('')}</section>`
  )
}
