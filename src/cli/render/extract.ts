/** Human rendering of an extract result (pure: value in, text out). */
import type { ChalkInstance } from 'chalk'
import Table from 'cli-table3'
import type { ExtractResult } from '../../evidence/schemas/extract-result.js'

/** A list as the renderer reads it: an array (a document read back) or extract's ItemList. */
interface ListOf<T> {
  readonly length: number
  slice(start?: number, end?: number): T[]
  filter(keep: (item: T) => unknown): T[]
}

type Lists = 'sessions' | 'findings' | 'settingHandshakes'

/** An extract result as extract returns it or as its file is read back. */
export type ExtractView = Omit<ExtractResult, Lists> & {
  readonly [K in Lists]: ListOf<ExtractResult[K][number]>
}

const MAX_FINDINGS = 20
const MAX_SESSIONS = 15

function table(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [] } })
}

export function renderExtract(r: ExtractView, c: ChalkInstance): string {
  const out: string[] = []
  const synthetic = r.synthetic
    ? c.yellow(' [SYNTHETIC DATA: written by oigctl simulate, not a real capture]')
    : ''
  out.push(c.bold(`oigctl extract`) + synthetic)
  for (const s of r.sources) {
    const missing = s.missingColumns.length
      ? `, missing columns: ${s.missingColumns.join(', ')}`
      : ''
    const extra = s.extraColumns.length ? `, extra columns: ${s.extraColumns.join(', ')}` : ''
    out.push(
      `  ${s.file}${s.synthetic ? c.yellow(' (synthetic)') : ''}: ${s.rows} rows, ${s.sessions} sessions, ${s.firstTs ?? '?'} … ${s.lastTs ?? '?'}${missing}${extra}`,
    )
  }
  const t = r.totals
  out.push(
    `  sessions: ${t.sessionsSelected} selected of ${t.sessionsRead} (--select ${r.options.select}); frames: ${t.framesSelected} of ${t.framesRead}`,
  )

  const classes = table(['class', 'frames'])
  for (const [k, v] of Object.entries(r.classCounts)) if (v > 0) classes.push([k, String(v)])
  out.push(classes.toString())
  out.push(
    `  by origin: box ${r.originCounts.box}, cloud ${r.originCounts.cloud}, proxy ${r.originCounts.proxy}`,
  )

  if (r.sessions.length > 0) {
    const sessions = table(['session', 'boundary', 'frames', 'first', 'handshakes'])
    for (const s of r.sessions.slice(0, MAX_SESSIONS)) {
      sessions.push([
        s.id,
        s.boundary.rule,
        String(s.frameCount),
        s.firstTs ?? '-',
        String(s.settingHandshakes),
      ])
    }
    out.push(sessions.toString())
    if (r.sessions.length > MAX_SESSIONS)
      out.push(
        c.dim(`  … ${r.sessions.length - MAX_SESSIONS} more sessions in ${r.outputs.summary}`),
      )
  }

  if (r.settingHandshakes.length > 0) {
    const hs = table([
      'setting handshake',
      'answered',
      'ack',
      'ack after ms',
      'closed by',
      'complete',
    ])
    for (const h of r.settingHandshakes.slice(0, MAX_SESSIONS)) {
      hs.push([
        `${h.session} ${h.table ?? '?'}/${h.item ?? '?'}`,
        h.answered ?? '-',
        h.ackClass ?? '-',
        h.ackDelayMs === null ? '-' : String(h.ackDelayMs),
        h.closeClass ?? '-',
        h.complete ? c.green('yes') : c.yellow('no'),
      ])
    }
    out.push(hs.toString())
  }

  const f = t.findings
  const summary = `findings: ${f.error} error, ${f.warning} warning, ${f.info} info`
  out.push(f.error > 0 ? c.red(summary) : f.warning > 0 ? c.yellow(summary) : c.green(summary))
  // Errors first and never cut; then warnings (up to MAX_FINDINGS), then info (counted only).
  const errors = r.findings.filter((x) => x.severity === 'error')
  const warnings = r.findings.filter((x) => x.severity === 'warning')
  const line = (x: ExtractResult['findings'][number]): string => {
    const tag = x.severity === 'error' ? c.red('error') : c.yellow('warn ')
    return `  ${tag} ${x.code} ${x.session}${x.frameId === null ? '' : ` row ${x.frameId}`}: ${x.message}`
  }
  for (const x of errors) out.push(line(x))
  for (const x of warnings.slice(0, MAX_FINDINGS)) out.push(line(x))
  if (warnings.length > MAX_FINDINGS)
    out.push(c.dim(`  … ${warnings.length - MAX_FINDINGS} more warnings in ${r.outputs.summary}`))
  if (f.info > 0) out.push(c.dim(`  ${f.info} info finding(s) in ${r.outputs.summary}`))
  out.push(
    `wrote ${r.outputs.fixtures} session fixture(s) to ${r.outputs.dir}/sessions/ and ${r.outputs.dir}/${r.outputs.summary}`,
  )
  return out.join('\n')
}
