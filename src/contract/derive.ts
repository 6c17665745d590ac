/**
 * Derivation of the contract state from sessions (pure): every BOX frame's cloud reply, its
 * latency, the BOX's follow-up, setting context and sequence rules, each with citations. Only
 * replies the cloud itself sent count: frames the proxy built locally are not cloud behaviour.
 */
import type { Session, SessionFrame } from '../capture/sessions.js'
import { END_FAMILY, isPollClass, type BoxClass, type CloudClass } from '../protocol/frame-class.js'
import { addCitation, admits } from './citations.js'
import { addValue, emptyHistogram } from './histogram.js'
import { makeRequestKey, requestContextId, transitionId } from './keys.js'
import type { Citation, ContractContext, ReplyName, RequestKey } from './schema.js'
import {
  emptyRule,
  noTiers,
  type ContractState,
  type RequestState,
  type RuleState,
  type SettingAnsweredState,
  type TransitionState,
} from './state.js'

/** Sequence rules checked on every capture; statements are what a `holds: true` row asserts. */
export const RULES = {
  'setting-answers-poll-or-setting-ack':
    'a cloud.setting is only ever the reply to a box.poll.* or to a box.setting-ack on the same connection',
  'setting-ack-follows-setting':
    'a box.setting-ack answers the last cloud.setting of its own connection (the frame sent to the BOX just before it is that Setting)',
  'after-setting-ack-setting-or-end':
    'the cloud answers a box.setting-ack with the next cloud.setting or an END-family frame',
  'one-reply-per-poll':
    'the cloud sends exactly one frame per BOX poll: never an END and a Setting for the same poll',
} as const

export type RuleId = keyof typeof RULES

function requestKey(f: SessionFrame): RequestKey {
  return makeRequestKey(f.class as BoxClass, f.table, f.eventType, f.pollForm)
}

/** A request key with what frames of it reach in a state, found without building row ids. */
interface KeyEntry {
  readonly key: RequestKey
  readonly requests: Map<ContractContext, RequestState>
  /** context → response → row. */
  readonly transitions: Map<ContractContext, Map<ReplyName, TransitionState>>
}

/** Per state: class → table → event type → poll form ('' for null) → entry. */
type KeyCache = Map<string, Map<string, Map<string, Map<string, KeyEntry>>>>

const keyCaches = new WeakMap<ContractState, KeyCache>()

function child<V>(map: Map<string, V>, key: string, make: () => V): V {
  let v = map.get(key)
  if (v === undefined) {
    v = make()
    map.set(key, v)
  }
  return v
}

/** The entry of a BOX frame's request key (the rows themselves still come from the state's maps). */
function keyEntryOf(state: ContractState, f: SessionFrame): KeyEntry {
  let cache = keyCaches.get(state)
  if (cache === undefined) {
    cache = new Map()
    keyCaches.set(state, cache)
  }
  const byTable = child(cache, f.class, () => new Map())
  const byEvent = child(byTable, f.table ?? '', () => new Map())
  const byForm = child(byEvent, f.eventType ?? '', () => new Map())
  return child(byForm, f.pollForm ?? '', () => ({
    key: requestKey(f),
    requests: new Map(),
    transitions: new Map(),
  }))
}

function cachedRequest(state: ContractState, e: KeyEntry, context: ContractContext): RequestState {
  let r = e.requests.get(context)
  if (r === undefined) {
    r = requestState(state, e.key, context)
    e.requests.set(context, r)
  }
  return r
}

function cachedTransition(
  state: ContractState,
  e: KeyEntry,
  context: ContractContext,
  response: ReplyName,
): TransitionState {
  const byResponse = child(e.transitions, context, () => new Map<ReplyName, TransitionState>())
  let t = byResponse.get(response)
  if (t === undefined) {
    t = transitionState(state, e.key, context, response)
    byResponse.set(response, t)
  }
  return t
}

