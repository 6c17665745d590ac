/**
 * Class-level evidence: the upstream pairing engine's request → reply pairs (PROTOCOL.md §8) added
 * to a contract state as the `pairs` tier (pure). Its caveats are applied here: replies the proxy
 * built itself are not cloud behaviour, the match quality is kept, `no_candidate_found` means no
 * reply, coarse reply classes stand for families, and an unclassified reply is classified only by
 * joining it with a captured frame or by the Setting handshake pattern (marked inferred).
 */
import { z } from 'zod'
import { END_FAMILY, isPollClass, type BoxClass, type FrameClass } from '../protocol/frame-class.js'
import { addPairCitation } from './citations.js'
import { requestState, rule, settingAnsweredState, transitionState } from './derive.js'
import { addValue } from './histogram.js'
import { requestContextId, transitionId } from './keys.js'
import { pairReplyFamily, replyMembers, WEATHER } from './replies.js'
import type { ContractContext, PairCitation, ReplyName, RequestKey } from './schema.js'
import type { ContractState } from './state.js'

const PairSchema = z.object({
  request_id: z.number().int(),
  request_ts: z.string().nullable(),
  request_class: z.string().nullable(),
  request_table: z.string().nullable().optional(),
  request_conn_id: z.number().int().nullable().optional(),
  response_id: z.number().int().nullable(),
  response_ts: z.string().nullable().optional(),
  response_class: z.string().nullable().optional(),
  response_todo: z.string().nullable().optional(),
  response_direction: z.string().nullable().optional(),
  match_reason: z.string().max(200),
  time_delta_ms: z.number().nullable().optional(),
})

export const PairsFileSchema = z.object({ pairs: z.array(PairSchema) })

export type Pair = z.infer<typeof PairSchema>
export type PairsFile = z.infer<typeof PairsFileSchema>

export interface PairsRef {
  readonly file: string
  readonly sha256: string
}

/** What a captured frame tells about a pair's request or reply (joined on ts and conn id). */
export interface JoinedFrame {
  readonly file: string
  readonly id: number
  readonly class: FrameClass
  readonly request: RequestKey | null
  /** The id of the frame's captured reply (BOX frames), so a pair already observed as frames is not counted twice. */
  readonly replyId: number | null
}

/** Captured frames by `ts` and conn id, for the join. */
export class FrameJoin {
  private readonly byTs = new Map<string, Array<{ frame: JoinedFrame; connId: number | null }>>()

  constructor(readonly wanted: ReadonlySet<string>) {}

  add(ts: string | null, connId: number | null, frame: JoinedFrame): void {
    if (ts === null || !this.wanted.has(ts)) return
    const list = this.byTs.get(ts) ?? []
    list.push({ frame, connId })
    this.byTs.set(ts, list)
  }

  /** The frame at `ts` on `connId` (a side without conn id matches any); ambiguous → null. */
  find(ts: string | null | undefined, connId: number | null | undefined): JoinedFrame | null {
    if (ts === null || ts === undefined) return null
    const hits = (this.byTs.get(ts) ?? []).filter(
      (h) => h.connId === null || connId === null || connId === undefined || h.connId === connId,
    )
    if (hits.length === 0) return null
    const classes = new Set(hits.map((h) => h.frame.class))
    return classes.size === 1 ? hits[0]!.frame : null
  }
}

/** Every `ts` a pairs file mentions (what the frame join must keep). */
export function pairTimestamps(files: readonly PairsFile[]): Set<string> {
  const out = new Set<string>()
  for (const f of files)
    for (const p of f.pairs) {
      if (p.request_ts) out.add(p.request_ts)
      if (p.response_ts) out.add(p.response_ts)
    }
  return out
}

/** The rule that classifies an unclassified reply as a Setting (named in every row it supports). */
export const INFER_SETTING_RULE =
  'handshake: poll or setting ACK → unclassified cloud reply → BOX ACK 1–30 s later on the same connection (PROTOCOL.md §4, §8)'

/** The BOX waits 3.5–8 s after a reply (PROTOCOL.md §3); a longer silence means frames are missing. */
const MAX_FOLLOW_MS = 60_000
const ACK_DELAY_MS = { min: 1_000, max: 30_000 }
const TABLE = /^tbl_[A-Za-z0-9_]{1,64}$/

const POLL_BY_NAME = new Map<string, BoxClass>([
  ['IsNewSet', 'box.poll.isnewset'],
  ['IsNewFW', 'box.poll.isnewfw'],
  ['IsNewWeather', 'box.poll.isnewweather'],
  ['END', 'box.end'],
])

type Reply =
  | { kind: 'reply'; name: ReplyName; inferred: string | null; joined: JoinedFrame | null }
  | { kind: 'none' }
  | { kind: 'dropped'; reason: string }

