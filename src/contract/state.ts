/**
 * The mergeable state behind a contract: counts, latency histograms and bounded citation lists.
 * Two states merge exactly, and a contract converts back into its state, so derives run over
 * separate DBs merge into the very contract one derive over all of them gives.
 */
import type { BoxClass, CloudClass } from '../protocol/frame-class.js'
import { mergeCitations } from './citations.js'
import { emptyHistogram, mergeHistograms, type LatencyHistogram } from './histogram.js'
import type { Citation, ContractContext, RequestKey } from './schema.js'

export interface FollowUpState {
  cls: BoxClass | null
  count: number
  gap: LatencyHistogram
  citations: Citation[]
}

export interface TransitionState {
  request: RequestKey
  context: ContractContext
  response: CloudClass
  count: number
  latency: LatencyHistogram
  followUps: Map<string, FollowUpState>
  citations: Citation[]
}

export interface RequestState {
  request: RequestKey
  context: ContractContext
  seen: number
  answered: number
  unanswered: number
}

export interface RuleState {
  support: number
  violations: number
  undetermined: number
  citations: Citation[]
  counterexamples: Citation[]
}

export interface InputState {
  file: string
  sha256: string
  format: 'sqlite' | 'session-export'
  synthetic: boolean
  frames: number
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
  settingAnswered: Map<string, { count: number; citations: Citation[] }>
  settingsSeen: number
  /** Every frame class sent to the BOX by the cloud, answered or not. */
  cloudClassesSeen: Map<string, number>
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
  }
}

export function emptyRule(): RuleState {
  return { support: 0, violations: 0, undetermined: 0, citations: [], counterexamples: [] }
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
    })),
    rules: mergeMap(a.rules, b.rules, (x, y) => ({
      support: x.support + y.support,
      violations: x.violations + y.violations,
      undetermined: x.undetermined + y.undetermined,
      citations: mergeCitations(x.citations, y.citations, max),
      counterexamples: mergeCitations(x.counterexamples, y.counterexamples, max),
    })),
    settingAnswered: mergeMap(a.settingAnswered, b.settingAnswered, (x, y) => ({
      count: x.count + y.count,
      citations: mergeCitations(x.citations, y.citations, max),
    })),
    settingsSeen: a.settingsSeen + b.settingsSeen,
    cloudClassesSeen: mergeMap(a.cloudClassesSeen, b.cloudClassesSeen, (x, y) => x + y),
  }
}

export { emptyHistogram }
