/**
 * What the real cloud answers, read from a contract (pure): the dominant non-Setting reply to a
 * request in its context, which polls carry Settings, and what closes a setting batch. A request
 * the contract has no reply for is `unobserved`: callers report it, they never invent a frame.
 */
import { END_FAMILY, isPollClass, type BoxClass, type CloudClass } from '../protocol/frame-class.js'
import type { Contract, ContractContext, RequestKey } from './schema.js'

export type ReplyChoice =
  | {
      readonly kind: 'reply'
      readonly class: CloudClass
      readonly row: string
      /** exact row; all rows of the class; the normal context; uploads for an events upload. */
      readonly basis: 'exact' | 'class' | 'normal-context' | 'upload-family'
    }
  | { readonly kind: 'unobserved'; readonly reason: string }

interface Candidate {
  response: CloudClass
  count: number
  row: string
}

/** Most observed first; a tie goes to the reply more observed in `tieBreak`, then by name. */
function pick(cands: Candidate[], tieBreak: Candidate[] = []): Candidate | undefined {
  const wider = new Map(tieBreak.map((c) => [c.response, c.count]))
  return [...cands].sort(
    (a, b) =>
      b.count - a.count ||
      (wider.get(b.response) ?? 0) - (wider.get(a.response) ?? 0) ||
      (a.response < b.response ? -1 : 1),
  )[0]
}

/** Indexes a contract for reply decisions. */
export class ReplyPolicy {
  constructor(readonly contract: Contract) {}

  private candidates(filter: (t: Contract['transitions'][number]) => boolean): Candidate[] {
    const byResponse = new Map<CloudClass, Candidate>()
    for (const t of this.contract.transitions) {
      if (!filter(t) || t.response === 'cloud.setting' || t.response === 'cloud.unknown') continue
      const c = byResponse.get(t.response) ?? { response: t.response, count: 0, row: t.id }
      c.count += t.count
      byResponse.set(t.response, c)
    }
    return [...byResponse.values()]
  }

  /**
   * The dominant non-Setting reply to a request: the exact row (class, table, event type) in
   * its context, else all rows of the request class in that context, else the `normal` context.
   */
  replyFor(request: RequestKey, context: ContractContext): ReplyChoice {
    const classRows = this.candidates(
      (t) => t.context === context && t.request.class === request.class,
    )
    const exact = pick(
      this.candidates(
        (t) =>
          t.context === context &&
          t.request.class === request.class &&
          t.request.table === request.table &&
          t.request.eventType === request.eventType,
      ),
      classRows,
    )
    if (exact) return { kind: 'reply', class: exact.response, row: exact.row, basis: 'exact' }
    const byClass = pick(classRows)
    if (byClass) return { kind: 'reply', class: byClass.response, row: byClass.row, basis: 'class' }
    if (context !== 'normal') {
      const normal = pick(
        this.candidates((t) => t.context === 'normal' && t.request.class === request.class),
      )
      if (normal)
        return { kind: 'reply', class: normal.response, row: normal.row, basis: 'normal-context' }
    }
    if (request.class === 'box.events') {
      // An events upload is a table upload (TblName=tbl_events, Reason=Table; PROTOCOL.md §2):
      // without a captured reply of its own it gets the uploads' dominant reply.
      const uploads = pick(
        this.candidates((t) => t.context === 'normal' && t.request.class === 'box.upload'),
      )
      if (uploads)
        return { kind: 'reply', class: uploads.response, row: uploads.row, basis: 'upload-family' }
    }
    return {
      kind: 'unobserved',
      reason: `contract ${this.contract.version} has no captured cloud reply to ${request.class}${request.table ? `[${request.table}]` : ''} (${context})`,
    }
  }

  /** Polls the captures show carrying a Setting (default: IsNewSet when the contract shows none). */
  settingPolls(): BoxClass[] {
    const polls = this.contract.settingContext.pollsCarryingSetting
      .filter((p) => p.withSetting > 0)
      .map((p) => p.poll)
    return polls.length > 0 ? polls : ['box.poll.isnewset']
  }

  /** The END-family frame the cloud sends after the BOX's setting ACK when nothing else is queued. */
  batchClose(): ReplyChoice {
    const cands = this.candidates(
      (t) => t.request.class === 'box.setting-ack' && END_FAMILY.includes(t.response),
    )
    const best = pick(cands)
    if (best) return { kind: 'reply', class: best.response, row: best.row, basis: 'exact' }
    return {
      kind: 'unobserved',
      reason: `contract ${this.contract.version} shows no END-family reply to box.setting-ack`,
    }
  }

  /** Whether `cls` is a poll that may carry a Setting under this policy. */
  carriesSetting(cls: BoxClass, polls: readonly BoxClass[] = this.settingPolls()): boolean {
    return isPollClass(cls) && polls.includes(cls)
  }
}