const tsMs = (ts: string | null | undefined): number | null => {
  if (!ts) return null
  const n = Date.parse(ts)
  return Number.isNaN(n) ? null : n
}

function isAckRequest(p: Pair, join: FrameJoin): boolean {
  const j = join.find(p.request_ts, p.request_conn_id)
  if (j) return j.class === 'box.setting-ack'
  return p.request_class === 'ACK'
}

/** The reply of a pair, before context (join, family, or the handshake inference). */
function replyOf(p: Pair, next: Pair | undefined, join: FrameJoin): Reply {
  if (p.response_id === null || p.match_reason === 'no_candidate_found') return { kind: 'none' }
  if (p.response_direction === 'proxy_to_box')
    return {
      kind: 'dropped',
      reason: 'proxy_to_box: a reply the proxy built itself, not cloud behaviour',
    }
  if (p.response_direction !== 'cloud_to_proxy' && p.response_direction !== 'cloud_to_box')
    return {
      kind: 'dropped',
      reason: `response_direction ${JSON.stringify(p.response_direction ?? null)} is not a cloud reply`,
    }
  const joined = join.find(p.response_ts, p.request_conn_id)
  if (joined && joined.class.startsWith('cloud.') && joined.class !== 'cloud.unknown') {
    const family = p.response_class
      ? pairReplyFamily(p.response_class, p.response_todo ?? null)
      : null
    if (family !== null && !replyMembers(family).includes(joined.class as never))
      return { kind: 'dropped', reason: 'the joined frame contradicts the pair class' }
    return { kind: 'reply', name: joined.class, inferred: null, joined }
  }
  if (p.response_class !== null && p.response_class !== undefined) {
    const family = pairReplyFamily(p.response_class, p.response_todo ?? null)
    if (family === null)
      return { kind: 'dropped', reason: 'a response class the pairs vocabulary does not define' }
    return { kind: 'reply', name: family, inferred: null, joined: null }
  }
  const fromReq =
    p.request_class === 'ACK' ||
    (p.request_class !== null && POLL_BY_NAME.has(p.request_class) && p.request_class !== 'END')
  const replyAt = tsMs(p.response_ts)
  const ackAt = next ? tsMs(next.request_ts) : null
  if (
    fromReq &&
    next !== undefined &&
    isAckRequest(next, join) &&
    replyAt !== null &&
    ackAt !== null &&
    ackAt - replyAt >= ACK_DELAY_MS.min &&
    ackAt - replyAt <= ACK_DELAY_MS.max
  )
    return { kind: 'reply', name: 'cloud.setting', inferred: INFER_SETTING_RULE, joined: null }
  return { kind: 'dropped', reason: 'unclassified reply without the Setting handshake pattern' }
}

/** The request key of a pair, given the reply before it on its connection (null: not usable). */
function requestOf(
  p: Pair,
  prev: Reply | null,
  join: FrameJoin,
): { key: RequestKey; context: ContractContext; joined: JoinedFrame | null } | string {
  const context: ContractContext =
    prev?.kind === 'reply' && prev.name === 'cloud.setting' ? 'setting-batch' : 'normal'
  const joined = join.find(p.request_ts, p.request_conn_id)
  if (joined?.request) return { key: joined.request, context, joined }
  const name = p.request_class ?? ''
  const poll = POLL_BY_NAME.get(name)
  if (poll)
    return {
      key: { class: poll, table: null, eventType: null, pollForm: null },
      context,
      joined: null,
    }
  if (name === 'ACK') {
    if (prev === null) return 'BOX ACK whose preceding reply is not in the pairs'
    if (prev.kind === 'reply' && prev.name === WEATHER)
      return 'BOX ACK of a weather frame (no BOX class for it in the frame vocabulary)'
    if (context === 'setting-batch')
      return {
        key: { class: 'box.setting-ack', table: null, eventType: null, pollForm: null },
        context,
        joined: null,
      }
    return 'BOX ACK that does not follow a Setting'
  }
  if (name === 'tbl_events')
    return {
      key: { class: 'box.events', table: null, eventType: null, pollForm: null },
      context,
      joined: null,
    }
  if (TABLE.test(name) && (p.request_table ?? name) === name)
    return {
      key: { class: 'box.upload', table: name, eventType: null, pollForm: null },
      context,
      joined: null,
    }
  return 'a request class the pairs vocabulary does not define'
}

/** Ledger key of a pair: `file#request_id>response_id`. */
export function pairKey(file: string, requestId: number, responseId: number | null): string {
  return `${file}#${requestId}>${responseId ?? 'none'}`
}

export const UNUSED = 'unused: '

