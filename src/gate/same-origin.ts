/**
 * `same-contract-and-captures` (pure): every evidence file names the same contract (version and
 * sha256), and every capture behind the evidence is one of that contract's inputs (sha256), so
 * the gate never combines evidence of different contracts or different captures.
 */
import type { EvidenceKind } from './checklist-schema.js'
import type { CriterionDocs } from './evidence.js'

interface ContractRef {
  readonly file: string
  readonly version: string
  readonly sha256: string
}

const short = (sha: string | null): string => (sha ? `${sha.slice(0, 12)}…` : 'none')

function contractRefs(d: CriterionDocs, kinds: readonly EvidenceKind[]): ContractRef[] {
  const refs: ContractRef[] = []
  for (const kind of kinds) {
    if (kind === 'contract' && d.single.contract) {
      const c = d.single.contract
      refs.push({ file: c.file, version: c.doc.version, sha256: c.sha256 })
    } else if (kind === 'soak') {
      for (const s of d.soak) refs.push({ file: s.file, ...s.doc.contract })
    } else if (kind !== 'extract-result' && kind !== 'contract') {
      const f = d.single[kind]
      if (f)
        refs.push({ file: f.file, version: f.doc.contract.version, sha256: f.doc.contract.sha256 })
    }
  }
  return refs
}

interface CaptureUse {
  readonly file: string
  readonly what: string
  readonly captures: Array<{ name: string; sha256: string | null }>
}

type Captured = 'contract-validation' | 'extract-result' | 'compare' | 'rollback-rehearsal'
type Doc<K extends Captured> = NonNullable<CriterionDocs['single'][K]>['doc']

/** Per kind that records captures: what it did with them, and their names and sha256s. */
const CAPTURES_OF: {
  [K in Captured]: { what: string; of: (doc: Doc<K>) => CaptureUse['captures'] }
} = {
  'contract-validation': {
    what: 'validated capture',
    of: (doc) => doc.inputs.map((i) => ({ name: i.file, sha256: i.sha256 })),
  },
  'extract-result': {
    what: 'extracted capture',
    of: (doc) => doc.sources.map((s) => ({ name: s.file, sha256: s.sha256 })),
  },
  compare: {
    what: 'compared session from capture',
    of: (doc) =>
      doc.sessions.map((s) => ({ name: `${s.source} (session ${s.id})`, sha256: s.sha256 })),
  },
  'rollback-rehearsal': {
    what: 'rehearsed session from capture',
    of: (doc) => [
      { name: `${doc.session.source} (session ${doc.session.id})`, sha256: doc.session.sha256 },
    ],
  },
}

function captureUse<K extends Captured>(d: CriterionDocs, kind: K): CaptureUse | null {
  const f = d.single[kind]
  if (!f) return null
  const { what, of } = CAPTURES_OF[kind]
  return { file: f.file, what, captures: of(f.doc as Doc<K>) }
}

/** The capture sha256s behind each evidence file that records them. */
function captureUses(d: CriterionDocs, kinds: readonly EvidenceKind[]): CaptureUse[] {
  const order: readonly Captured[] = [
    'contract-validation',
    'extract-result',
    'compare',
    'rollback-rehearsal',
  ]
  return order.filter((k) => kinds.includes(k)).flatMap((k) => captureUse(d, k) ?? [])
}

/** The reasons the evidence does not share one contract and its captures (empty: it does). */
export function sameContractAndCaptures(
  d: CriterionDocs,
  kinds: readonly EvidenceKind[],
): string[] {
  const reasons: string[] = []
  const refs = contractRefs(d, kinds)
  const [ref] = refs
  if (!ref) reasons.push('no evidence file names its contract')
  for (const other of refs.slice(1))
    if (other.sha256 !== ref!.sha256 || other.version !== ref!.version)
      reasons.push(
        `${other.file}: contract ${other.version} sha256 ${short(other.sha256)} differs from ${ref!.file}: ${ref!.version} sha256 ${short(ref!.sha256)}`,
      )

  // The captures of record: the contract's inputs (from the contract, else from its validation).
  const inputs =
    (kinds.includes('contract') ? d.single.contract?.doc.inputs : undefined) ??
    (kinds.includes('contract-validation')
      ? d.single['contract-validation']?.doc.contract.inputs
      : undefined)
  const uses = captureUses(d, kinds)
  if (!inputs) {
    if (uses.length)
      reasons.push('cannot check the captures: neither the contract nor its validation is read')
    return reasons
  }
  const known = new Set(inputs.map((i) => i.sha256))
  for (const use of uses) {
    if (use.captures.length === 0) reasons.push(`${use.file}: names no capture`)
    const foreign = use.captures.filter((c) => c.sha256 === null || !known.has(c.sha256))
    const names = [...new Set(foreign.map((c) => `${c.name} sha256 ${short(c.sha256)}`))]
    if (names.length)
      reasons.push(
        `${use.file}: ${use.what} not among the contract inputs: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`,
      )
  }
  const v = kinds.includes('contract-validation') ? d.single['contract-validation'] : undefined
  if (v) {
    const validated = new Set(v.doc.inputs.map((i) => i.sha256))
    const unvalidated = inputs.filter((i) => !validated.has(i.sha256)).map((i) => i.file)
    if (unvalidated.length)
      reasons.push(
        `${v.file}: the contract was not validated against its input(s) ${unvalidated.join(', ')}`,
      )
  }
  return reasons
}
