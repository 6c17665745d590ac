/**
 * What the rollback rehearsal expects and how it judges it (pure): the reply each set gives to
 * each BOX frame sent (contract: the cloud logic over the contract; legacy: the add-on's table of
 * PROTOCOL.md §5), the per-phase tally (nothing lost, nothing extra) and the pass/fail checks.
 */
import type { ReplyPolicy } from '../contract/reply-policy.js'
import type { CloudClass } from '../protocol/frame-class.js'
import type { ReplayStepResult } from '../replay/transcript-schema.js'
import { CloudLogic } from '../targets/replies/cloud-logic.js'
import { SettingQueue } from '../targets/replies/setting-queue.js'
import { inspectBoxFrame } from '../targets/replies/frame-info.js'
import { LEGACY_REPLY } from '../targets/replies/legacy-set.js'
import type { LocalReplySet } from '../targets/replies/local-reply.js'
import type { RehearsalCheck, RehearsalPhase } from './rehearsal-schema.js'

const bare = (raw: string): string => raw.replace(/\r?\n$|\r$/, '')

/** Steps whose frame went out (a BOX setting ACK with no Setting before it is not sent). */
export const sentSteps = (steps: readonly ReplayStepResult[]): ReplayStepResult[] =>
  steps.filter((s) => s.outcome !== 'skipped' && s.outcome !== 'not-sent')

/**
 * The reply class `set` gives to each frame in `raws` (sent in this order on one connection with
 * no Setting queued); null where the contract shows no reply (the proxy then sends none).
 */
export function expectedReplies(
  set: LocalReplySet,
  raws: readonly string[],
  policy: ReplyPolicy,
): Array<CloudClass | null> {
  if (set === 'legacy') return raws.map((r) => LEGACY_REPLY[inspectBoxFrame(bare(r)).request])
  const logic = new CloudLogic({ policy, queue: new SettingQueue() })
  return raws.map((r, i) => logic.onFrame(1, bare(r), i).replyClass)
}

/** Tallies one replay of the session under `set` against the expected replies. */
export function tallyPhase(
  set: LocalReplySet,
  steps: readonly ReplayStepResult[],
  raws: ReadonlyMap<number, string>,
  policy: ReplyPolicy,
  unsolicited: number,
): RehearsalPhase {
  const sent = sentSteps(steps)
  const frames = sent.map((s) => raws.get(s.seq) ?? '')
  const expected = expectedReplies(set, frames, policy)
  const other = expectedReplies(set === 'legacy' ? 'contract' : 'legacy', frames, policy)
  const mismatches: RehearsalPhase['mismatches'] = []
  let lost = 0
  let silent = 0
  sent.forEach((s, i) => {
    const want = expected[i] ?? null
    const got = s.reply?.class ?? null
    if (got === null && want === null) silent++
    if (got === null && want !== null) lost++
    if (got !== want)
      mismatches.push({
        seq: s.seq,
        request: s.requestClass,
        expected: want,
        got: got ?? s.outcome,
      })
  })
  return {
    set,
    sent: sent.length,
    replies: sent.filter((s) => s.reply !== null).length,
    expectedSilent: silent,
    lost,
    extra: steps.reduce((n, s) => n + s.extra.length, 0) + unsolicited,
    skipped: steps.filter((s) => s.outcome === 'skipped').length,
    distinguishing: expected.filter((c, i) => c !== other[i]).length,
    mismatches,
  }
}

export interface SwitchOutcome {
  /** The control API answered 200 with the new set. */
  readonly accepted: boolean
  /** GET /local-replies afterwards showed the new set. */
  readonly confirmed: boolean
  /** The proxy logged the switch as a `local-replies` event. */
  readonly logged: boolean
  readonly detail: string
}

export interface RehearsalFacts {
  readonly phases: readonly [RehearsalPhase, RehearsalPhase, RehearsalPhase]
  readonly toLegacy: SwitchOutcome
  readonly back: SwitchOutcome
  readonly connections: number
  readonly closed: boolean
  readonly closeReason: string | null
}

const phaseDetail = (p: RehearsalPhase): string => {
  const head = `${p.set}: ${p.sent} frame(s) sent, ${p.replies} repl(ies), ${p.expectedSilent} without reply by design, ${p.lost} lost, ${p.extra} extra`
  const bad = p.mismatches
    .slice(0, 3)
    .map((m) => `seq ${m.seq} ${m.request} expected ${m.expected ?? 'no reply'}, got ${m.got}`)
  return bad.length ? `${head}; ${bad.join('; ')}` : head
}

const switchPass = (s: SwitchOutcome): boolean => s.accepted && s.confirmed && s.logged

/** The rehearsal's checks; it passes only when every one does. */
export function rehearsalChecks(f: RehearsalFacts): RehearsalCheck[] {
  const [before, legacy, after] = f.phases
  const clean = (p: RehearsalPhase): boolean =>
    p.sent > 0 && p.mismatches.length === 0 && p.lost === 0 && p.extra === 0
  const dropped = f.phases.filter((p) => p.lost > 0 || p.extra > 0 || p.sent !== before.sent)
  return [
    { id: 'contract-before', pass: clean(before), detail: phaseDetail(before) },
    { id: 'flip-to-legacy', pass: switchPass(f.toLegacy), detail: f.toLegacy.detail },
    {
      id: 'legacy-served',
      pass: clean(legacy) && legacy.distinguishing > 0,
      detail:
        legacy.distinguishing > 0
          ? `${phaseDetail(legacy)}; ${legacy.distinguishing} frame(s) where legacy differs from the contract (e.g. bare ACK to uploads)`
          : `${phaseDetail(legacy)}; no frame of this session is answered differently by legacy and contract, so the switch cannot be observed: rehearse with a session that has uploads`,
    },
    { id: 'flip-back', pass: switchPass(f.back), detail: f.back.detail },
    { id: 'contract-after', pass: clean(after), detail: phaseDetail(after) },
    {
      id: 'nothing-dropped',
      pass: dropped.length === 0 && before.sent > 0,
      detail:
        dropped.length === 0
          ? `every frame got exactly one reply (or none where the contract shows none) in all ${f.phases.length} replays`
          : dropped.map(phaseDetail).join(' | '),
    },
    {
      id: 'same-connection',
      pass: f.connections === 1 && !f.closed,
      detail: `${f.connections} BOX connection(s) accepted; the live connection ${f.closed ? `closed (${f.closeReason ?? 'unknown reason'})` : 'stayed open through both switches'}`,
    },
  ]
}
