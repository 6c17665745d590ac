/**
 * Checklist validation (pure): the schema, then the rules the schema cannot state — unique ids,
 * evidence kinds that fit each condition, and the mandatory set defined here, which a checklist
 * can neither drop, make optional nor weaken.
 */
import { SOAK_SCENARIOS } from '../soak/report-schema.js'
import { COVERAGE_FLOOR } from './coverage.js'
import {
  ChecklistSchema,
  criterionKinds,
  EVIDENCE_KINDS,
  type Checklist,
  type Condition,
  type ConditionType,
  type Criterion,
  type EvidenceKind,
} from './checklist-schema.js'

/** Which evidence kinds a condition can read, and how many it needs at least. */
const CONDITION_EVIDENCE = {
  'validation-clean': { kinds: ['contract-validation'], min: 1 },
  'compare-no-critical': { kinds: ['compare'], min: 1 },
  'handshake-passed': { kinds: ['compare'], min: 1 },
  coverage: { kinds: ['compare', 'contract', 'extract-result'], min: 2 },
  'soak-all-pass': { kinds: ['soak'], min: 1 },
  'rehearsal-passed': { kinds: ['rollback-rehearsal'], min: 1 },
  'same-contract-and-captures': { kinds: EVIDENCE_KINDS, min: 2 },
  // The contract has no wall-clock field (same inputs, same bytes), so it has no age.
  fresh: { kinds: EVIDENCE_KINDS.filter((k) => k !== 'contract'), min: 1 },
  'real-captures': { kinds: ['contract', 'contract-validation', 'extract-result'], min: 1 },
  'extract-clean': { kinds: ['extract-result'], min: 1 },
} as const satisfies Record<ConditionType, { kinds: readonly EvidenceKind[]; min: number }>

export interface MandatoryCriterion {
  readonly id: string
  readonly condition: ConditionType
  /** Evidence kinds the criterion must read at least. */
  readonly evidence: readonly EvidenceKind[]
  /** What the condition's parameters must include at least (e.g. targets mock and offline). */
  readonly floor: string
  /** Returns what is weaker than the floor, or null. */
  readonly weaker: (c: Condition) => string | null
}

const lacks = (have: readonly string[], need: readonly string[], what: string): string | null => {
  const missing = need.filter((n) => !have.includes(n))
  return missing.length ? `${what} must include ${missing.join(', ')}` : null
}
const targetsOf = (c: Condition): string[] => ('targets' in c ? c.targets : [])
const none = (): null => null
const RELEASE_TARGETS = ['mock', 'offline']
/** The contract-aligned targets whose replies must cover the traffic (issue 11). */
const ALIGNED_TARGETS = ['mock', 'offline', 'hybrid']

function belowFloor(c: Condition): string | null {
  if (c.type !== 'coverage') return null
  const low = (
    [
      ['minJudged', c.minJudged, COVERAGE_FLOOR.minJudged],
      ['minHandshakes', c.minHandshakes, COVERAGE_FLOOR.minHandshakes],
    ] as const
  )
    .filter(([, v, floor]) => v < floor)
    .map(([name, v, floor]) => `${name} ${v} is below the floor ${floor}`)
  return [lacks(c.targets, ALIGNED_TARGETS, 'targets'), ...low].filter(Boolean).join('; ') || null
}

/** The criteria every checklist must contain, mandatory, at least this strict (issue #6). */
export const MANDATORY_CRITERIA: readonly MandatoryCriterion[] = [
  {
    id: 'contract-validates',
    condition: 'validation-clean',
    evidence: ['contract-validation'],
    floor: '',
    weaker: none,
  },
  {
    id: 'compare-no-critical',
    condition: 'compare-no-critical',
    evidence: ['compare'],
    floor: 'targets mock, offline',
    weaker: (c) => lacks(targetsOf(c), RELEASE_TARGETS, 'targets'),
  },
  {
    id: 'handshake-passed',
    condition: 'handshake-passed',
    evidence: ['compare'],
    floor: 'targets mock, offline',
    weaker: (c) => lacks(targetsOf(c), RELEASE_TARGETS, 'targets'),
  },
  {
    id: 'soak-all-pass',
    condition: 'soak-all-pass',
    evidence: ['soak'],
    floor: `scenarios ${SOAK_SCENARIOS.join(', ')}`,
    weaker: (c) =>
      lacks(c.type === 'soak-all-pass' ? c.scenarios : [], SOAK_SCENARIOS, 'scenarios'),
  },
  {
    id: 'rollback-rehearsed',
    condition: 'rehearsal-passed',
    evidence: ['rollback-rehearsal'],
    floor: '',
    weaker: none,
  },
  {
    id: 'same-contract-and-captures',
    condition: 'same-contract-and-captures',
    evidence: EVIDENCE_KINDS,
    floor: '',
    weaker: none,
  },
  {
    id: 'evidence-fresh',
    condition: 'fresh',
    evidence: ['contract-validation', 'compare', 'soak', 'extract-result', 'rollback-rehearsal'],
    floor: '',
    weaker: none,
  },
  {
    id: 'real-captures',
    condition: 'real-captures',
    evidence: ['contract', 'contract-validation', 'extract-result'],
    floor: '',
    weaker: none,
  },
  {
    id: 'coverage',
    condition: 'coverage',
    evidence: ['compare', 'contract'],
    floor: `targets ${ALIGNED_TARGETS.join(', ')}, minJudged ≥ ${COVERAGE_FLOOR.minJudged}, minHandshakes ≥ ${COVERAGE_FLOOR.minHandshakes}`,
    weaker: belowFloor,
  },
]

