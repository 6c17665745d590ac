/**
 * The typed conditions of the checklist (pure): each reads evidence documents that are already
 * known to be present and valid, and returns its verdict with the reasons when it fails.
 */
import { isCriticalMismatch } from '../compare/verdict.js'
import type { CompareReport } from '../compare/report-schema.js'
import type { Condition, EvidenceKind } from './checklist-schema.js'
import type { CriterionDocs, EvidenceDocs, EvidenceFile } from './evidence.js'
import { ownValue } from '../own.js'
import { SYNTHETIC_SOURCE } from '../soak/box-traffic.js'
import { checkCoverage } from './coverage.js'
import { sameContractAndCaptures } from './same-origin.js'

type Ok<K extends EvidenceKind> = Extract<EvidenceFile<K>, { ok: true }>

export interface ConditionResult {
  readonly pass: boolean
  readonly reasons: string[]
  /** Commands that would produce or repair the evidence (empty: the generic ones apply). */
  readonly fix?: string[]
}

const DAY_MS = 86_400_000
/** Clock skew tolerated before a generation time counts as "in the future". */
const FUTURE_SKEW_MS = 5 * 60_000
const MAX_LISTED = 5

const result = (reasons: string[]): ConditionResult => ({ pass: reasons.length === 0, reasons })
const list = (xs: readonly string[]): string =>
  xs.length > MAX_LISTED ? `${xs.slice(0, MAX_LISTED).join(', ')}, … (${xs.length})` : xs.join(', ')

function need<K extends Exclude<EvidenceKind, 'soak'>>(d: CriterionDocs, kind: K): Ok<K> {
  const f = d.single[kind]
  if (!f) throw new Error(`internal: ${kind} evidence was not loaded before its condition ran`)
  return f as Ok<K>
}

function criticalCells(r: CompareReport, target: string): string[] {
  const out: string[] = []
  for (const s of r.sessions)
    for (const row of s.rows) {
      const cell = ownValue(row.cells, target)
      if (cell && isCriticalMismatch(row, cell))
        out.push(`session ${s.id} seq ${row.seq} ${row.requestClass}: ${cell.reason ?? 'mismatch'}`)
    }
  return out
}

function compareNoCritical(f: Ok<'compare'>, targets: readonly string[]): string[] {
  const r = f.doc
  if (r.sessions.length === 0) return [`${f.file}: no session was compared`]
  const reasons: string[] = []
  for (const t of targets) {
    const summary = r.targets.find((x) => x.name === t)
    if (!summary) {
      reasons.push(
        `${f.file}: target ${t} was not compared (targets: ${list(r.targets.map((x) => x.name))})`,
      )
      continue
    }
    const absent = r.sessions
      .filter((s) => s.rows.some((row) => !ownValue(row.cells, t)))
      .map((s) => s.id)
    if (absent.length)
      reasons.push(`${f.file}: target ${t} did not run on session(s) ${list(absent)}`)
    const cells = criticalCells(r, t)
    const n = Math.max(summary.criticalMismatches, cells.length)
    if (n > 0) reasons.push(`${f.file}: ${t} has ${n} critical mismatch(es): ${list(cells)}`)
  }
  return reasons
}

function handshakePassed(f: Ok<'compare'>, targets: readonly string[]): string[] {
  const reasons: string[] = []
  for (const t of targets) {
    const h = f.doc.targets.find((x) => x.name === t)?.handshakes
    if (!h) reasons.push(`${f.file}: target ${t} was not compared`)
    else if (h.passed < 1)
      reasons.push(
        `${f.file}: ${t} passed the setting handshake ${h.passed} of ${h.expected} time(s); at least once is required (compare a session with a Setting)`,
      )
  }
  return reasons
}

function soakAllPass(docs: readonly Ok<'soak'>[], scenarios: readonly string[]): string[] {
  const reasons: string[] = []
  for (const { file, doc } of docs) {
    if (!scenarios.includes(doc.scenario)) continue
    if (!doc.verdict.pass)
      reasons.push(
        `${file}: ${doc.scenario} verdict FAIL (${doc.verdict.reasons.join('; ') || doc.verdict.expectation})`,
      )
    if (doc.sessions.source === SYNTHETIC_SOURCE)
      reasons.push(
        `${file}: ${doc.scenario} replayed synthetic BOX sessions; a soak counts toward REMOVE only when its BOX lanes replay real sessions (--session)`,
      )
    if (doc.oscillations > 0) reasons.push(`${file}: ${doc.oscillations} oscillation(s)`)
    const k = doc.conservation
    if (k.lost > 0 || k.duplicated > 0 || !k.ok)
      reasons.push(
        `${file}: ${k.lost} lost and ${k.duplicated} duplicated of ${k.boxFrames} BOX frame(s)`,
      )
  }
  return reasons
}

