/** Hand-written SVG sequence diagram of one compared session against one target (pure). */
import type { CompareReport } from '../compare/report-schema.js'
import { cellText } from '../compare/compare.js'
import { diagramId, esc, ms } from './html.js'
import { ownValue } from '../own.js'
import { replayKey, type ReportInput } from './report-input.js'

type CompareSession = CompareReport['sessions'][number]
type Verdict = 'PASS' | 'MISMATCH' | 'WARN'

const WIDTH = 760
const BOX_X = 150
const TARGET_X = 640
const ROW_H = 30
const TOP = 46

interface FrameInfo {
  readonly raw: string | null
  readonly crcOk: boolean | null
}

function frameAttrs(label: string, info: FrameInfo): string {
  const crc = info.crcOk === null ? 'unknown' : info.crcOk ? 'ok' : 'BAD'
  return `class="frame" tabindex="0" data-label="${esc(label)}" data-crc="${crc}" data-raw="${esc(info.raw ?? '(raw text not in the evidence)')}"`
}

function arrow(y: number, toTarget: boolean, label: string, cls: string, attrs: string): string {
  const [x1, x2] = toTarget ? [BOX_X, TARGET_X] : [TARGET_X, BOX_X]
  const head = toTarget
    ? `${x2 - 8},${y - 4} ${x2},${y} ${x2 - 8},${y + 4}`
    : `${x2 + 8},${y - 4} ${x2},${y} ${x2 + 8},${y + 4}`
  return (
    `<g ${attrs}><line class="${cls}" x1="${x1}" y1="${y}" x2="${x2}" y2="${y}"/>` +
    `<polygon class="${cls}" points="${head}"/>` +
    `<text x="${(BOX_X + TARGET_X) / 2}" y="${y - 5}" text-anchor="middle">${esc(label)}</text></g>`
  )
}

/** Raw text of the BOX frame and of the reply the target gave, from the fixture and transcript. */
function framesOf(
  input: ReportInput,
  session: CompareSession,
  target: string,
  seq: number,
  id: number,
): [FrameInfo, FrameInfo] {
  const fixture = input.fixtures.get(session.id)
  const req = fixture?.frames.find((f) => f.id === id)
  const request = { raw: req?.raw ?? null, crcOk: req?.crcOk ?? null }
  if (target === 'online') {
    const rep =
      req?.replyId === null || req?.replyId === undefined
        ? undefined
        : fixture?.frames.find((f) => f.id === req.replyId)
    return [request, { raw: rep?.raw ?? null, crcOk: rep?.crcOk ?? null }]
  }
  const step = input.replays.get(replayKey(session.id, target))?.steps.find((s) => s.seq === seq)
  return [request, { raw: step?.reply?.raw ?? null, crcOk: step?.reply?.crcOk ?? null }]
}

const VERDICT_CLASS = {
  PASS: 'pass',
  MISMATCH: 'mismatch',
  WARN: 'warn',
} as const satisfies Record<Verdict, string>

/** The `<section>` with the diagram of `session` against `target`; its id is {@link diagramId}. */
export function renderSequenceDiagram(
  input: ReportInput,
  session: CompareSession,
  target: string,
): string {
  const id = diagramId(session.id, target)
  const rows = session.rows.filter((r) => ownValue(r.cells, target) !== undefined)
  const height = TOP + rows.length * ROW_H * 2 + 10
  const parts: string[] = [
    `<line class="lane" x1="${BOX_X}" y1="30" x2="${BOX_X}" y2="${height}"/>`,
    `<line class="lane" x1="${TARGET_X}" y1="30" x2="${TARGET_X}" y2="${height}"/>`,
    `<text class="lane-name" x="${BOX_X}" y="20" text-anchor="middle">BOX</text>`,
    `<text class="lane-name" x="${TARGET_X}" y="20" text-anchor="middle">${esc(target)}</text>`,
  ]
  rows.forEach((r, i) => {
    const cell = ownValue(r.cells, target)!
    const y = TOP + i * ROW_H * 2
    const [req, rep] = framesOf(input, session, target, r.seq, r.id)
    const setting = r.context === 'setting-batch' || cell.class === 'cloud.setting'
    if (setting)
      parts.push(
        `<rect class="setting" x="4" y="${y - 20}" width="${WIDTH - 8}" height="${ROW_H * 2}"/>`,
      )
    const reqLabel = r.table ? `${r.requestClass} ${r.table}` : r.requestClass
    parts.push(
      `<g id="${id}-seq-${r.seq}"><text class="seq" x="8" y="${y + 4}">#${r.seq}</text></g>`,
    )
    parts.push(
      arrow(y, true, reqLabel, 'req', frameAttrs(`#${r.seq} BOX → ${target}: ${reqLabel}`, req)),
    )
    const v = VERDICT_CLASS[cell.verdict]
    const replyLabel = `${cell.class === null ? `(${cell.outcome})` : cellText(cell)}${cell.latencyMs === null ? '' : `  ${ms(cell.latencyMs)}`}`
    parts.push(
      arrow(
        y + ROW_H,
        false,
        replyLabel,
        `rep ${v}`,
        frameAttrs(`#${r.seq} ${target} → BOX: ${replyLabel}`, rep),
      ),
    )
    if (cell.verdict !== 'PASS') {
      const mark = cell.verdict === 'MISMATCH' ? '✗ MISMATCH' : '! WARN'
      parts.push(
        `<text class="mark ${v}" x="${TARGET_X + 8}" y="${y + ROW_H + 4}"><title>${esc(cell.reason ?? '')}</title>${mark}</text>`,
      )
    }
  })
  const svg = `<svg class="seq" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${esc(`sequence of ${session.id} against ${target}`)}">${parts.join('')}</svg>`
  return (
    `<section class="diagram" id="${id}" data-session="${esc(session.id)}" data-target="${esc(target)}">` +
    `<h3>${esc(session.id)} → ${esc(target)}</h3>` +
    `<p class="muted">${esc(session.source)} · ${rows.length} BOX frames · click an arrow for its raw text and CRC</p>` +
    `${svg}<pre class="detail" aria-live="polite">(click a frame)</pre></section>`
  )
}