function cite(file: string, request: SessionFrame | null, reply: SessionFrame | null): Citation {
  return {
    file,
    requestId: request?.id ?? null,
    replyId: reply?.id ?? null,
    connId: request?.connId ?? reply?.connId ?? null,
    ts: request?.ts ?? reply?.ts ?? null,
  }
}

export function rule(state: ContractState, id: RuleId): RuleState {
  let r = state.rules.get(id)
  if (!r) {
    r = emptyRule()
    state.rules.set(id, r)
  }
  return r
}

/** Cites (request, reply) of `file` in `list` when the citation can be among the first `max`. */
function citeIn(
  list: Citation[],
  max: number,
  file: string,
  request: SessionFrame | null,
  reply: SessionFrame | null,
): void {
  if (admits(list, max, file, request?.id ?? null, reply?.id ?? null))
    addCitation(list, cite(file, request, reply), max)
}

function support(
  state: ContractState,
  id: RuleId,
  file: string,
  request: SessionFrame | null,
  reply: SessionFrame | null,
): void {
  const r = rule(state, id)
  r.support++
  r.tiers.frames++
  citeIn(r.citations, state.maxCitations, file, request, reply)
}

function violate(
  state: ContractState,
  id: RuleId,
  file: string,
  request: SessionFrame | null,
  reply: SessionFrame | null,
): void {
  const r = rule(state, id)
  r.violations++
  citeIn(r.counterexamples, state.maxCitations, file, request, reply)
}

/**
 * The contract context of every frame of a session (null for frames sent to the BOX): a BOX
 * frame right after a cloud Setting on its connection is in `setting-batch`, else `normal`.
 */
export function frameContexts(frames: readonly SessionFrame[]): Array<ContractContext | null> {
  let lastToBox: SessionFrame | null = null
  return frames.map((f) => {
    if (f.destination === 'box') {
      lastToBox = f
      return null
    }
    return (lastToBox as SessionFrame | null)?.class === 'cloud.setting'
      ? 'setting-batch'
      : 'normal'
  })
}

/** The request key of a BOX frame: its class, with the table of an upload and the type of events. */
export function requestKeyOf(f: SessionFrame): RequestKey {
  return requestKey(f)
}

/** Adds one session of capture file `file` to the state. */
export function addSession(state: ContractState, session: Session, file: string): void {
  const frames = session.frames
  const byId = new Map<number, SessionFrame>()
  const indexOf = new Map<SessionFrame, number>()
  frames.forEach((f, i) => {
    byId.set(f.id, f)
    indexOf.set(f, i)
  })
  // nextBox[i]: index of the first BOX frame after position i (frames.length when none); linear.
  const nextBox = new Array<number>(frames.length + 1)
  nextBox[frames.length] = frames.length
  for (let i = frames.length - 1; i >= 0; i--) {
    nextBox[i] = frames[i + 1]?.origin === 'box' ? i + 1 : nextBox[i + 1]!
  }
  const max = state.maxCitations
  const contexts = frameContexts(frames)
  let lastToBox: SessionFrame | null = null

  frames.forEach((f, i) => {
    if (f.destination === 'box') {
      if (f.origin === 'cloud') {
        state.cloudClassesSeen.set(f.class, (state.cloudClassesSeen.get(f.class) ?? 0) + 1)
        if (f.class === 'cloud.setting') recordSetting(state, f, byId, file)
      }
      lastToBox = f
      return
    }
    if (f.origin !== 'box') return
    const context = contexts[i] ?? 'normal'
    if (f.class === 'box.setting-ack') {
      const prev = lastToBox as SessionFrame | null
      if (prev === null) rule(state, 'setting-ack-follows-setting').undetermined++
      else if (prev.class === 'cloud.setting')
        support(state, 'setting-ack-follows-setting', file, f, prev)
      else violate(state, 'setting-ack-follows-setting', file, f, prev)
    }
    const entry = keyEntryOf(state, f)
    const req = cachedRequest(state, entry, context)
    req.seen++
    req.tiers.frames++
    const reply = f.replyId === null ? undefined : byId.get(f.replyId)
    if (!reply || reply.origin !== 'cloud') {
      req.unanswered++
      if (f.class === 'box.setting-ack')
        rule(state, 'after-setting-ack-setting-or-end').undetermined++
      return
    }
    req.answered++
    const response = reply.class as CloudClass
    const t = cachedTransition(state, entry, context, response)
    t.count++
    t.tiers.frames++
    if (f.latencyMs !== null) addValue(t.latency, f.latencyMs)
    citeIn(t.citations, max, file, f, reply)

    const replyIndex = indexOf.get(reply) ?? i
    const nextIndex = nextBox[replyIndex]!
    const next = frames[nextIndex] ?? null
    const fuKey = next?.class ?? ''
    let fu = t.followUps.get(fuKey)
    if (!fu) {
      fu = {
        cls: (next?.class as BoxClass | undefined) ?? null,
        count: 0,
        gap: emptyHistogram(),
        citations: [],
      }
      t.followUps.set(fuKey, fu)
    }
    fu.count++
    if (next && next.tsMs !== null && reply.tsMs !== null) addValue(fu.gap, next.tsMs - reply.tsMs)
    citeIn(fu.citations, max, file, next, reply)

    if (f.class === 'box.setting-ack') {
      const ok = response === 'cloud.setting' || END_FAMILY.includes(response)
      if (ok) support(state, 'after-setting-ack-setting-or-end', file, f, reply)
      else violate(state, 'after-setting-ack-setting-or-end', file, f, reply)
    }
    if (isPollClass(f.class)) {
      let extra: SessionFrame | undefined
      for (let k = replyIndex + 1; k < nextIndex && extra === undefined; k++) {
        const g = frames[k]!
        if (g.destination === 'box' && g.origin === 'cloud') extra = g
      }
      if (extra) violate(state, 'one-reply-per-poll', file, f, extra)
      else support(state, 'one-reply-per-poll', file, f, reply)
    }
  })
}

