/**
 * Contract validation (pure): every row must be supported by the captures, and every citation
 * must point at frames that show the row (classes, direction, same connection, order).
 */
import type { Session, SessionFrame } from '../capture/sessions.js'
import { frameContexts, requestKeyOf } from './derive.js'
import { requestContextId, requestId, transitionId } from './keys.js'
import { pairKey, UNUSED } from './pairs.js'
import type { Citation, Contract, ContractContext, RequestKey } from './schema.js'
import type { ContractState } from './state.js'
import type { ValidationProblem } from './validation-schema.js'

/** What validation needs to know about a cited frame. */
export interface FrameFact {
  readonly origin: SessionFrame['origin']
  readonly destination: SessionFrame['destination']
  readonly class: SessionFrame['class']
  readonly request: RequestKey | null
  readonly context: ContractContext | null
  /** Which session (within its file) the frame belongs to. */
  readonly session: number
  readonly replyId: number | null
  readonly answers: number | null
  /** Id of the first BOX frame after this one in its session (null: none). */
  readonly nextBoxId: number | null
}

export type FactKey = `${string}#${number}`

export function factKey(file: string, id: number): FactKey {
  return `${file}#${id}`
}

/** Every (file, frame id) a contract cites. */
export function citedFrames(c: Contract): Set<FactKey> {
  const keys = new Set<FactKey>()
  const add = (cs: readonly Citation[]): void => {
    for (const x of cs) {
      if (x.requestId !== null) keys.add(factKey(x.file, x.requestId))
      if (x.replyId !== null) keys.add(factKey(x.file, x.replyId))
    }
  }
  for (const t of c.transitions) {
    add(t.citations)
    for (const f of t.followUps) add(f.citations)
  }
  for (const r of c.sequenceRules) add(r.citations)
  for (const a of c.settingContext.answered) add(a.citations)
  return keys
}

/** Records facts of the cited frames of one session. */
export function collectFacts(
  session: Session,
  file: string,
  wanted: ReadonlySet<FactKey>,
  into: Map<FactKey, FrameFact>,
): void {
  const frames = session.frames
  const contexts = frameContexts(frames)
  let nextBoxId: number | null = null
  const nextIds = new Array<number | null>(frames.length)
  for (let i = frames.length - 1; i >= 0; i--) {
    nextIds[i] = nextBoxId
    if (frames[i]!.origin === 'box') nextBoxId = frames[i]!.id
  }
  frames.forEach((f, i) => {
    const key = factKey(file, f.id)
    if (!wanted.has(key)) return
    into.set(key, {
      origin: f.origin,
      destination: f.destination,
      class: f.class,
      request: f.origin === 'box' ? requestKeyOf(f) : null,
      context: contexts[i] ?? null,
      session: session.index,
      replyId: f.replyId,
      answers: f.answers,
      nextBoxId: nextIds[i] ?? null,
    })
  })
}

export type { ValidationProblem }

export interface RowResult {
  readonly id: string
  readonly support: number
  readonly citations: number
  readonly citationsOk: number
  readonly status: 'supported' | 'unsupported' | 'bad-citation' | 'unresolved'
}

export interface ValidationOutcome {
  readonly rows: RowResult[]
  readonly problems: ValidationProblem[]
  readonly missing: string[]
}

function sameKey(a: RequestKey | null, b: RequestKey): boolean {
  return (
    a !== null &&
    a.class === b.class &&
    a.table === b.table &&
    a.eventType === b.eventType &&
    (a.pollForm ?? null) === (b.pollForm ?? null)
  )
}

function describe(fact: FrameFact | undefined): string {
  if (!fact) return 'nothing'
  return fact.request ? requestId(fact.request) : fact.class
}

