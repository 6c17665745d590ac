/**
 * What the proxy's two local reply sets share (pure): the set names, the per-connection context a
 * set reads and updates, and the draft a set returns. A set is a function of (frame, context) →
 * draft: `contract-set.ts` answers like the real cloud, `legacy-set.ts` like the add-on's table.
 */
import type { ReplyPolicy } from '../../contract/reply-policy.js'
import type { BoxClass, CloudClass } from '../../protocol/frame-class.js'
import type { CloudLogic } from './cloud-logic.js'
import type { SettingQueue } from './setting-queue.js'

export const LOCAL_REPLY_SETS = ['contract', 'legacy'] as const
export type LocalReplySet = (typeof LOCAL_REPLY_SETS)[number]

/** Who sent the last frame to the BOX on a connection. */
export type Sender = 'logic' | 'table' | 'upstream'

/** What a connection remembers between frames. */
export interface Track {
  lastClass: CloudClass | null
  by: Sender | null
  deviceId: string | null
}

/** Everything a reply set may read or change for one BOX frame. */
export interface SetContext {
  readonly connId: number
  readonly track: Track
  /** The contract set's cloud logic: it owns the setting queue both sets share. */
  readonly logic: CloudLogic
  readonly queue: SettingQueue
  readonly policy: ReplyPolicy
  /** `ID_Device` of a Setting before the BOX has told its own. */
  readonly deviceId: string | null
  readonly nowMs: number
}

/** A set's answer to one frame. */
export interface Draft {
  readonly reply: string | null
  readonly replyClass: CloudClass | null
  readonly by: Sender
  readonly unobserved: string | null
  readonly unbuildable: string | null
  readonly transition: string | null
}

export function draft(
  reply: string | null,
  replyClass: CloudClass | null,
  by: Sender,
  transition: string | null = null,
  unobserved: string | null = null,
  unbuildable: string | null = null,
): Draft {
  return { reply, replyClass, by, unobserved, unbuildable, transition }
}

export const isSettingAnswer = (c: BoxClass): boolean =>
  c === 'box.setting-ack' || c === 'box.setting-nack'

/** The ACK/NACK resolves the Setting awaited on the connection; its transition, if any. */
export function resolveAwaited(ctx: SetContext, request: BoxClass): string | null {
  const resolved = ctx.queue.resolve(ctx.connId, request === 'box.setting-ack', ctx.nowMs)
  return resolved ? `setting ${resolved.id} ${resolved.state}` : null
}

/**
 * Builds the oldest unresolved local Setting through the shared CloudLogic (one `ver` source for
 * both sets); `before` is a transition that happened first.
 */
export function deliverQueued(ctx: SetContext, before: string | null): Draft {
  const d = ctx.logic.deliverNext(ctx.connId, ctx.track.deviceId ?? ctx.deviceId, ctx.nowMs)!
  return draft(d.reply, 'cloud.setting', 'table', before ? `${before}; ${d.what}` : d.what)
}
