/**
 * What the real cloud answers, read from a contract (pure): the reply to a request in its context
 * from the most specific rows that have evidence, which polls carry Settings, and what closes a
 * setting batch. Only replies a captured frame shows are ever built: a family member is chosen by
 * frame evidence, and a reply no frame shows (the weather forecast) is reported as unbuildable and
 * replaced by the most frequent buildable one. A request with no evidence at all is `unobserved`.
 *
 * `dominant` answers the most frequent reply; `sampled` draws each reply from the contract's shares
 * for that request and context, deterministically per seed.
 */
import { createRng, type Rng } from '../simulate/prng.js'
import { END_FAMILY, isPollClass, type BoxClass, type CloudClass } from '../protocol/frame-class.js'
import { requestContextId } from './keys.js'
import { replyMembers } from './replies.js'
import type { Contract, ContractContext, ReplyName, RequestKey } from './schema.js'

export const REPLY_MODES = ['dominant', 'sampled'] as const
export type ReplyMode = (typeof REPLY_MODES)[number]

type Row = Contract['transitions'][number]

export interface Unbuildable {
  /** The observed reply that cannot be built (no captured frame of its class). */
  readonly reply: ReplyName
  /** Its share among the replies to this request in this context. */
  readonly share: number
}

export type ReplyChoice =
  | {
      readonly kind: 'reply'
      readonly class: CloudClass
      /** The reply name of the evidence (a class or a family) the class was chosen from. */
      readonly name: ReplyName
      readonly row: string
      /** most specific rows; all rows of the class; the normal context; uploads for events. */
      readonly basis: 'exact' | 'class' | 'normal-context' | 'upload-family'
      /** Share of `name` among the candidate replies. */
      readonly share: number
      /** Set when the reply drawn or dominant could not be built and this one was sent instead. */
      readonly unbuildable: Unbuildable | null
    }
  | { readonly kind: 'unobserved'; readonly reason: string }

interface Candidate {
  name: ReplyName
  count: number
  row: string
}

const FIELDS = ['table', 'eventType', 'pollForm'] as const

/** A row answers `request` when its class matches and each key field is equal or unknown (null). */
function compatible(row: Row, request: RequestKey): boolean {
  if (row.request.class !== request.class) return false
  return FIELDS.every((f) => (row.request[f] ?? null) === null || row.request[f] === request[f])
}

function specificity(row: Row): number {
  return FIELDS.filter((f) => (row.request[f] ?? null) !== null).length
}

export interface ReplyPolicyOptions {
  readonly mode?: ReplyMode
  readonly seed?: number
}

/** Indexes a contract for reply decisions. */
export class ReplyPolicy {
  readonly mode: ReplyMode
  private readonly rng: Rng
  private readonly captured: ReadonlyMap<string, number>

  constructor(
    readonly contract: Contract,
    options: ReplyPolicyOptions = {},
  ) {
    this.mode = options.mode ?? 'dominant'
    this.rng = createRng(options.seed ?? 1)
    this.captured = new Map(Object.entries(contract.totals.cloudFrames))
  }

  private candidates(rows: readonly Row[]): Candidate[] {
    const byName = new Map<string, Candidate>()
    for (const t of rows) {
      if (t.response === 'cloud.setting' || t.response === 'cloud.unknown') continue
      const c = byName.get(t.response) ?? { name: t.response, count: 0, row: t.id }
      c.count += t.count
      byName.set(t.response, c)
    }
    return [...byName.values()]
  }

  /** Most observed first; a tie goes to the reply more observed in `wider`, then by name. */
  private rank(cands: Candidate[], wider: Candidate[] = []): Candidate[] {
    const w = new Map(wider.map((c) => [c.name, c.count]))
    return [...cands].sort(
      (a, b) =>
        b.count - a.count ||
        (w.get(b.name) ?? 0) - (w.get(a.name) ?? 0) ||
        (a.name < b.name ? -1 : 1),
    )
  }

  /**
   * The class to build for a reply name: a member a captured frame shows, preferring the member
   * frame evidence shows for the same request class and context, then anywhere; null: none.
   */
  buildable(name: ReplyName, request?: BoxClass, context?: ContractContext): CloudClass | null {
    const members = replyMembers(name).filter(
      (m) => m !== 'cloud.setting' && m !== 'cloud.unknown' && (this.captured.get(m) ?? 0) > 0,
    )
    if (members.length === 0) return null
    if (members.length === 1) return members[0]!
    const frames = (m: CloudClass, same: boolean): number =>
      this.contract.transitions
        .filter(
          (t) =>
            t.response === m && (!same || (t.request.class === request && t.context === context)),
        )
        .reduce((n, t) => n + t.support.frames, 0)
    return [...members].sort(
      (a, b) =>
        frames(b, true) - frames(a, true) ||
        frames(b, false) - frames(a, false) ||
        (this.captured.get(b) ?? 0) - (this.captured.get(a) ?? 0) ||
        (a < b ? -1 : 1),
    )[0]!
  }