/** Checks a transition citation: request and reply frames show the row, in order, on one connection. */
function checkTransitionCitation(
  c: Citation,
  row: Contract['transitions'][number],
  facts: ReadonlyMap<FactKey, FrameFact>,
  files: ReadonlySet<string>,
): string | null | 'unresolved' {
  if (!files.has(c.file)) return 'unresolved'
  if (c.requestId === null || c.replyId === null) return 'citation lacks a request or reply id'
  const req = facts.get(factKey(c.file, c.requestId))
  const rep = facts.get(factKey(c.file, c.replyId))
  const where = `${c.file} rows ${c.requestId}→${c.replyId}`
  if (!req) return `${where}: row ${c.requestId} is not in the capture`
  if (!rep) return `${where}: row ${c.replyId} is not in the capture`
  if (req.origin !== 'box')
    return `${where}: row ${c.requestId} was not sent by the BOX (${req.origin})`
  if (rep.origin !== 'cloud' || rep.destination !== 'box')
    return `${where}: row ${c.replyId} was not sent by the cloud to the BOX`
  const shows = `${describe(req)} @${req.context ?? '?'} -> ${rep.class}`
  if (
    !sameKey(req.request, row.request) ||
    req.context !== row.context ||
    rep.class !== row.response
  ) {
    return `${where} show ${shows}, but the row claims ${requestContextId(row.request, row.context)} -> ${row.response}`
  }
  if (req.session !== rep.session || req.replyId !== c.replyId) {
    return `${where}: row ${c.replyId} is not the reply to row ${c.requestId} on the same connection`
  }
  return null
}

/**
 * Validates a contract against what the captures show (`observed`, derived from the same captures
 * with the same rules) and the facts of its cited frames.
 */
