/** Report section: the gate checklist and decision, each criterion linking to its evidence (pure). */
import { esc, evidenceHref } from './html.js'
import type { ReportInput } from './report-input.js'

/** `file` as a path inside the evidence folder when it lies there, else unchanged. */
function insideEvidence(file: string, evidenceDir: string): string {
  const dir = evidenceDir.replace(/\\/g, '/').replace(/\/+$/, '')
  const f = file.replace(/\\/g, '/')
  return f.startsWith(`${dir}/`) ? f.slice(dir.length + 1) : f
}

/** The decision sentence shown at the top of the report. */
export function decisionText(input: ReportInput): string {
  const g = input.gate
  if (!g) return 'No gate decision in the evidence.'
  return `Decision: ${g.decision}: ${g.summary}`
}

/**
 * The summary under the decision: the compare verdict and what the gate made of it, so that
 * "Compare: FAIL" next to "Decision: REMOVE" is explained (which targets failed, and which
 * criteria read the compare report with their status).
 */
export function renderSummary(input: ReportInput): string {
  const c = input.compare
  const g = input.gate
  const items: string[] = []
  if (c) {
    const failing = c.targets.filter((t) => t.verdict === 'FAIL').map((t) => t.name)
    const verdicts = c.targets.map((t) => `${t.name} ${t.verdict}`).join(', ')
    const reading = g
      ? g.criteria.filter((k) => k.files.some((f) => /(^|\/)compare\.json$/.test(f.file)))
      : []
    const judged = reading.map((k) => `${k.id} ${k.status}`).join(', ')
    const why =
      failing.length === 0
        ? ''
        : ` — failing: ${failing.join(', ')}${failing.includes('legacy') ? ' (legacy is the backup reply table this decision is about; its known differences are expected)' : ''}`
    items.push(
      `Compare: ${c.verdict} (${verdicts})${why}.${g ? ` The gate judges the compare report by ${judged || 'no criterion'}${g.decision === 'REMOVE' ? ', all passed' : ''}.` : ''}`,
    )
  }
  if (g) {
    const blocking = g.blocking.map((b) => `${b.id} ${b.status}`).join(', ')
    items.push(
      g.decision === 'REMOVE'
        ? `Gate: REMOVE — every mandatory criterion passed (${g.counts.pass}/${g.counts.criteria} criteria).`
        : `Gate: KEEP — blocking: ${blocking || 'no mandatory criterion'}.`,
    )
  }
  if (items.length === 0) return ''
  return `<ul class="summary" id="summary">${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>`
}

export function renderGate(input: ReportInput): string {
  const g = input.gate
  if (!g)
    return `<section id="gate"><h2>Gate</h2><p class="missing">No readable gate.json in the evidence.</p></section>`
  const rows = g.criteria
    .map((c) => {
      const files = c.files
        .map((f) => {
          const rel = insideEvidence(f.file, g.evidenceDir)
          return `<li><a class="evidence-link" href="${esc(evidenceHref(input.linkBase, rel))}">${esc(rel)}</a> <span class="muted">${esc(f.status)}</span></li>`
        })
        .join('')
      return (
        `<tr class="criterion c-${c.status.toLowerCase()}" id="criterion-${esc(c.id)}"><td>${c.status === 'PASS' ? '✓' : '✗'} ${esc(c.status)}</td>` +
        `<td><b>${esc(c.id)}</b>${c.mandatory ? '' : ' <span class="muted">(optional)</span>'}<br>${esc(c.description)}${c.reasons.map((r) => `<br><span class="v-fail">${esc(r)}</span>`).join('')}${c.fix.map((f) => `<br><span class="muted">to fix, run:</span> <code>${esc(f)}</code>`).join('')}</td><td><ul>${files}</ul></td></tr>`
      )
    })
    .join('')
  return (
    `<section id="gate"><h2>Gate</h2><p class="decision d-${g.decision.toLowerCase()}">${esc(decisionText(input))}</p>` +
    `<p class="muted">${g.counts.pass}/${g.counts.criteria} criteria passed, ${g.counts.blocking} blocking · checklist ${esc(g.checklist.version)} · evaluated ${esc(g.generatedAt)}</p>` +
    `<table class="checklist"><thead><tr><th>status</th><th>criterion</th><th>evidence</th></tr></thead><tbody>${rows}</tbody></table></section>`
  )
}