/** Adds one pairs file to the state as the `pairs` tier. */
export function addPairs(
  state: ContractState,
  doc: PairsFile,
  ref: PairsRef,
  join: FrameJoin,
  ledger?: Map<string, string>,
): void {
  const max = state.maxCitations
  const unused = (p: Pair, reason: string): void => {
    const k = `${ref.file}\u0000${reason}`
    state.pairsUnused.set(k, (state.pairsUnused.get(k) ?? 0) + 1)
    ledger?.set(pairKey(ref.file, p.request_id, p.response_id), UNUSED + reason)
  }
  const byConn = new Map<string, Pair[]>()
  for (const p of doc.pairs) {
    const k = String(p.request_conn_id ?? 'none')
    const list = byConn.get(k) ?? []
    list.push(p)
    byConn.set(k, list)
  }
  let first: string | null = null
  let last: string | null = null
  for (const list of byConn.values()) {
    list.sort(
      (a, b) =>
        (tsMs(a.request_ts) ?? 0) - (tsMs(b.request_ts) ?? 0) || a.request_id - b.request_id,
    )
    const replies = list.map((p, i) => replyOf(p, list[i + 1], join))
    list.forEach((p, i) => {
      if (p.request_ts && (first === null || (tsMs(p.request_ts) ?? 0) < (tsMs(first) ?? 0)))
        first = p.request_ts
      if (p.request_ts && (last === null || (tsMs(p.request_ts) ?? 0) > (tsMs(last) ?? 0)))
        last = p.request_ts
      const before = i > 0 ? replies[i - 1]! : null
      const prevAt = i > 0 ? tsMs(list[i - 1]!.response_ts) : null
      const at = tsMs(p.request_ts)
      const adjacent =
        before !== null &&
        prevAt !== null &&
        at !== null &&
        at >= prevAt &&
        at - prevAt <= MAX_FOLLOW_MS
      const prev = adjacent ? before : null
      const req = requestOf(p, prev?.kind === 'dropped' ? null : prev, join)
      if (typeof req === 'string') return unused(p, req)
      const reply = replies[i]!
      if (reply.kind === 'dropped') return unused(p, reply.reason)
      if (
        reply.kind === 'reply' &&
        req.joined &&
        reply.joined &&
        req.joined.replyId === reply.joined.id
      )
        return unused(p, 'already counted as frames (both sides joined a captured pair)')
      const { key, context } = req
      const rid = requestContextId(key, context)
      const rs = requestState(state, key, context)
      rs.seen++
      rs.tiers.pairs++
      if (reply.kind === 'none') {
        ledger?.set(pairKey(ref.file, p.request_id, p.response_id), `${rid}: no reply`)
        rs.unanswered++
        if (key.class === 'box.setting-ack')
          rule(state, 'after-setting-ack-setting-or-end').undetermined++
        return
      }
      rs.answered++
      const cite: PairCitation = {
        file: ref.file,
        sha256: ref.sha256,
        requestId: p.request_id,
        responseId: p.response_id,
        matchReason: p.match_reason,
      }
      const t = transitionState(state, key, context, reply.name)
      ledger?.set(
        pairKey(ref.file, p.request_id, p.response_id),
        transitionId(key, context, reply.name),
      )
      t.count++
      t.tiers.pairs++
      t.matchQuality.set(p.match_reason, (t.matchQuality.get(p.match_reason) ?? 0) + 1)
      if (reply.inferred) t.inferred.set(reply.inferred, (t.inferred.get(reply.inferred) ?? 0) + 1)
      if (typeof p.time_delta_ms === 'number' && p.time_delta_ms >= 0)
        addValue(t.latency, p.time_delta_ms)
      addPairCitation(t.pairCitations, cite, max)
      if (reply.name === 'cloud.setting') {
        state.settingsSeen++
        const k = key.class
        const e = settingAnsweredState(state, k)
        e.count++
        e.tiers.pairs++
        addPairCitation(e.pairCitations, cite, max)
        if (
          reply.inferred === null &&
          (isPollClass(key.class) || key.class === 'box.setting-ack')
        ) {
          const r = rule(state, 'setting-answers-poll-or-setting-ack')
          r.support++
          r.tiers.pairs++
        }
      }
      if (key.class === 'box.setting-ack') {
        const members = replyMembers(reply.name)
        const r = rule(state, 'after-setting-ack-setting-or-end')
        if (
          reply.name === 'cloud.setting' ||
          (members.length > 0 && members.every((m) => END_FAMILY.includes(m)))
        ) {
          r.support++
          r.tiers.pairs++
        } else r.violations++
      }
    })
  }
  state.inputs.push({
    file: ref.file,
    sha256: ref.sha256,
    format: 'pairs',
    synthetic: false,
    frames: 0,
    pairs: doc.pairs.length,
    sessions: 0,
    firstTs: first,
    lastTs: last,
  })
}
