/** Contract ⇄ state: the figures of a contract are computed from its mergeable state (pure). */
import { BOX_CLASSES, CLOUD_CLASSES, isPollClass, type BoxClass } from '../protocol/frame-class.js'
import {
  BUCKETS_PER_OCTAVE,
  HISTOGRAM_MIN_MS,
  latencyStats,
  mergeHistograms,
  sortBuckets,
  TOLERANCE_RULE,
  toleranceWindow,
  emptyHistogram,
  type LatencyHistogram,
} from './histogram.js'
import { requestContextId, requestId, transitionId } from './keys.js'
import { mergeCitations, mergePairCitations } from './citations.js'
import { RULES, type RuleId } from './derive.js'
import { replyMembers } from './replies.js'
import { ReplyPolicy } from './reply-policy.js'
import {
  CONTRACT_SCHEMA_VERSION,
  type Contract,
  type PairCitation,
  type ReplyName,
} from './schema.js'
import {
  addTiers,
  emptyRule,
  noTiers,
  type ContractState,
  type FollowUpState,
  type Tiers,
  type TransitionState,
} from './state.js'

const counted = (m: ReadonlyMap<string, number>): Array<[string, number]> =>
  [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

export const CONTEXT_RULE =
  'setting-batch when the frame sent to the BOX just before this BOX frame, on its connection, was a cloud.setting (the BOX frame answers that Setting); normal otherwise'
export const HISTOGRAM_RULE = `log-spaced buckets, ${BUCKETS_PER_OCTAVE} per doubling from ${HISTOGRAM_MIN_MS} ms (bucket i ≥ 1 covers (${HISTOGRAM_MIN_MS}·2^((i-1)/${BUCKETS_PER_OCTAVE}), ${HISTOGRAM_MIN_MS}·2^(i/${BUCKETS_PER_OCTAVE})] ms); percentiles are nearest-rank bucket upper edges clamped to [min, max]`

const round4 = (n: number): number => Math.round(n * 10_000) / 10_000

function latency(h: LatencyHistogram): Contract['transitions'][number]['latency'] {
  const stats = latencyStats(h)
  return {
    ...stats,
    toleranceMs: toleranceWindow(stats),
    histogram: { n: h.n, min: h.min, max: h.max, buckets: sortBuckets(h.buckets) },
  }
}

const byString =
  <T>(key: (x: T) => string) =>
  (a: T, b: T): number => {
    const ka = key(a)
    const kb = key(b)
    return ka < kb ? -1 : ka > kb ? 1 : 0
  }

function tsKey(ts: string | null): number {
  return ts === null ? NaN : Date.parse(ts)
}

export interface BuildOptions {
  readonly version: string
  readonly generator: { name: 'oigctl'; version: string }
}

type ContractTransition = Contract['transitions'][number]
type SettingContext = Contract['settingContext']

/** The transitions in document order: by request, context, then response. */
function sortedTransitions(state: ContractState): TransitionState[] {
  return [...state.transitions.values()].sort(
    byString(
      (t: TransitionState) => `${requestId(t.request)}\u0000${t.context}\u0000${t.response}`,
    ),
  )
}

/** The inputs in document order: by file, then sha256. */
function sortedInputs(state: ContractState): Contract['inputs'] {
  return [...state.inputs].sort(byString((i) => `${i.file}\u0000${i.sha256}`))
}

/** Totals over the inputs and transitions: frames, sessions, pairs, the time span, cloud frames. */
function totalsOf(
  state: ContractState,
  inputs: Contract['inputs'],
  transitions: readonly TransitionState[],
): Contract['totals'] {
  const times = inputs
    .flatMap((i) => [i.firstTs, i.lastTs])
    .filter((t): t is string => t !== null && !Number.isNaN(tsKey(t)))
  times.sort((a, b) => tsKey(a) - tsKey(b))
  return {
    frames: inputs.reduce((n, i) => n + i.frames, 0),
    sessions: inputs.reduce((n, i) => n + i.sessions, 0),
    pairs: transitions.reduce((n, t) => n + t.count, 0),
    from: times[0] ?? null,
    to: times[times.length - 1] ?? null,
    cloudFrames: Object.fromEntries(
      [...state.cloudClassesSeen.entries()].sort(byString(([k]) => k)),
    ),
  }
}

/** The rules the figures follow, as text (a reader of the contract needs no code). */
const rulesOf = (state: ContractState): Contract['rules'] => ({
  maxCitations: state.maxCitations,
  tolerance: TOLERANCE_RULE,
  histogram: HISTOGRAM_RULE,
  context: CONTEXT_RULE,
})

/** One transition with its share of the replies to its request in its context. */
function transitionEntries(transitions: readonly TransitionState[]): ContractTransition[] {
  const answeredTotals = new Map<string, number>()
  for (const t of transitions) {
    const k = `${requestId(t.request)}\u0000${t.context}`
    answeredTotals.set(k, (answeredTotals.get(k) ?? 0) + t.count)
  }
  return transitions.map((t) => ({
    id: transitionId(t.request, t.context, t.response),
    request: t.request,
    context: t.context,
    response: t.response,
    count: t.count,
    share: round4(
      t.count / (answeredTotals.get(`${requestId(t.request)}\u0000${t.context}`) ?? t.count),
    ),
    support: { ...t.tiers },
    matchQuality: counted(t.matchQuality).map(([reason, count]) => ({ reason, count })),
    inferred: counted(t.inferred).map(([rule, count]) => ({ rule, count })),
    latency: latency(t.latency),
    followUps: [...t.followUps.values()]
      .sort(byString((f: FollowUpState) => f.cls ?? '~'))
      .map((f) => ({
        class: f.cls,
        count: f.count,
        gap: latency(f.gap),
        citations: f.citations,
      })),
    citations: t.citations,
    pairCitations: t.pairCitations,
  }))
}

/** Every request seen, in a context, with how often it was answered. */
function requestEntries(state: ContractState): Contract['requests'] {
  return [...state.requests.values()]
    .sort(byString((r) => `${requestId(r.request)}\u0000${r.context}`))
    .map((r) => ({
      id: requestContextId(r.request, r.context),
      request: r.request,
      context: r.context,
      seen: r.seen,
      answered: r.answered,
      unanswered: r.unanswered,
      support: { ...r.tiers },
    }))
}

/** Which polls carried a Setting, and how often. */
function pollsCarryingSetting(
  transitions: readonly TransitionState[],
): SettingContext['pollsCarryingSetting'] {
  const polls = new Map<BoxClass, { withSetting: number; replies: number; support: Tiers }>()
  for (const t of transitions) {
    if (!isPollClass(t.request.class)) continue
    const p = polls.get(t.request.class) ?? { withSetting: 0, replies: 0, support: noTiers() }
    p.replies += t.count
    if (t.response === 'cloud.setting') {
      p.withSetting += t.count
      p.support = addTiers(p.support, t.tiers)
    }
    polls.set(t.request.class, p)
  }
  return [...polls.entries()].sort(byString(([k]) => k)).map(([poll, p]) => ({
    poll,
    withSetting: p.withSetting,
    replies: p.replies,
    share: round4(p.withSetting / p.replies),
    support: p.support,
  }))
}

/** The replies to the BOX's setting ACK, merged over its contexts. */
function afterSettingAck(
  state: ContractState,
  transitions: readonly TransitionState[],
): SettingContext['afterSettingAck'] {
  const afterAck = new Map<
    ReplyName,
    {
      count: number
      support: Tiers
      citations: ContractTransition['citations']
      pairCitations: PairCitation[]
    }
  >()
  for (const t of transitions) {
    if (t.request.class !== 'box.setting-ack') continue
    const a = afterAck.get(t.response) ?? {
      count: 0,
      support: noTiers(),
      citations: [],
      pairCitations: [],
    }
    a.count += t.count
    a.support = addTiers(a.support, t.tiers)
    a.citations = mergeCitations(a.citations, t.citations, state.maxCitations)
    a.pairCitations = mergePairCitations(a.pairCitations, t.pairCitations, state.maxCitations)
    afterAck.set(t.response, a)
  }
  return [...afterAck.entries()]
    .sort(byString(([k]) => k))
    .map(([response, a]) => ({ response, ...a }))
}

/** The delay from a Setting to the BOX's next frame, over every transition answered by one. */
function ackDelayOf(transitions: readonly TransitionState[]): LatencyHistogram {
  let ackDelay = emptyHistogram()
  for (const t of transitions)
    if (t.response === 'cloud.setting')
      for (const f of t.followUps.values()) ackDelay = mergeHistograms(ackDelay, f.gap)
  return ackDelay
}

/** The setting handshake: who answered Settings, which polls carried them, what follows the ACK. */
function settingContextOf(
  state: ContractState,
  transitions: readonly TransitionState[],
): SettingContext {
  return {
    settingsSeen: state.settingsSeen,
    answered: [...state.settingAnswered.entries()].sort(byString(([k]) => k)).map(([k, v]) => ({
      request: k === '' ? null : (k as BoxClass),
      count: v.count,
      support: { ...v.tiers },
      citations: v.citations,
      pairCitations: v.pairCitations,
    })),
    pollsCarryingSetting: pollsCarryingSetting(transitions),
    afterSettingAck: afterSettingAck(state, transitions),
    ackDelay: latency(ackDelayOf(transitions)),
  }
}

/** Every sequence rule of derive, with its support, violations and status. */
function sequenceRulesOf(state: ContractState): Contract['sequenceRules'] {
  return (Object.keys(RULES) as RuleId[])
    .map((id) => [id, state.rules.get(id) ?? emptyRule()] as const)
    .map(([id, r]) => ({
      id,
      statement: RULES[id as RuleId] ?? id,
      support: r.support,
      violations: r.violations,
      undetermined: r.undetermined,
      tiers: { ...r.tiers },
      holds: r.support > 0 && r.violations === 0,
      status:
        r.violations > 0
          ? ('violated' as const)
          : r.support > 0
            ? ('holds' as const)
            : ('unsupported' as const),
      citations: r.citations,
      counterexamples: r.counterexamples,
    }))
}

/** BOX requests never answered and cloud replies never seen answering (unbuildable: filled later). */
function unobservedOf(
  state: ContractState,
  transitions: readonly TransitionState[],
): Contract['unobserved'] {
  const answeredByClass = new Map<string, number>()
  const seenByClass = new Map<string, number>()
  for (const r of state.requests.values()) {
    answeredByClass.set(r.request.class, (answeredByClass.get(r.request.class) ?? 0) + r.answered)
    seenByClass.set(r.request.class, (seenByClass.get(r.request.class) ?? 0) + r.seen)
  }
  const responses = new Set(transitions.flatMap((t) => replyMembers(t.response)))
  return {
    requests: BOX_CLASSES.filter(
      (c) => c !== 'box.unknown' && (answeredByClass.get(c) ?? 0) === 0,
    ).map((c) => {
      const seen = seenByClass.get(c) ?? 0
      return {
        class: c,
        seen,
        note:
          seen > 0
            ? `seen ${seen} time(s), never with a captured cloud reply`
            : 'not in the captures',
      }
    }),
    replies: [
      ...CLOUD_CLASSES.filter((c) => c !== 'cloud.unknown' && !responses.has(c)).map((c) => {
        const seen = state.cloudClassesSeen.get(c) ?? 0
        return {
          name: c,
          note:
            seen > 0
              ? `seen ${seen} time(s), never with its BOX request captured`
              : 'not in the captures',
        }
      }),
      {
        name: 'weather',
        note: 'PROTOCOL.md §2: the IsNewWeather forecast reply; its format was never captured, so it is never synthesised',
      },
    ],
    unbuildable: [],
  }
}

/** Pairs of the class-level pairs file that could not be used, by file and reason. */
const pairsUnusedOf = (state: ContractState): Contract['pairsUnused'] =>
  counted(state.pairsUnused).map(([k, count]) => {
    const [file, reason] = k.split('\u0000') as [string, string]
    return { file, reason, count }
  })

/** Computes the contract document from a state; the same state always gives the same document. */
export function buildContract(state: ContractState, options: BuildOptions): Contract {
  const transitions = sortedTransitions(state)
  const inputs = sortedInputs(state)
  // Key order is the document's byte order (the shipped contract is checked byte for byte).
  const contract: Contract = {
    kind: 'contract',
    schemaVersion: CONTRACT_SCHEMA_VERSION,
    version: options.version,
    generator: options.generator,
    synthetic: inputs.some((i) => i.synthetic),
    inputs,
    totals: totalsOf(state, inputs, transitions),
    rules: rulesOf(state),
    transitions: transitionEntries(transitions),
    requests: requestEntries(state),
    settingContext: settingContextOf(state, transitions),
    sequenceRules: sequenceRulesOf(state),
    unobserved: unobservedOf(state, transitions),
    pairsUnused: pairsUnusedOf(state),
  }
  contract.unobserved.unbuildable = unbuildableReplies(contract)
  return contract
}

/** Requests whose most frequent observed reply no target can build, and what is sent instead. */
function unbuildableReplies(c: Contract): Contract['unobserved']['unbuildable'] {
  const policy = new ReplyPolicy(c)
  const seen = new Set<string>()
  const out: Contract['unobserved']['unbuildable'] = []
  for (const t of c.transitions) {
    const id = requestContextId(t.request, t.context)
    if (seen.has(id)) continue
    seen.add(id)
    const choice = policy.replyFor(t.request, t.context)
    if (choice.kind !== 'reply' || choice.unbuildable === null) continue
    out.push({
      id,
      reply: choice.unbuildable.reply,
      share: round4(choice.unbuildable.share),
      sentInstead: choice.name,
      note: `no captured frame shows ${choice.unbuildable.reply}; targets send ${choice.class}, the most frequent buildable observed reply (share ${round4(choice.share)})`,
    })
  }
  return out
}

/** Rebuilds the mergeable state of a contract (for `contract merge`). */
export function contractToState(c: Contract): ContractState {
  const state: ContractState = {
    maxCitations: c.rules.maxCitations,
    inputs: c.inputs.map((i) => ({ ...i })),
    transitions: new Map(),
    requests: new Map(),
    rules: new Map(),
    settingAnswered: new Map(),
    settingsSeen: c.settingContext.settingsSeen,
    cloudClassesSeen: new Map(),
    pairsUnused: new Map(
      c.pairsUnused.map((u) => [`${u.file}\u0000${u.reason}`, u.count] as [string, number]),
    ),
  }
  for (const t of c.transitions) {
    const followUps = new Map<string, FollowUpState>()
    for (const f of t.followUps) {
      followUps.set(f.class ?? '', {
        cls: f.class,
        count: f.count,
        gap: { ...f.gap.histogram, buckets: { ...f.gap.histogram.buckets } },
        citations: [...f.citations],
      })
    }
    state.transitions.set(t.id, {
      request: t.request,
      context: t.context,
      response: t.response,
      count: t.count,
      tiers: { ...t.support },
      matchQuality: new Map(t.matchQuality.map((m) => [m.reason, m.count] as [string, number])),
      inferred: new Map(t.inferred.map((m) => [m.rule, m.count] as [string, number])),
      latency: { ...t.latency.histogram, buckets: { ...t.latency.histogram.buckets } },
      followUps,
      citations: [...t.citations],
      pairCitations: [...t.pairCitations],
    })
  }
  for (const [k, n] of Object.entries(c.totals.cloudFrames)) state.cloudClassesSeen.set(k, n)
  for (const r of c.requests) {
    state.requests.set(r.id, {
      request: r.request,
      context: r.context,
      seen: r.seen,
      answered: r.answered,
      unanswered: r.unanswered,
      tiers: { ...r.support },
    })
  }
  for (const r of c.sequenceRules) {
    if (r.support + r.violations + r.undetermined === 0) continue
    state.rules.set(r.id, {
      support: r.support,
      violations: r.violations,
      undetermined: r.undetermined,
      tiers: { ...r.tiers },
      citations: [...r.citations],
      counterexamples: [...r.counterexamples],
    })
  }
  for (const a of c.settingContext.answered)
    state.settingAnswered.set(a.request ?? '', {
      count: a.count,
      tiers: { ...a.support },
      citations: [...a.citations],
      pairCitations: [...a.pairCitations],
    })
  return state
}
