/** The self-contained HTML report: inline CSS and JS, hand-written SVG, no external resource (pure). */
import { esc } from './html.js'
import type { ReportInput } from './report-input.js'
import { renderCompare } from './section-compare.js'
import { renderContract } from './section-contract.js'
import { decisionText, renderGate, renderSummary } from './section-gate.js'
import { renderEvidenceList, renderOverview } from './section-overview.js'
import { renderSoak } from './section-soak.js'

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:16px;color:#1d2330}
h1{margin:0 0 4px}h2{border-bottom:1px solid #ccd;padding-bottom:2px;margin-top:32px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #dde;padding:3px 6px;text-align:left;vertical-align:top}
.num{text-align:right}.muted{color:#667;font-size:12px}.row{display:flex;gap:24px;flex-wrap:wrap}
.missing{color:#a40}.warn,.v-warn,.mark.warn{color:#a06a00}.v-fail,.v-mismatch,.mark.mismatch{color:#b3001b}.v-pass{color:#17743a}
nav a{margin-right:12px}.decision{font-size:20px;font-weight:600;padding:8px 12px;border-radius:4px}
.d-remove{background:#e3f6e8}.d-keep{background:#fde7e9}
.matrix td.cell a{display:block;color:inherit;text-decoration:none;font-weight:600}
td.v-pass{background:#e3f6e8}td.v-warn{background:#fff4d6}td.v-mismatch{background:#fde7e9}td.v-none{color:#aab}
svg{font:11px system-ui,sans-serif;overflow:visible}
svg.seq .lane{stroke:#99a;stroke-dasharray:4 3}svg.seq .lane-name{font-weight:600;font-size:13px}
svg.seq line.req,svg.seq line.rep{stroke:#335;stroke-width:1.4}svg.seq polygon{fill:#335}
svg.seq .rep.mismatch{stroke:#b3001b;fill:#b3001b}svg.seq .rep.warn{stroke:#a06a00;fill:#a06a00}
svg.seq .setting{fill:#efe6ff}svg.seq .frame{cursor:pointer}svg.seq .frame:hover text,svg.seq .frame:focus text{font-weight:700}
svg.seq .seq{fill:#667}svg.seq .mark{font-weight:700}
pre.detail{background:#f4f5f8;padding:6px;white-space:pre-wrap;word-break:break-all;max-height:160px;overflow:auto}
svg.hist .bar{fill:#335}svg.hist .window{fill:#d9f0df}svg.hist .tick{stroke:#b3001b}
svg.soak .state{fill:#9cc}svg.soak .st-online{fill:#7cc79a}svg.soak .st-offline{fill:#e59a9a}svg.soak .fault{fill:#e0a040}svg.soak .transition{stroke:#222}
tr.c-fail,tr.c-missing{background:#fde7e9}tr.setting{background:#f6f0ff}ul{margin:0;padding-left:18px}
details.diagram-box{border:1px solid #dde;border-radius:4px;margin:6px 0;padding:2px 8px}details.diagram-box>summary{cursor:pointer;font-weight:600}
ul.summary{margin:8px 0 0}table.origins th,table.origins td{min-width:64px}
.ev-unknown-schema-version,.ev-invalid,.ev-not-json,.ev-unreadable{background:#fff4d6}
`

/** Clicking (or Enter on) a frame arrow shows its raw text and CRC status under its diagram. */
const JS = `
document.addEventListener('click',function(e){var g=e.target.closest&&e.target.closest('.frame');if(!g)return;show(g)});
document.addEventListener('keydown',function(e){if(e.key==='Enter'&&e.target.classList&&e.target.classList.contains('frame'))show(e.target)});
function openTarget(){var id=location.hash.slice(1);var t=id&&document.getElementById(id);var d=t&&t.closest('details');if(d)d.open=true}
window.addEventListener('hashchange',openTarget);openTarget();
function show(g){var s=g.closest('section.diagram');if(!s)return;var p=s.querySelector('pre.detail');
p.textContent=g.getAttribute('data-label')+'\\nCRC: '+g.getAttribute('data-crc')+'\\n'+g.getAttribute('data-raw')}
`

/** Renders the whole report for the evidence in `input`. */
export function renderReport(input: ReportInput, generatedAt: string): string {
  const decision = decisionText(input)
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>oigctl report: ${esc(input.gate?.decision ?? 'no decision')}</title>`,
    `<style>${CSS}</style></head><body>`,
    `<header><h1>oigctl evidence report</h1><p class="muted">evidence ${esc(input.evidenceDir)} · generated ${esc(generatedAt)}</p>`,
    `<p class="decision d-${esc((input.gate?.decision ?? 'none').toLowerCase())}" id="decision">${esc(decision)}</p>`,
    renderSummary(input),
    `<nav><a href="#overview">Overview</a><a href="#contract">Contract</a><a href="#compare">Compare</a><a href="#diagrams">Diagrams</a><a href="#soak">Soak</a><a href="#gate">Gate</a><a href="#evidence">Evidence files</a></nav></header>`,
    renderOverview(input),
    renderContract(input),
    renderCompare(input),
    renderSoak(input),
    renderGate(input),
    renderEvidenceList(input),
    `<script>${JS}</script></body></html>`,
    '',
  ].join('\n')
}