export type ChecklistCheck =
  | { readonly ok: true; readonly checklist: Checklist }
  | { readonly ok: false; readonly problems: string[] }

function describeMandatory(m: MandatoryCriterion): string {
  return `"${m.id}" (${m.condition} on ${m.evidence.join(', ')}${m.floor ? `, ${m.floor}` : ''})`
}

function fitProblems(c: Criterion): string[] {
  const kinds = criterionKinds(c)
  const fit = CONDITION_EVIDENCE[c.condition.type]
  const out: string[] = []
  const wrong = kinds.filter((k) => !(fit.kinds as readonly string[]).includes(k))
  if (wrong.length)
    out.push(
      `criterion "${c.id}": condition ${c.condition.type} cannot read ${wrong.join(', ')} (it reads ${fit.kinds.join(', ')})`,
    )
  if (kinds.length < fit.min)
    out.push(
      `criterion "${c.id}": condition ${c.condition.type} needs at least ${fit.min} evidence kinds`,
    )
  return out
}

function mandatoryProblems(criteria: readonly Criterion[]): string[] {
  const out: string[] = []
  for (const m of MANDATORY_CRITERIA) {
    const c = criteria.find((x) => x.id === m.id)
    if (!c) {
      out.push(`missing mandatory criterion ${describeMandatory(m)}`)
      continue
    }
    const where = `mandatory criterion "${m.id}"`
    if (!c.mandatory) out.push(`${where} must have "mandatory": true`)
    if (c.condition.type !== m.condition)
      out.push(`${where} must use condition ${m.condition}, not ${c.condition.type}`)
    else {
      const weaker = m.weaker(c.condition)
      if (weaker) out.push(`${where} is weaker than required: ${weaker}`)
    }
    const kinds = criterionKinds(c)
    const lacking = m.evidence.filter((k) => !kinds.includes(k))
    if (lacking.length) out.push(`${where} must read evidence ${lacking.join(', ')}`)
  }
  return out
}

/** Validates a parsed checklist document; problems name the path or the criterion concerned. */
export function checkChecklist(json: unknown): ChecklistCheck {
  const parsed = ChecklistSchema.safeParse(json)
  if (!parsed.success) {
    const raw = (json as { criteria?: unknown } | null)?.criteria
    const idAt = (n: PropertyKey): string => {
      const id = Array.isArray(raw) ? (raw[Number(n)] as { id?: unknown } | undefined)?.id : null
      return typeof id === 'string' ? ` ("${id}")` : ''
    }
    const where = (path: readonly PropertyKey[]): string =>
      path.length === 0
        ? '(root)'
        : path[0] === 'criteria' && path.length > 1
          ? `criteria.${String(path[1])}${idAt(path[1]!)}${path.length > 2 ? `.${path.slice(2).map(String).join('.')}` : ''}`
          : path.map(String).join('.')
    return { ok: false, problems: parsed.error.issues.map((i) => `${where(i.path)}: ${i.message}`) }
  }
  const criteria = parsed.data.criteria
  const problems: string[] = []
  const seen = new Set<string>()
  for (const c of criteria) {
    if (seen.has(c.id)) problems.push(`criterion "${c.id}" appears more than once`)
    seen.add(c.id)
    problems.push(...fitProblems(c))
  }
  problems.push(...mandatoryProblems(criteria))
  return problems.length ? { ok: false, problems } : { ok: true, checklist: parsed.data }
}
