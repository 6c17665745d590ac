/**
 * The contract local reply set (pure): the proxy answers like the real cloud, through the same
 * CloudLogic as the mock; only the BOX's answer to a Setting the logic did not send itself (the
 * upstream's, or one the legacy set delivered before a switch) is handled here.
 */
import { buildCloudReply } from '../../protocol/cloud-frames.js'
import type { CloudClass } from '../../protocol/frame-class.js'
import type { FrameInput } from '../../protocol/frame.js'
import { unbuildableNote } from './cloud-logic.js'
import type { BoxFrameInfo } from './frame-info.js'
import {
  deliverQueued,
  draft,
  isSettingAnswer,
  resolveAwaited,
  type Draft,
  type SetContext,
} from './local-reply.js'

/** The contract set's reply to one BOX frame (text without line ending). */
export function contractReply(ctx: SetContext, text: FrameInput, info: BoxFrameInfo): Draft {
  const t = ctx.track
  if (
    isSettingAnswer(info.request) &&
    info.crcOk === true &&
    !(t.lastClass === 'cloud.setting' && t.by === 'logic')
  ) {
    if (t.lastClass === 'cloud.setting') return closeBatch(ctx, info)
    // Not right after a Setting: the contract's normal context (never an ACK to a BOX ACK).
    const choice = ctx.policy.replyFor(
      { class: info.request, table: null, eventType: null, pollForm: null },
      'normal',
    )
    if (choice.kind === 'unobserved') return draft(null, null, 'logic', null, choice.reason)
    return fixed(choice.class, ctx.nowMs, null, unbuildableNote(choice))
  }
  const d = ctx.logic.onFrame(ctx.connId, text, ctx.nowMs)
  return draft(d.reply, d.replyClass, 'logic', d.transition, d.unobserved, d.unbuildable)
}

/** The BOX answered a Setting CloudLogic did not send: the next queued Setting, else the close. */
function closeBatch(ctx: SetContext, info: BoxFrameInfo): Draft {
  const transition = resolveAwaited(ctx, info.request)
  if (ctx.queue.next(ctx.connId) !== undefined) return deliverQueued(ctx, transition)
  const close = ctx.policy.batchClose()
  if (close.kind === 'unobserved') return draft(null, null, 'table', transition, close.reason)
  return fixed(close.class, ctx.nowMs, transition, unbuildableNote(close))
}

function fixed(
  cls: CloudClass,
  nowMs: number,
  transition: string | null,
  unbuildable: string | null = null,
): Draft {
  const reply = buildCloudReply(cls, nowMs)
  if (reply === null) return draft(null, null, 'table', transition, `no frame shape for ${cls}`)
  return draft(reply, cls, 'table', transition, null, unbuildable)
}
