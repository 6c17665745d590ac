/**
 * The gate decision (pure): each checklist criterion is PASS, FAIL or MISSING against the
 * evidence; the decision is REMOVE (the legacy backup path may go) only when every mandatory
 * criterion passes, else KEEP with each blocking criterion, its files and the rollback steps.
 * Missing, unreadable, unknown-version, stale or mismatched evidence never yields REMOVE.
 */
import {
  criterionKinds,
  type Checklist,
  type Criterion,
  type EvidenceKind,
} from './checklist-schema.js'
import { checkCondition } from './conditions.js'
import {
  filesOf,
  generatedAtOf,
  type CriterionDocs,
  type EvidenceFile,
  type GateEvidence,
} from './evidence.js'
import { GATE_SCHEMA_VERSION, type CriterionStatus, type GateDecision } from './gate-schema.js'
import { fixFor } from './fix.js'
import { rollbackSteps } from './rollback.js'

export interface EvaluateOptions {
  /** The checklist file, recorded in the decision. */
  readonly checklistFile?: string | null
  /** Overrides `maxAgeDays` of every `fresh` condition (`--max-age-days`). */
  readonly maxAgeDays?: number | null
  /** The control API of the proxy to roll back (default http://127.0.0.1:5711). */
  readonly controlUrl?: string
  /** Recorded as the decision's generator; the CLI passes its own (this module reads no files). */
  readonly generator?: GateDecision['generator']
}

type Criteria = GateDecision['criteria']
type FileUse = Criteria[number]['files'][number]

const useOf = (f: EvidenceFile): FileUse => ({
  kind: f.kind,
  file: f.file,
  status: f.ok ? 'ok' : f.problem.code,
})

const absent = (kind: EvidenceKind, file: string): EvidenceFile => ({
  kind,
  file,
  ok: false,
  problem: { code: 'missing', message: 'absent' },
})

/** The files a criterion reads; a soak scenario without a report is an absent file. */
function filesFor(c: Criterion, e: GateEvidence): EvidenceFile[] {
  const out: EvidenceFile[] = []
  for (const kind of criterionKinds(c)) {
    if (kind !== 'soak') {
      out.push(...filesOf(e, kind))
      continue
    }
    const scenarios = c.condition.type === 'soak-all-pass' ? c.condition.scenarios : null
    if (scenarios === null) {
      out.push(...(e.soak.length ? e.soak : [absent('soak', `${e.soakDir}/*.soak.json`)]))
      continue
    }
    const scenarioOf = (f: EvidenceFile<'soak'>): string | null => (f.ok ? f.doc.scenario : null)
    const expected = (s: string): string => `${e.soakDir}/${s}.soak.json`
    // Reports of other scenarios are not read; unusable files are (they may be the scenario's).
    out.push(...e.soak.filter((f) => !f.ok || scenarios.includes(scenarioOf(f) as never)))
    for (const s of scenarios)
      if (!e.soak.some((f) => scenarioOf(f) === s || f.file === expected(s)))
        out.push(absent('soak', expected(s)))
  }
  return out
}

function docsOf(files: readonly EvidenceFile[]): CriterionDocs {
  const single: Record<string, EvidenceFile> = {}
  const soak: Array<Extract<EvidenceFile<'soak'>, { ok: true }>> = []
  for (const f of files) {
    if (!f.ok) continue
    if (f.kind === 'soak') soak.push(f as Extract<EvidenceFile<'soak'>, { ok: true }>)
    else single[f.kind] = f
  }
  return { single: single as CriterionDocs['single'], soak }
}

function evaluateCriterion(
  c: Criterion,
  e: GateEvidence,
  now: Date,
  opts: EvaluateOptions,
): Criteria[number] {
  const files = filesFor(c, e)
  const base = {
    id: c.id,
    description: c.description,
    mandatory: c.mandatory,
    condition: c.condition.type,
    files: files.map(useOf),
  }
  const bad = files.filter((f) => !f.ok)
  if (bad.length) {
    const unusable = bad.some((f) => !f.ok && f.problem.code !== 'missing')
    const reasons = bad.map((f) => `${f.file}: ${f.ok ? '' : f.problem.message}`)
    const fix = fixFor(c, e, [...new Set(bad.map((f) => f.kind))], [])
    return { ...base, status: unusable ? 'FAIL' : 'MISSING', reasons, fix }
  }
  const condition =
    c.condition.type === 'fresh' && opts.maxAgeDays
      ? { ...c.condition, maxAgeDays: opts.maxAgeDays }
      : c.condition
  try {
    const r = checkCondition(condition, docsOf(files), criterionKinds(c), now, e.dir)
    const fix = r.pass ? [] : fixFor(c, e, [], r.fix ?? [])
    return { ...base, status: r.pass ? 'PASS' : 'FAIL', reasons: r.reasons, fix }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    const fix = fixFor(c, e, [], [])
    return { ...base, status: 'FAIL', reasons: [`could not evaluate: ${reason}`], fix }
  }
}

function inventory(e: GateEvidence): GateDecision['evidence'] {
  const all: EvidenceFile[] = [...Object.values(e.files), ...e.soak]
  if (!e.soak.length) all.push(absent('soak', `${e.soakDir}/*.soak.json`))
  return all.map((f) => ({
    ...useOf(f),
    generatedAt: generatedAtOf(f),
    problem: f.ok ? null : f.problem.message,
  }))
}

/** Evaluates the checklist against the evidence at time `now`; never throws on bad evidence. */
export function evaluateGate(
  checklist: Checklist,
  evidence: GateEvidence,
  now: Date,
  opts: EvaluateOptions = {},
): GateDecision {
  const criteria = checklist.criteria.map((c) => evaluateCriterion(c, evidence, now, opts))
  const blocking = criteria
    .filter((c) => c.mandatory && c.status !== 'PASS')
    .map((c) => ({
      id: c.id,
      status: c.status as Exclude<CriterionStatus, 'PASS'>,
      files: c.files,
      reasons: c.reasons,
      fix: c.fix,
    }))
  const mandatory = criteria.filter((c) => c.mandatory).length
  // No mandatory criterion at all proves nothing: KEEP (checkChecklist never lets that through).
  const remove = blocking.length === 0 && mandatory > 0
  const count = (s: CriterionStatus): number => criteria.filter((c) => c.status === s).length
  return {
    kind: 'gate',
    schemaVersion: GATE_SCHEMA_VERSION,
    generator: opts.generator ?? { name: 'oigctl', version: 'unknown' },
    generatedAt: now.toISOString(),
    evidenceDir: evidence.dir,
    checklist: { file: opts.checklistFile ?? null, version: checklist.version },
    decision: remove ? 'REMOVE' : 'KEEP',
    summary: remove
      ? `every mandatory criterion passed (${mandatory}/${mandatory}): the legacy backup path may be removed`
      : blocking.length
        ? `${blocking.length} mandatory criterion(s) did not pass (${blocking.map((b) => b.id).join(', ')}): keep the legacy backup path`
        : 'the checklist has no mandatory criterion: keep the legacy backup path',
    counts: {
      criteria: criteria.length,
      pass: count('PASS'),
      fail: count('FAIL'),
      missing: count('MISSING'),
      blocking: blocking.length,
    },
    criteria,
    blocking,
    evidence: inventory(evidence),
    rollback: rollbackSteps(opts.controlUrl),
  }
}
