/** Compact text sequence diagrams of fixtures, replay transcripts and compare reports (pure). */
import { cellText } from '../compare/compare.js'
import type { CompareReport } from '../compare/report-schema.js'
import type { FixtureFrame, SessionFixture } from '../evidence/schemas/session-fixture.js'
import type { ReplayTranscript, ReplyRecord } from '../replay/transcript-schema.js'
import type { SequenceDoc } from './sequence-doc.js'

/** The colours the renderer uses; a chalk instance fits (level 0 gives plain text). */
export interface Paint {
  dim(s: string): string
  bold(s: string): string
  red(s: string): string
  green(s: string): string
  yellow(s: string): string
  cyan(s: string): string
  magenta(s: string): string
}

export const ARROW_TO_CLOUD = '──►'
export const ARROW_TO_BOX = '◄──'

/** `HH:MM:SS.mmm` of a stored capture timestamp, or null when it has no time part. */
export function clockOf(ts: string | null): string | null {
  const m = ts === null ? null : /(\d{2}:\d{2}:\d{2})(\.\d{1,3})?/.exec(ts)
  if (!m) return null
  return `${m[1]}${(m[2] ?? '.000').padEnd(4, '0')}`
}

/** Latency for display: whole milliseconds. */
export function formatLatency(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : `${Math.round(ms)} ms`
}

function label(cls: string, table: string | null): string {
  return table ? `${cls} ${table}` : cls
}

function paintClass(p: Paint, cls: string, text: string): string {
  if (cls === 'cloud.setting' || cls.startsWith('box.setting')) return p.magenta(text)
  if (cls.includes('nack') || cls.endsWith('unknown')) return p.red(text)
  return cls.startsWith('box.') ? p.cyan(text) : text
}

function fixtureLine(f: FixtureFrame, byId: Map<number, FixtureFrame>, p: Paint): string {
  const when = clockOf(f.ts) ?? `#${f.id}`
  const toCloud = f.destination === 'cloud'
  const arrow = toCloud
    ? `BOX ${ARROW_TO_CLOUD} ${f.destination}`
    : `BOX ${ARROW_TO_BOX} ${f.origin}`
  const latency = toCloud
    ? ''
    : formatLatency(f.answers === null ? null : byId.get(f.answers)?.latencyMs)
  const crc = f.crcOk === false ? p.red(' CRC BAD') : ''
  const item = f.item ? ` ${f.item}` : ''
  const text = paintClass(p, f.class, label(f.class, f.table) + item)
  return `${p.dim(when.padEnd(12))} ${arrow.padEnd(13)} ${text}${latency ? p.dim(`  ${latency}`) : ''}${crc}`
}

function renderFixture(doc: SessionFixture, p: Paint): string[] {
  const s = doc.session
  const byId = new Map(doc.frames.map((f) => [f.id, f]))
  const head = `${p.bold(`session ${s.id}`)}  ${doc.source.file}  ${s.frameCount} frames  ${s.firstTs ?? '?'} → ${s.lastTs ?? '?'}`
  const settings = doc.handshakes.length > 0 ? [`setting handshakes: ${doc.handshakes.length}`] : []
  const findings = doc.findings.map((f) => p.yellow(`${f.severity} ${f.code}: ${f.message}`))
  return [head, ...settings, ...doc.frames.map((f) => fixtureLine(f, byId, p)), ...findings]
}

function replyLine(
  prefix: string,
  target: string,
  r: ReplyRecord,
  p: Paint,
  extra = false,
): string {
  const crc = r.crcOk === false ? p.red(' CRC BAD') : ''
  const tag = extra ? p.yellow(' (unsolicited)') : ''
  return `${prefix} BOX ${ARROW_TO_BOX} ${target.padEnd(7)} ${paintClass(p, r.class, r.class)}${p.dim(`  ${formatLatency(r.latencyMs)}`)}${crc}${tag}`
}

function renderReplay(doc: ReplayTranscript, p: Paint): string[] {
  const t = doc.target.name
  const head = `${p.bold(`replay ${doc.session.id}`)} → ${t}  sent ${doc.counts.sent}, replies ${doc.counts.replies}, no reply ${doc.counts.noReply}, closed ${doc.counts.closed}`
  const lines = [head]
  for (const s of doc.steps) {
    const seq = `#${String(s.seq).padStart(4, '0')}`.padEnd(12)
    lines.push(
      `${p.dim(seq)} BOX ${ARROW_TO_CLOUD} ${t.padEnd(7)} ${paintClass(p, s.requestClass, label(s.requestClass, s.table))}`,
    )
    const blank = ' '.repeat(12)
    if (s.reply) lines.push(replyLine(blank, t, s.reply, p))
    else lines.push(`${blank} ${p.yellow(`(${s.outcome})`)}`)
    for (const e of s.extra) lines.push(replyLine(blank, t, e, p, true))
  }
  return lines
}

function paintVerdict(p: Paint, v: 'PASS' | 'MISMATCH' | 'WARN'): string {
  return v === 'PASS' ? p.green(v) : v === 'WARN' ? p.yellow(v) : p.red(v)
}

function renderCompare(doc: CompareReport, p: Paint): string[] {
  const targets = doc.targets.map((t) => `${t.name} ${t.verdict}`).join(', ')
  const lines = [
    `${p.bold('compare')} contract ${doc.contract.version}  verdict ${doc.verdict}  (${targets})`,
  ]
  for (const s of doc.sessions) {
    lines.push('', p.bold(`session ${s.id}`) + (s.boxOnly ? p.yellow('  BOX-only capture') : ''))
    for (const r of s.rows) {
      const seq = `#${String(r.seq).padStart(4, '0')}`.padEnd(12)
      const ctx = r.context === 'normal' ? '' : p.magenta(` [${r.context}]`)
      lines.push(
        `${p.dim(seq)} BOX ${ARROW_TO_CLOUD} ${paintClass(p, r.requestClass, label(r.requestClass, r.table))}${ctx}  expect ${r.expected.join('|') || '-'}`,
      )
      for (const [name, c] of Object.entries(r.cells)) {
        const reply = c.class === null ? `(${c.outcome})` : cellText(c)
        const lat = formatLatency(c.latencyMs)
        const why = c.reason ? p.dim(`  ${c.reason}`) : ''
        lines.push(
          `${' '.repeat(12)} BOX ${ARROW_TO_BOX} ${name.padEnd(7)} ${reply}${lat ? p.dim(`  ${lat}`) : ''}  ${paintVerdict(p, c.verdict)}${why}`,
        )
      }
    }
  }
  return lines
}

/** The text sequence diagram of a validated evidence document, one line per frame. */
export function renderSequence(doc: SequenceDoc, p: Paint): string {
  switch (doc.kind) {
    case 'session':
      return renderFixture(doc, p).join('\n')
    case 'replay':
      return renderReplay(doc, p).join('\n')
    case 'compare':
      return renderCompare(doc, p).join('\n')
  }
}