export function validateContract(
  contract: Contract,
  observed: ContractState,
  facts: ReadonlyMap<FactKey, FrameFact>,
  options: { strict: boolean; sameInputs: boolean; ledger?: ReadonlyMap<string, string> },
): ValidationOutcome {
  const files = new Set(observed.inputs.map((i) => i.file))
  const pairFiles = new Map(
    observed.inputs.filter((i) => i.format === 'pairs').map((i) => [i.file, i.sha256]),
  )
  const problems: ValidationProblem[] = []
  const rows: RowResult[] = []
  const shaNoted = new Set<string>()
  for (const row of contract.transitions) {
    const ownId = transitionId(row.request, row.context, row.response)
    if (ownId !== row.id) {
      problems.push({
        severity: 'error',
        code: 'row-id-mismatch',
        row: row.id,
        message: `row ${row.id}: its fields say ${ownId}; the row claims ${row.response} where its id names another reply`,
      })
    }
    let badPairs = 0
    for (const c of row.pairCitations) {
      const name = `pair ${c.file} ${c.requestId}→${c.responseId ?? 'none'}`
      const sha = pairFiles.get(c.file)
      if (sha === undefined) {
        problems.push({
          severity: 'warning',
          code: 'unresolved-pair-citation',
          row: row.id,
          message: `row ${row.id}: ${name}: pairs file ${c.file} is not among the inputs (pass --pairs)`,
        })
        continue
      }
      if (sha !== c.sha256 && !shaNoted.has(c.file)) {
        shaNoted.add(c.file)
        problems.push({
          severity: 'warning',
          code: 'unresolved-pair-citation',
          row: row.id,
          message: `pairs file ${c.file}: sha256 ${sha.slice(0, 12)}… is not the ${c.sha256.slice(0, 12)}… the contract cites; its pairs are checked one by one`,
        })
      }
      const became = options.ledger?.get(pairKey(c.file, c.requestId, c.responseId))
      const problem =
        became === undefined
          ? `${name} is not in the pairs file`
          : became !== ownId
            ? `${name} shows ${became.startsWith(UNUSED) ? `nothing usable (${became.slice(UNUSED.length)})` : became}, but the row claims ${requestContextId(row.request, row.context)} -> ${row.response}`
            : null
      if (problem !== null) {
        badPairs++
        problems.push({
          severity: 'error',
          code: 'bad-pair-citation',
          row: row.id,
          message: `row ${row.id}: ${problem}`,
        })
      }
    }
    const seen = observed.transitions.get(row.id)
    const support = seen?.count ?? 0
    let ok = 0
    let bad = 0
    for (const c of row.citations) {
      const verdict = checkTransitionCitation(c, row, facts, files)
      if (verdict === null) ok++
      else if (verdict === 'unresolved') {
        problems.push({
          severity: 'warning',
          code: 'unresolved-citation',
          row: row.id,
          message: `row ${row.id}: citation ${c.file} is not among the inputs`,
        })
      } else {
        bad++
        problems.push({
          severity: 'error',
          code: 'bad-citation',
          row: row.id,
          message: `row ${row.id}: citation ${verdict}`,
        })
      }
    }
    const pairsUnchecked =
      row.support.pairs > 0 && !row.pairCitations.some((c) => pairFiles.has(c.file))
    if (pairsUnchecked && row.support.frames === 0) {
      problems.push({
        severity: 'warning',
        code: 'unresolved-pair-citation',
        row: row.id,
        message: `row ${row.id}: backed by pairs only (${row.support.pairs}); pass --pairs with ${[...new Set(row.pairCitations.map((c) => c.file))].join(', ')} to check it`,
      })
      rows.push({
        id: row.id,
        support,
        citations: row.citations.length,
        citationsOk: ok,
        status: bad + badPairs > 0 ? 'bad-citation' : 'unresolved',
      })
      continue
    }
    const expected = pairsUnchecked ? row.support.frames : row.count
    if (support === 0) {
      const alternatives = [...observed.transitions.values()]
        .filter(
          (t) =>
            requestContextId(t.request, t.context) === requestContextId(row.request, row.context),
        )
        .map((t) => `${t.response} ×${t.count}`)
      const req = observed.requests.get(requestContextId(row.request, row.context))
      const shows =
        alternatives.length > 0
          ? alternatives.join(', ')
          : req
            ? `${req.seen} request(s), no captured cloud reply`
            : 'no such BOX frame at all'
      problems.push({
        severity: 'error',
        code: 'unsupported-row',
        row: row.id,
        message: `row ${row.id}: no captured sequence supports it; the captures show for ${requestContextId(row.request, row.context)}: ${shows}`,
      })
    } else if (support !== expected) {
      problems.push({
        severity: options.sameInputs ? 'error' : 'info',
        code: 'count-mismatch',
        row: row.id,
        message: `row ${row.id}: contract says ${expected}${pairsUnchecked ? ' (frames tier)' : ''}, the captures show ${support}`,
      })
    }
    rows.push({
      id: row.id,
      support,
      citations: row.citations.length,
      citationsOk: ok,
      status: support === 0 ? 'unsupported' : bad + badPairs > 0 ? 'bad-citation' : 'supported',
    })
  }
  for (const r of contract.sequenceRules) {
    const seen = observed.rules.get(r.id)
    if (r.holds && (seen?.violations ?? 0) > 0) {
      problems.push({
        severity: 'error',
        code: 'rule-violated',
        row: r.id,
        message: `rule ${r.id}: the captures show ${seen!.violations} violation(s) of "${r.statement}"`,
      })
    }
    if (r.support > 0 && (seen?.support ?? 0) === 0) {
      problems.push({
        severity: 'error',
        code: 'rule-unsupported',
        row: r.id,
        message: `rule ${r.id}: no captured sequence supports it`,
      })
    }
  }
  const inContract = new Set(contract.transitions.map((t) => t.id))
  const missing = [...observed.transitions.keys()].filter((id) => !inContract.has(id)).sort()
  for (const id of missing) {
    problems.push({
      severity: options.strict ? 'error' : 'info',
      code: 'missing-row',
      row: id,
      message: `row ${id}: in the captures (${observed.transitions.get(id)!.count}×) but not in the contract`,
    })
  }
  return { rows, problems, missing }
}
