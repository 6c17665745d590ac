/**
 * The legacy local reply set (pure): the add-on's historical table, reproduced exactly so that
 * the contract set can be rolled back at runtime (PROTOCOL.md §5). A pending local Setting
 * replaces the reply to any poll.
 */
import { buildCloudReply, CLOUD_ACK } from '../../protocol/cloud-frames.js'
import { isPollClass, type BoxClass, type CloudClass } from '../../protocol/frame-class.js'
import type { BoxFrameInfo } from './frame-info.js'
import {
  deliverQueued,
  draft,
  isSettingAnswer,
  resolveAwaited,
  type Draft,
  type SetContext,
} from './local-reply.js'

/**
 * The add-on's legacy local reply per BOX class (PROTOCOL.md §5 table; IsNewSet by `Result`, so a
 * merged IsNewSet is a poll).
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

/** The legacy set's reply to one BOX frame. */
export function legacyReply(ctx: SetContext, info: BoxFrameInfo): Draft {
  if (isSettingAnswer(info.request))
    return draft(CLOUD_ACK, 'cloud.ack', 'table', resolveAwaited(ctx, info.request))
  if (isPollClass(info.request) && ctx.queue.next(ctx.connId) !== undefined)
    return deliverQueued(ctx, null)
  const cls = LEGACY_REPLY[info.request]
  return draft(buildCloudReply(cls, ctx.nowMs), cls, 'table')
}
