/** Report sections: capture overview and the list of evidence files read (pure). */
import { esc, evidenceHref } from './html.js'
import type { ReportInput } from './report-input.js'

function countTable(title: string, counts: Record<string, number>): string {
  const rows = Object.entries(counts).filter(([, n]) => n > 0)
  return (
    `<table class="counts"><caption>${esc(title)}</caption><tbody>` +
    rows.map(([k, n]) => `<tr><td>${esc(k)}</td><td class="num">${n}</td></tr>`).join('') +
    `</tbody></table>`
  )
}

/** Frames per origin as one row: box, cloud, proxy, total, each with its share. */
function originTable(counts: Record<string, number>): string {
  const entries = Object.entries(counts)
  const total = entries.reduce((n, [, v]) => n + v, 0)
  const share = (n: number): string =>
    total === 0 ? '' : ` <span class="muted">${((100 * n) / total).toFixed(1)} %</span>`
  return (
    `<table class="counts origins"><caption>frames per origin</caption><thead><tr>${entries.map(([k]) => `<th>${esc(k)}</th>`).join('')}<th>total</th></tr></thead>` +
    `<tbody><tr>${entries.map(([, n]) => `<td class="num">${n}${share(n)}</td>`).join('')}<td class="num">${total}</td></tr></tbody></table>`
  )
}

/** Time span, sessions, frames per class and origin, integrity findings (from extract-result). */
export function renderOverview(input: ReportInput): string {
  const x = input.extract
  if (!x)
    return `<section id="overview"><h2>Capture overview</h2><p class="missing">No readable extract-result.json in the evidence.</p></section>`
  const firsts = x.sources
    .map((s) => s.firstTs)
    .filter((t): t is string => t !== null)
    .sort()
  const lasts = x.sources
    .map((s) => s.lastTs)
    .filter((t): t is string => t !== null)
    .sort()
  const span = firsts.length > 0 ? `${firsts[0]} → ${lasts[lasts.length - 1] ?? '?'}` : 'unknown'
  const f = x.totals.findings
  const findings = x.findings
    .filter((g) => g.severity !== 'info')
    .map(
      (g) =>
        `<tr class="sev-${esc(g.severity)}"><td>${esc(g.severity)}</td><td>${esc(g.code)}</td><td>${esc(g.session)}</td><td>${esc(g.frameId ?? '')}</td><td>${esc(g.message)}</td></tr>`,
    )
  const sources = x.sources
    .map(
      (s) =>
        `<tr><td>${esc(s.file)}</td><td class="num">${s.rows}</td><td class="num">${s.sessions}</td><td>${esc(s.firstTs ?? '')}</td><td>${esc(s.lastTs ?? '')}</td><td>${s.synthetic ? 'synthetic' : 'real'}</td></tr>`,
    )
    .join('')
  return (
    `<section id="overview"><h2>Capture overview</h2>` +
    `<p><b>Time span:</b> ${esc(span)} · <b>Sessions:</b> ${x.totals.sessionsSelected} of ${x.totals.sessionsRead} · <b>Frames:</b> ${x.totals.framesSelected}${x.synthetic ? ' · <b class="warn">synthetic input</b>' : ''}</p>` +
    `<table><thead><tr><th>source</th><th>rows</th><th>sessions</th><th>first</th><th>last</th><th></th></tr></thead><tbody>${sources}</tbody></table>` +
    originTable(x.originCounts) +
    `<div class="row">${countTable('frames per class', x.classCounts)}</div>` +
    `<h3>Integrity findings: ${f.error} error, ${f.warning} warning, ${f.info} info</h3>` +
    (findings.length > 0
      ? `<details><summary>${findings.length} errors and warnings</summary><table><thead><tr><th>severity</th><th>code</th><th>session</th><th>frame</th><th>message</th></tr></thead><tbody>${findings.join('')}</tbody></table></details>`
      : '<p>None.</p>') +
    `</section>`
  )
}

/** Every JSON file found in the evidence folder, with unreadable or unknown-version files flagged. */
export function renderEvidenceList(input: ReportInput): string {
  const shown = input.entries.filter((e) => e.kind !== 'session' || e.status !== 'ok')
  const fixtures = input.entries.length - shown.length
  const rows = shown
    .map(
      (e) =>
        `<tr class="ev-${esc(e.status)}"><td><a href="${esc(evidenceHref(input.linkBase, e.file))}">${esc(e.file)}</a></td><td>${esc(e.kind ?? '?')}</td><td>${esc(e.schemaVersion ?? '?')}</td><td>${esc(e.status)}</td><td>${esc(e.problem ?? '')}</td></tr>`,
    )
    .join('')
  return (
    `<section id="evidence"><h2>Evidence files</h2><p class="muted">${esc(input.evidenceDir)} · ${fixtures} session fixtures not listed</p>` +
    `<table><thead><tr><th>file</th><th>kind</th><th>schemaVersion</th><th>status</th><th>problem</th></tr></thead><tbody>${rows}</tbody></table></section>`
  )
}
