/**
 * The mergeable state behind a contract: counts, latency histograms and bounded citation lists.
 * Two states merge exactly, and a contract converts back into its state, so derives run over
 * separate DBs merge into the very contract one derive over all of them gives.
 */
import type { BoxClass } from '../protocol/frame-class.js'
import { mergeCitations, mergePairCitations } from './citations.js'
import { emptyHistogram, mergeHistograms, type LatencyHistogram } from './histogram.js'
import type { Citation, ContractContext, PairCitation, ReplyName, RequestKey } from './schema.js'

export interface FollowUpState {
  cls: BoxClass | null
  count: number
  gap: LatencyHistogram
  citations: Citation[]
}

/** Observations per evidence tier. */
export interface Tiers {
  frames: number
  pairs: number
}

export const noTiers = (): Tiers => ({ frames: 0, pairs: 0 })
export const addTiers = (a: Tiers, b: Tiers): Tiers => ({
  frames: a.frames + b.frames,
  pairs: a.pairs + b.pairs,
})

export interface TransitionState {
  request: RequestKey
  context: ContractContext
  response: ReplyName
  count: number
  tiers: Tiers
  /** pairs tier: match_reason → count. */
  matchQuality: Map<string, number>
  /** pairs tier: inference rule → count. */
  inferred: Map<string, number>
  latency: LatencyHistogram
  followUps: Map<string, FollowUpState>
  citations: Citation[]
  pairCitations: PairCitation[]
}

export interface RequestState {
  request: RequestKey
  context: ContractContext
  seen: number
  answered: number
  unanswered: number
  tiers: Tiers
}

export interface RuleState {
  support: number
  violations: number
  undetermined: number
  tiers: Tiers
  citations: Citation[]
  counterexamples: Citation[]
}

export interface SettingAnsweredState {
  count: number
  tiers: Tiers
  citations: Citation[]
  pairCitations: PairCitation[]
}

export interface InputState {
  file: string
  sha256: string
  format: 'sqlite' | 'session-export' | 'pairs'
  synthetic: boolean
  frames: number
  pairs: number
  sessions: number
  firstTs: string | null
  lastTs: string | null
}

export interface ContractState {
  maxCitations: number
  inputs: InputState[]
  transitions: Map<string, TransitionState>
  requests: Map<string, RequestState>
  rules: Map<string, RuleState>
  /** What each cloud Setting answered (key: request class, or '' when not captured). */
  settingAnswered: Map<string, SettingAnsweredState>
  settingsSeen: number
  /** Every frame class sent to the BOX by the cloud, answered or not. */
  cloudClassesSeen: Map<string, number>
  /** Pairs no row uses: `file\u0000reason` → count. */
  pairsUnused: Map<string, number>
}

export function emptyState(maxCitations: number): ContractState {
  return {
    maxCitations,
    inputs: [],
    transitions: new Map(),
    requests: new Map(),
    rules: new Map(),
    settingAnswered: new Map(),
    settingsSeen: 0,
    cloudClassesSeen: new Map(),
    pairsUnused: new Map(),
  }
}

export function emptyRule(): RuleState {
  return {
    support: 0,
    violations: 0,
    undetermined: 0,
    tiers: noTiers(),
    citations: [],
    counterexamples: [],
  }
}

function mergeMap<V>(
  a: Map<string, V>,
  b: Map<string, V>,
  merge: (x: V, y: V) => V,
): Map<string, V> {
  const out = new Map(a)
  for (const [k, v] of b) {
    const x = out.get(k)
    out.set(k, x === undefined ? v : merge(x, v))
  }
  return out
}

/** Exact merge of two states (inputs concatenated; the contract sorts them). */
export function mergeStates(a: ContractState, b: ContractState): ContractState {
  if (a.maxCitations !== b.maxCitations) {
    throw new Error(
      `cannot merge contracts with different maxCitations (${a.maxCitations} vs ${b.maxCitations})`,
    )
  }
  const max = a.maxCitations
  return {
    maxCitations: max,
    inputs: [...a.inputs, ...b.inputs],
    transitions: mergeMap(a.transitions, b.transitions, (x, y) => ({
      ...x,
      count: x.count + y.count,
      tiers: addTiers(x.tiers, y.tiers),
      matchQuality: mergeMap(x.matchQuality, y.matchQuality, (m, n) => m + n),
      inferred: mergeMap(x.inferred, y.inferred, (m, n) => m + n),
      pairCitations: mergePairCitations(x.pairCitations, y.pairCitations, max),
      latency: mergeHistograms(x.latency, y.latency),
      followUps: mergeMap(x.followUps, y.followUps, (f, g) => ({
        cls: f.cls,
        count: f.count + g.count,
        gap: mergeHistograms(f.gap, g.gap),
        citations: mergeCitations(f.citations, g.citations, max),
      })),
      citations: mergeCitations(x.citations, y.citations, max),
    })),
    requests: mergeMap(a.requests, b.requests, (x, y) => ({
      ...x,
      seen: x.seen + y.seen,
      answered: x.answered + y.answered,
      unanswered: x.unanswered + y.unanswered,
      tiers: addTiers(x.tiers, y.tiers),
    })),
    rules: mergeMap(a.rules, b.rules, (x, y) => ({
      support: x.support + y.support,
      tiers: addTiers(x.tiers, y.tiers),
      violations: x.violations + y.violations,
      undetermined: x.undetermined + y.undetermined,
      citations: mergeCitations(x.citations, y.citations, max),
      counterexamples: mergeCitations(x.counterexamples, y.counterexamples, max),
    })),
    settingAnswered: mergeMap(a.settingAnswered, b.settingAnswered, (x, y) => ({
      count: x.count + y.count,
      tiers: addTiers(x.tiers, y.tiers),
      citations: mergeCitations(x.citations, y.citations, max),
      pairCitations: mergePairCitations(x.pairCitations, y.pairCitations, max),
    })),
    settingsSeen: a.settingsSeen + b.settingsSeen,
    cloudClassesSeen: mergeMap(a.cloudClassesSeen, b.cloudClassesSeen, (x, y) => x + y),
    pairsUnused: mergeMap(a.pairsUnused, b.pairsUnused, (x, y) => x + y),
  }
}

export { emptyHistogram }