/** The seen/answered counts of a request in its context, created empty when new. */
export function requestState(
  state: ContractState,
  key: RequestKey,
  context: ContractContext,
): RequestState {
  const id = requestContextId(key, context)
  let r = state.requests.get(id)
  if (!r) {
    r = { request: key, context, seen: 0, answered: 0, unanswered: 0, tiers: noTiers() }
    state.requests.set(id, r)
  }
  return r
}

/** What Settings answered `key` (a request class, or '' when not captured), created empty when new. */
export function settingAnsweredState(state: ContractState, key: string): SettingAnsweredState {
  let e = state.settingAnswered.get(key)
  if (!e) {
    e = { count: 0, tiers: noTiers(), citations: [], pairCitations: [] }
    state.settingAnswered.set(key, e)
  }
  return e
}

/** The state of row (request, context, response), created empty when new. */
export function transitionState(
  state: ContractState,
  key: RequestKey,
  context: ContractContext,
  response: ReplyName,
): TransitionState {
  const id = transitionId(key, context, response)
  let t = state.transitions.get(id)
  if (!t) {
    t = {
      request: key,
      context,
      response,
      count: 0,
      tiers: noTiers(),
      matchQuality: new Map(),
      inferred: new Map(),
      latency: emptyHistogram(),
      followUps: new Map(),
      citations: [],
      pairCitations: [],
    }
    state.transitions.set(id, t)
  }
  return t
}

function recordSetting(
  state: ContractState,
  s: SessionFrame,
  byId: Map<number, SessionFrame>,
  file: string,
): void {
  state.settingsSeen++
  const request = s.answers === null ? null : (byId.get(s.answers) ?? null)
  const key = request?.class ?? ''
  const entry = settingAnsweredState(state, key)
  entry.count++
  entry.tiers.frames++
  citeIn(entry.citations, state.maxCitations, file, request, s)
  if (request === null) rule(state, 'setting-answers-poll-or-setting-ack').undetermined++
  else if (isPollClass(request.class) || request.class === 'box.setting-ack') {
    support(state, 'setting-answers-poll-or-setting-ack', file, request, s)
  } else violate(state, 'setting-answers-poll-or-setting-ack', file, request, s)
}
