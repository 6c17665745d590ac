/** Report section: soak timelines, proxy state over time with faults and transitions (pure). */
import type { SoakReport } from '../soak/report-schema.js'
import { esc } from './html.js'
import type { ReportInput } from './report-input.js'

const W = 720
const LEFT = 70

/** State intervals from the transitions; the state before the first transition is its `from`. */
export function stateIntervals(s: SoakReport): Array<{ from: number; to: number; state: string }> {
  const out: Array<{ from: number; to: number; state: string }> = []
  let at = 0
  let state = s.transitions[0]?.from ?? Object.keys(s.timeInStateS)[0] ?? 'online'
  for (const t of s.transitions) {
    out.push({ from: at, to: t.atS, state })
    at = t.atS
    state = t.to
  }
  out.push({ from: at, to: s.durationS, state })
  return out
}

function timeline(s: SoakReport): string {
  const x = (sec: number): string =>
    (LEFT + (Math.min(sec, s.durationS) / s.durationS) * (W - LEFT - 10)).toFixed(1)
  const states = stateIntervals(s)
    .map(
      (i) =>
        `<rect class="state st-${esc(i.state.replace(/[^a-z-]/gi, ''))}" x="${x(i.from)}" y="8" width="${(Number(x(i.to)) - Number(x(i.from))).toFixed(1)}" height="18"><title>${esc(i.state)} ${i.from}–${i.to} s</title></rect>`,
    )
    .join('')
  const faults = s.faults
    .map(
      (f) =>
        `<rect class="fault" x="${x(f.fromS)}" y="34" width="${Math.max(1, Number(x(f.toS)) - Number(x(f.fromS))).toFixed(1)}" height="12"><title>${esc(f.kind)} ${f.fromS}–${f.toS} s${f.note ? `: ${esc(f.note)}` : ''}</title></rect>`,
    )
    .join('')
  const marks = s.transitions
    .map(
      (t) =>
        `<line class="transition" x1="${x(t.atS)}" y1="4" x2="${x(t.atS)}" y2="50"><title>${esc(`${t.atS} s: ${t.from} → ${t.to} (${t.reason})`)}</title></line>`,
    )
    .join('')
  return `<svg class="soak" viewBox="0 0 ${W} 64" width="${W}" height="64" role="img" aria-label="${esc(`${s.scenario} timeline`)}"><text x="4" y="21">state</text><text x="4" y="44">faults</text>${states}${faults}${marks}<text x="${LEFT}" y="62" class="muted">0 s</text><text x="${W - 10}" y="62" text-anchor="end" class="muted">${s.durationS} s</text></svg>`
}

/** One timeline per soak report, with its verdict, counts and transitions. */
export function renderSoak(input: ReportInput): string {
  if (input.soaks.length === 0)
    return `<section id="soak"><h2>Soak</h2><p class="missing">No readable soak reports in the evidence.</p></section>`
  const blocks = input.soaks
    .map((s) => {
      const v = s.verdict.pass ? 'pass' : 'fail'
      const c = s.counts
      const trans = s.transitions
        .map(
          (t) =>
            `<li>${t.atS} s: ${esc(t.from)} → ${esc(t.to)} <span class="muted">${esc(t.reason)}</span></li>`,
        )
        .join('')
      return (
        `<div class="soak-block" id="soak-${esc(s.scenario)}"><h3>${esc(s.scenario)} <span class="v-${v}">${v.toUpperCase()}</span></h3>` +
        `<p class="muted">${esc(s.verdict.expectation)} · ${s.durationS} s simulated · resets ${c.resets}, timeouts ${c.timeouts}, refusals ${c.refusals}, slow ${c.slow}, garbage ${c.garbage}, rescues ${c.rescues} · ${s.conservation.boxFrames} BOX frames, ${s.conservation.lost} lost</p>` +
        `${timeline(s)}${trans ? `<ul>${trans}</ul>` : ''}${s.verdict.reasons.map((r) => `<p class="v-fail">${esc(r)}</p>`).join('')}</div>`
      )
    })
    .join('')
  return `<section id="soak"><h2>Soak timelines</h2>${blocks}</section>`
}