  /** Chooses among ranked candidates: dominant or sampled, then the first buildable. */
  private choose(
    ranked: Candidate[],
    basis: 'exact' | 'class' | 'normal-context' | 'upload-family',
    request: BoxClass,
    context: ContractContext,
  ): ReplyChoice | null {
    const total = ranked.reduce((n, c) => n + c.count, 0)
    if (total === 0) return null
    let wanted = ranked[0]!
    if (this.mode === 'sampled') {
      let x = this.rng.next() * total
      for (const c of ranked) {
        x -= c.count
        if (x < 0) {
          wanted = c
          break
        }
      }
    }
    const direct = this.buildable(wanted.name, request, context)
    if (direct !== null)
      return {
        kind: 'reply',
        class: direct,
        name: wanted.name,
        row: wanted.row,
        basis,
        share: wanted.count / total,
        unbuildable: null,
      }
    for (const c of ranked) {
      const cls = this.buildable(c.name, request, context)
      if (cls === null) continue
      return {
        kind: 'reply',
        class: cls,
        name: c.name,
        row: c.row,
        basis,
        share: c.count / total,
        unbuildable: { reply: wanted.name, share: wanted.count / total },
      }
    }
    return null
  }

  /**
   * The non-Setting reply to a request: the most specific rows with evidence (every key field
   * equal, then rows that leave a field unknown, such as pairs without the IsNewSet form), else
   * all rows of the request class in that context, else the `normal` context.
   */
  replyFor(request: RequestKey, context: ContractContext): ReplyChoice {
    if (this.mode === 'sampled') return this.decide(request, context)
    const key = requestContextId(request, context)
    let c = this.memo.get(key)
    if (!c) {
      c = this.decide(request, context)
      this.memo.set(key, c)
    }
    return c
  }

  private readonly memo = new Map<string, ReplyChoice>()

  private decide(request: RequestKey, context: ContractContext): ReplyChoice {
    const rows = this.contract.transitions.filter((t) => t.context === context)
    const classRows = rows.filter((t) => t.request.class === request.class)
    const classCands = this.candidates(classRows)
    const levels = new Map<number, Row[]>()
    for (const t of classRows) {
      if (!compatible(t, request)) continue
      const s = specificity(t)
      levels.set(s, [...(levels.get(s) ?? []), t])
    }
    for (const s of [...levels.keys()].sort((a, b) => b - a)) {
      const c = this.choose(
        this.rank(this.candidates(levels.get(s)!), classCands),
        'exact',
        request.class,
        context,
      )
      if (c) return c
    }
    const byClass = this.choose(this.rank(classCands), 'class', request.class, context)
    if (byClass) return byClass
    if (context !== 'normal') {
      const normal = this.choose(
        this.rank(
          this.candidates(
            this.contract.transitions.filter(
              (t) => t.context === 'normal' && t.request.class === request.class,
            ),
          ),
        ),
        'normal-context',
        request.class,
        'normal',
      )
      if (normal) return normal
    }
    if (request.class === 'box.events') {
      // An events upload is a table upload (TblName=tbl_events, Reason=Table; PROTOCOL.md §2):
      // without a captured reply of its own it gets the uploads' reply.
      const uploads = this.choose(
        this.rank(
          this.candidates(
            this.contract.transitions.filter(
              (t) => t.context === 'normal' && t.request.class === 'box.upload',
            ),
          ),
        ),
        'upload-family',
        'box.upload',
        'normal',
      )
      if (uploads) return uploads
    }
    return {
      kind: 'unobserved',
      reason: `contract ${this.contract.version} has no captured cloud reply to ${requestContextId(request, context)} that a captured frame shows`,
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
    const rows = this.contract.transitions.filter((t) => {
      const m = replyMembers(t.response)
      return (
        t.request.class === 'box.setting-ack' &&
        m.length > 0 &&
        m.every((x) => END_FAMILY.includes(x))
      )
    })
    const best = this.choose(
      this.rank(this.candidates(rows)),
      'exact',
      'box.setting-ack',
      'setting-batch',
    )
    if (best) return best
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