function fresh(
  d: CriterionDocs,
  kinds: readonly EvidenceKind[],
  maxAgeDays: number,
  now: Date,
): string[] {
  const files = kinds.flatMap((k): Array<{ file: string; doc: EvidenceDocs[EvidenceKind] }> =>
    k === 'soak' ? [...d.soak] : d.single[k] ? [d.single[k]] : [],
  )
  const reasons: string[] = []
  for (const { file, doc } of files) {
    const at = 'generatedAt' in doc ? Date.parse(doc.generatedAt) : NaN
    if (Number.isNaN(at)) reasons.push(`${file}: no readable generation time`)
    else if (at - now.getTime() > FUTURE_SKEW_MS)
      reasons.push(
        `${file}: generated in the future (${new Date(at).toISOString()}); check the clock`,
      )
    else if (now.getTime() - at > maxAgeDays * DAY_MS)
      reasons.push(
        `${file}: stale, generated ${new Date(at).toISOString()} (${((now.getTime() - at) / DAY_MS).toFixed(1)} days ago, limit ${maxAgeDays})`,
      )
  }
  return reasons
}

function realCaptures(d: CriterionDocs): string[] {
  const reasons: string[] = []
  const c = d.single.contract
  if (c?.doc.synthetic) reasons.push(`${c.file}: derived from synthetic captures`)
  const v = d.single['contract-validation']
  const synthetic = v?.doc.inputs.filter((i) => i.synthetic).map((i) => i.file) ?? []
  if (v && synthetic.length)
    reasons.push(`${v.file}: validated against synthetic captures ${list(synthetic)}`)
  const x = d.single['extract-result']
  if (x?.doc.synthetic) reasons.push(`${x.file}: extracted from synthetic captures`)
  return reasons
}

/** Evaluates one condition on valid documents. `now` is the evaluation time. */
export function checkCondition(
  condition: Condition,
  docs: CriterionDocs,
  kinds: readonly EvidenceKind[],
  now: Date,
  evidenceDir = 'evidence',
): ConditionResult {
  switch (condition.type) {
    case 'validation-clean': {
      const { file, doc } = need(docs, 'contract-validation')
      const bad = (s: string): string[] => doc.rows.filter((r) => r.status === s).map((r) => r.id)
      const reasons: string[] = []
      if (doc.verdict !== 'valid')
        reasons.push(`${file}: verdict invalid (${doc.counts.errors} error(s))`)
      if (doc.counts.unsupported > 0)
        reasons.push(
          `${file}: ${doc.counts.unsupported} unsupported row(s): ${list(bad('unsupported'))}`,
        )
      if (doc.counts.badCitations > 0)
        reasons.push(
          `${file}: ${doc.counts.badCitations} row(s) with a bad citation: ${list(bad('bad-citation'))}`,
        )
      return result(reasons)
    }
    case 'compare-no-critical':
      return result(compareNoCritical(need(docs, 'compare'), condition.targets))
    case 'handshake-passed':
      return result(handshakePassed(need(docs, 'compare'), condition.targets))
    case 'coverage': {
      const x = docs.single['extract-result']
      const r = checkCoverage(
        {
          compare: need(docs, 'compare'),
          contract: need(docs, 'contract'),
          extract: x ? { file: x.file, doc: x.doc } : null,
          evidenceDir,
        },
        condition,
      )
      return { ...result(r.reasons), fix: r.fix }
    }
    case 'soak-all-pass':
      return result(soakAllPass(docs.soak, condition.scenarios))
    case 'rehearsal-passed': {
      const { file, doc } = need(docs, 'rollback-rehearsal')
      const failed = doc.checks.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)
      return result(doc.pass && failed.length === 0 ? [] : [`${file}: rehearsal failed`, ...failed])
    }
    case 'same-contract-and-captures':
      return result(sameContractAndCaptures(docs, kinds))
    case 'fresh':
      return result(fresh(docs, kinds, condition.maxAgeDays, now))
    case 'real-captures':
      return result(realCaptures(docs))
    case 'extract-clean': {
      const { file, doc } = need(docs, 'extract-result')
      const errors = doc.findings.filter((f) => f.severity === 'error')
      const codes = [...new Set(errors.map((f) => f.code))]
      return result(
        doc.totals.findings.error > 0
          ? [`${file}: ${doc.totals.findings.error} integrity error(s) (${list(codes)})`]
          : [],
      )
    }
  }
}
