/**
 * The proxy's local replies (pure), in two switchable sets (a feature flag, PROTOCOL.md §5):
 * `contract` answers like the real cloud (contract-set.ts: CloudLogic over the contract), `legacy`
 * reproduces the add-on's historical table exactly (legacy-set.ts), so the new path can be rolled
 * back at runtime. This file picks the active set, keeps each connection's context and says when
 * a frame must be answered locally while the upstream is healthy. Both sets share one local
 * setting queue; a Setting is answered by whoever sent it.
 */
import type { ReplyPolicy } from '../../contract/reply-policy.js'
import { isPollClass, type BoxClass, type CloudClass } from '../../protocol/frame-class.js'
import type { FrameInput } from '../../protocol/frame.js'
import type { CloudLogic } from './cloud-logic.js'
import { contractReply } from './contract-set.js'
import type { BoxFrameInfo } from './frame-info.js'
import { legacyReply } from './legacy-set.js'
import { isSettingAnswer, type LocalReplySet, type SetContext, type Track } from './local-reply.js'
import type { SettingQueue } from './setting-queue.js'

export interface LocalDecision {
  readonly set: LocalReplySet
  readonly request: BoxClass
  /** The frame to send, or null when the contract shows no reply (see `unobserved`). */
  readonly reply: string | null
  readonly replyClass: CloudClass | null
  readonly unobserved: string | null
  /** The observed reply no captured frame shows, and what was sent instead. */
  readonly unbuildable: string | null
  /** Setting queue change, e.g. `setting s1 delivered on conn 3`. */
  readonly transition: string | null
}

/** A change of the active reply set (logged by the server). */
export interface ReplySetChange {
  readonly at: string
  readonly from: LocalReplySet
  readonly to: LocalReplySet
}

export interface LocalRepliesOptions {
  /** The contract set: it owns the setting queue both sets share. */
  readonly logic: CloudLogic
  readonly policy: ReplyPolicy
  readonly set: LocalReplySet
  /** `ID_Device` of a Setting before the BOX has told its own. */
  readonly deviceId?: string
  /** Polls a local Setting may be delivered on (default: the ones the contract shows carrying one). */
  readonly settingPolls?: readonly BoxClass[]
}

export class LocalReplies {
  private current: LocalReplySet
  private readonly conns = new Map<number, Track>()
  private readonly settingPolls: readonly BoxClass[]

  constructor(private readonly options: LocalRepliesOptions) {
    this.current = options.set
    this.settingPolls = options.settingPolls ?? options.policy.settingPolls()
  }

  get set(): LocalReplySet {
    return this.current
  }

  get queue(): SettingQueue {
    return this.options.logic.queue
  }

  /** Switches the reply set; returns the change, or null when it is already active. */
  setSet(set: LocalReplySet, nowMs: number): ReplySetChange | null {
    if (set === this.current) return null
    const change = { at: new Date(nowMs).toISOString(), from: this.current, to: set }
    this.current = set
    return change
  }

  /** Cheap pre-check (no frame parse): false when claims() cannot be true on this connection now. */
  mayClaim(connId: number): boolean {
    if (this.queue.next(connId) !== undefined) return true
    const t = this.conns.get(connId)
    return t?.lastClass === 'cloud.setting' && t.by !== 'upstream'
  }

  /**
   * Whether a frame must be answered locally even while the upstream is healthy: a poll that a
   * pending local Setting answers, or the BOX's ACK/NACK right after a local Setting.
   */
  claims(connId: number, info: BoxFrameInfo): boolean {
    if (isSettingAnswer(info.request)) {
      const t = this.conns.get(connId)
      return t?.lastClass === 'cloud.setting' && t.by !== 'upstream'
    }
    if (!isPollClass(info.request) || this.queue.next(connId) === undefined) return false
    return this.current === 'legacy' || this.settingPolls.includes(info.request)
  }

  /** Records a reply the upstream sent to the BOX (so that a later local reply knows its context). */
  noteForwarded(connId: number, replyClass: CloudClass | null): void {
    const t = this.track(connId)
    t.lastClass = replyClass
    t.by = 'upstream'
  }

  /** Decides the local reply to one BOX frame (text without line ending). */
  reply(connId: number, text: FrameInput, info: BoxFrameInfo, nowMs: number): LocalDecision {
    const t = this.track(connId)
    t.deviceId ??= info.deviceId
    const ctx: SetContext = {
      connId,
      track: t,
      logic: this.options.logic,
      queue: this.queue,
      policy: this.options.policy,
      deviceId: this.options.deviceId ?? null,
      nowMs,
    }
    const d = this.current === 'legacy' ? legacyReply(ctx, info) : contractReply(ctx, text, info)
    if (d.reply !== null) {
      t.lastClass = d.replyClass
      t.by = d.by
    }
    return {
      set: this.current,
      request: info.request,
      reply: d.reply,
      replyClass: d.replyClass,
      unobserved: d.unobserved,
      unbuildable: d.unbuildable,
      transition: d.transition,
    }
  }

  /** The connection ended: its un-ACKed local Setting stays queued for a later poll. */
  close(connId: number): void {
    this.conns.delete(connId)
    this.options.logic.close(connId)
  }

  private track(connId: number): Track {
    let t = this.conns.get(connId)
    if (!t) {
      t = { lastClass: null, by: null, deviceId: null }
      this.conns.set(connId, t)
    }
    return t
  }
}
