/**
 * The proxy's local replies (pure), in two switchable sets (a feature flag, PROTOCOL.md §5):
 * `contract` answers like the real cloud (CloudLogic over the contract), `legacy` reproduces the
 * add-on's historical table exactly, so the new path can be rolled back at runtime. Both share
 * one local setting queue; a Setting is answered by whoever sent it.
 */
import type { ReplyPolicy } from '../../contract/reply-policy.js'
import { buildCloudReply, CLOUD_ACK } from '../../protocol/cloud-frames.js'
import { isPollClass, type BoxClass, type CloudClass } from '../../protocol/frame-class.js'
import type { FrameInput } from '../../protocol/frame.js'
import { unbuildableNote, type CloudLogic } from '../cloud-logic/cloud-logic.js'
import type { SettingQueue } from '../cloud-logic/setting-queue.js'
import type { BoxFrameInfo } from './frame-info.js'

export const LOCAL_REPLY_SETS = ['contract', 'legacy'] as const
export type LocalReplySet = (typeof LOCAL_REPLY_SETS)[number]

/**
 * The add-on's legacy local reply per BOX class (PROTOCOL.md §5 table; IsNewSet by `Result`, so a
 * merged IsNewSet is a poll). A pending local Setting replaces the reply to any poll.
 */
export const LEGACY_REPLY = {
  'box.end': 'cloud.end-time',
  'box.poll.isnewset': 'cloud.end-time',
  'box.poll.isnewfw': 'cloud.end',
  'box.poll.isnewweather': 'cloud.end',
  'box.upload': 'cloud.ack',
  'box.events': 'cloud.ack',
  'box.setting-ack': 'cloud.ack',
  'box.setting-nack': 'cloud.ack',
  'box.unknown': 'cloud.ack',
} as const satisfies Record<BoxClass, CloudClass>

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

/** Who sent the last frame to the BOX on a connection. */
type Sender = 'logic' | 'table' | 'upstream'

interface Track {
  lastClass: CloudClass | null
  by: Sender | null
  deviceId: string | null
}

const isSettingAnswer = (c: BoxClass): boolean =>
  c === 'box.setting-ack' || c === 'box.setting-nack'

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
    const d =
      this.current === 'legacy'
        ? this.legacy(connId, info, nowMs)
        : this.contract(connId, text, info, nowMs)
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

  private legacy(connId: number, info: BoxFrameInfo, nowMs: number): Draft {
    if (isSettingAnswer(info.request)) {
      const resolved = this.queue.resolve(connId, info.request === 'box.setting-ack', nowMs)
      const transition = resolved ? `setting ${resolved.id} ${resolved.state}` : null
      return draft(CLOUD_ACK, 'cloud.ack', 'table', transition)
    }
    if (isPollClass(info.request) && this.queue.next(connId) !== undefined)
      return this.deliver(connId, nowMs, null)
    const cls = LEGACY_REPLY[info.request]
    return draft(buildCloudReply(cls, nowMs), cls, 'table')
  }

  private contract(connId: number, text: FrameInput, info: BoxFrameInfo, nowMs: number): Draft {
    const t = this.track(connId)
    if (
      isSettingAnswer(info.request) &&
      info.crcOk === true &&
      !(t.lastClass === 'cloud.setting' && t.by === 'logic')
    ) {
      if (t.lastClass === 'cloud.setting') return this.closeBatch(connId, info, nowMs)
      // Not right after a Setting: the contract's normal context (never an ACK to a BOX ACK).
      const choice = this.options.policy.replyFor(
        { class: info.request, table: null, eventType: null, pollForm: null },
        'normal',
      )
      if (choice.kind === 'unobserved') return draft(null, null, 'logic', null, choice.reason)
      return this.fixed(choice.class, nowMs, null, unbuildableNote(choice))
    }
    const d = this.options.logic.onFrame(connId, text, nowMs)
    return draft(d.reply, d.replyClass, 'logic', d.transition, d.unobserved, d.unbuildable)
  }

  /**
   * The BOX answered a Setting CloudLogic did not send (the upstream's, or one the legacy set
   * delivered before a switch): the next queued Setting, else the contract's batch close.
   */
  private closeBatch(connId: number, info: BoxFrameInfo, nowMs: number): Draft {
    const resolved = this.queue.resolve(connId, info.request === 'box.setting-ack', nowMs)
    const transition = resolved ? `setting ${resolved.id} ${resolved.state}` : null
    if (this.queue.next(connId) !== undefined) return this.deliver(connId, nowMs, transition)
    const close = this.options.policy.batchClose()
    if (close.kind === 'unobserved') return draft(null, null, 'table', transition, close.reason)
    return this.fixed(close.class, nowMs, transition, unbuildableNote(close))
  }

  private fixed(
    cls: CloudClass,
    nowMs: number,
    transition: string | null,
    unbuildable: string | null = null,
  ): Draft {
    const reply = buildCloudReply(cls, nowMs)
    if (reply === null) return draft(null, null, 'table', transition, `no frame shape for ${cls}`)
    return draft(reply, cls, 'table', transition, null, unbuildable)
  }

  /** Builds the oldest unresolved local Setting through the shared CloudLogic (one `ver` source). */
  private deliver(connId: number, nowMs: number, before: string | null): Draft {
    const d = this.options.logic.deliverNext(
      connId,
      this.track(connId).deviceId ?? this.options.deviceId ?? null,
      nowMs,
    )!
    return draft(d.reply, 'cloud.setting', 'table', before ? `${before}; ${d.what}` : d.what)
  }
}

interface Draft {
  readonly reply: string | null
  readonly replyClass: CloudClass | null
  readonly by: Sender
  readonly unobserved: string | null
  readonly unbuildable: string | null
  readonly transition: string | null
}

function draft(
  reply: string | null,
  replyClass: CloudClass | null,
  by: Sender,
  transition: string | null = null,
  unobserved: string | null = null,
  unbuildable: string | null = null,
): Draft {
  return { reply, replyClass, by, unobserved, unbuildable, transition }
}
