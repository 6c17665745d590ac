/** Report section: the contract transitions with citations and latency histograms (pure). */
import type { CompareReport } from '../compare/report-schema.js'
import type { Transition } from '../contract/schema.js'
import { esc, ms } from './html.js'
import type { ReportInput } from './report-input.js'

const HIST_W = 220
const HIST_H = 40
/** Buckets are 16 per doubling from 0.01 ms (contract rules.histogram); 0.01 ms · 2^23 ≈ 84 s. */
const MAX_BUCKET = 16 * 23

const xOfMs = (v: number): number => {
  const i = v <= 0.01 ? 0 : 16 * Math.log2(v / 0.01)
  return Math.min(HIST_W, Math.max(0, (i / MAX_BUCKET) * HIST_W))
}

/** Measured latencies of each target for the request this transition answers. */
function measured(
  compare: CompareReport | null,
  t: Transition,
): Array<{ target: string; ms: number }> {
  if (!compare) return []
  const out: Array<{ target: string; ms: number }> = []
  for (const s of compare.sessions)
    for (const r of s.rows) {
      if (
        r.requestClass !== t.request.class ||
        r.table !== t.request.table ||
        r.context !== t.context
      )
        continue
      for (const [target, c] of Object.entries(r.cells))
        if (c.latencyMs !== null && c.class === t.response) out.push({ target, ms: c.latencyMs })
    }
  return out
}

/** A log-scale histogram of the captured latencies with the tolerance window and measured ticks. */
export function renderHistogram(
  t: Transition,
  ticks: ReadonlyArray<{ target: string; ms: number }>,
): string {
  const buckets = Object.entries(t.latency.histogram.buckets).map(
    ([i, n]) => [Number(i), n] as const,
  )
  const top = Math.max(1, ...buckets.map(([, n]) => n))
  const bars = buckets
    .map(([i, n]) => {
      const h = Math.max(2, (n / top) * (HIST_H - 12))
      const x = (i / MAX_BUCKET) * HIST_W
      return `<rect class="bar" x="${x.toFixed(1)}" y="${(HIST_H - 10 - h).toFixed(1)}" width="3" height="${h.toFixed(1)}"><title>${n} replies ≤ ${ms(0.01 * 2 ** (i / 16))}</title></rect>`
    })
    .join('')
  const tol = t.latency.toleranceMs
  const window = tol
    ? `<rect class="window" x="${xOfMs(tol.minMs).toFixed(1)}" y="0" width="${(xOfMs(tol.maxMs) - xOfMs(tol.minMs)).toFixed(1)}" height="${HIST_H - 10}"><title>tolerance ${ms(tol.minMs)}–${ms(tol.maxMs)}</title></rect>`
    : ''
  const marks = ticks
    .map(
      (m) =>
        `<line class="tick" x1="${xOfMs(m.ms).toFixed(1)}" y1="${HIST_H - 9}" x2="${xOfMs(m.ms).toFixed(1)}" y2="${HIST_H}"><title>${esc(m.target)}: ${ms(m.ms)}</title></line>`,
    )
    .join('')
  return `<svg class="hist" viewBox="0 0 ${HIST_W} ${HIST_H}" width="${HIST_W}" height="${HIST_H}" role="img" aria-label="latency histogram">${window}${bars}${marks}</svg>`
}

/** One row per transition: request, context, response, share, latency, citations, histogram. */
export function renderContract(input: ReportInput): string {
  const c = input.contract
  if (!c)
    return `<section id="contract"><h2>Contract</h2><p class="missing">No readable contract.json in the evidence.</p></section>`
  const rows = c.transitions
    .map((t) => {
      const req = [t.request.class, t.request.table, t.request.eventType, t.request.pollForm]
        .filter(Boolean)
        .join(' ')
      const cites =
        t.citations
          .map(
            (x) =>
              `<li>${esc(x.file)} #${esc(x.requestId ?? '–')} → #${esc(x.replyId ?? '–')}${x.ts ? ` <span class="muted">${esc(x.ts)}</span>` : ''}</li>`,
          )
          .join('') +
        t.pairCitations
          .map(
            (x) =>
              `<li>pair ${esc(x.file)} ${esc(x.requestId)} → ${esc(x.responseId ?? '–')} <span class="muted">${esc(x.matchReason)}</span></li>`,
          )
          .join('')
      const inferred = t.inferred.map((i) => `inferred ×${i.count}: ${i.rule}`).join('; ')
      const tiers = `<span class="tier">frames ${t.support.frames}</span><br><span class="tier">pairs ${t.support.pairs}</span>${inferred ? `<br><span class="muted" title="${esc(inferred)}">inferred ${t.inferred.reduce((n, i) => n + i.count, 0)}</span>` : ''}`
      const l = t.latency
      return (
        `<tr class="transition${t.context === 'setting-batch' ? ' setting' : ''}" id="t-${esc(t.id.replace(/[^A-Za-z0-9]+/g, '-'))}">` +
        `<td>${esc(req)}</td><td>${esc(t.context)}</td><td>${esc(t.response)}</td><td class="num">${t.count}</td><td class="num tiers">${tiers}</td><td class="num">${(t.share * 100).toFixed(0)}%</td>` +
        `<td>p50 ${ms(l.p50)}<br>p95 ${ms(l.p95)}<br>max ${ms(l.max)}</td><td>${renderHistogram(t, measured(input.compare, t))}</td><td><ul class="cites">${cites}</ul></td></tr>`
      )
    })
    .join('')
  return (
    `<section id="contract"><h2>Contract ${esc(c.version)}</h2>` +
    `<p class="muted">${c.transitions.length} transitions from ${c.totals.pairs} request/reply pairs in ${c.inputs.length} inputs. Histogram: captured latencies (log scale), shaded tolerance window, ticks below: targets' measured latencies.</p>` +
    (c.unobserved.unbuildable.length > 0
      ? `<p class="warn">Unbuildable observed replies (no captured frame): ${c.unobserved.unbuildable.map((u) => `${esc(u.id)}: ${esc(u.reply)} ${(u.share * 100).toFixed(0)}% → targets send ${esc(u.sentInstead ?? 'nothing')}`).join('; ')}</p>`
      : '') +
    `<table class="contract"><thead><tr><th>request</th><th>context</th><th>response</th><th>count</th><th>tiers</th><th>share</th><th>latency</th><th>histogram</th><th>citations</th></tr></thead><tbody>${rows}</tbody></table></section>`
  )
}
