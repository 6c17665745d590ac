/** Setting handshakes inside a session (PROTOCOL.md §4): poll → Setting → BOX ACK → END family. */
import { END_FAMILY, type FrameClass } from '../protocol/frame-class.js'
import type { SessionFrame } from './sessions.js'

export interface SettingHandshake {
  /** Row id of the `cloud.setting` frame. */
  readonly settingId: number
  readonly table: string | null
  readonly item: string | null
  /** Class of the BOX frame the Setting answered (a poll, or a previous setting ACK). */
  readonly answered: FrameClass | null
  /** Row id of the BOX `box.setting-ack` (or nack) that followed, if any. */
  readonly ackId: number | null
  readonly ackClass: 'box.setting-ack' | 'box.setting-nack' | null
  /** ms from the Setting to the BOX's ACK. */
  readonly ackDelayMs: number | null
  /** Reply to the BOX's ACK: the next Setting or an END-family frame. */
  readonly closeClass: FrameClass | null
  readonly closeId: number | null
  /** First later `box.events` Type=Setting upload of the session (the applied setting). */
  readonly eventsId: number | null
  /** The full handshake: Setting, BOX ACK, and an END-family reply or the next Setting. */
  readonly complete: boolean
}

/** Finds every cloud Setting of a session and what followed it on the same connection. */
export function findSettingHandshakes(frames: readonly SessionFrame[]): SettingHandshake[] {
  const byId = new Map(frames.map((f) => [f.id, f]))
  const result: SettingHandshake[] = []
  frames.forEach((f, i) => {
    if (f.class !== 'cloud.setting') return
    const answered = f.answers === null ? null : (byId.get(f.answers)?.class ?? null)
    const ack = frames.slice(i + 1).find((g) => g.origin === 'box')
    const isAck = ack && (ack.class === 'box.setting-ack' || ack.class === 'box.setting-nack')
    const close = isAck && ack.replyId !== null ? byId.get(ack.replyId) : undefined
    const ackIndex = isAck ? frames.indexOf(ack) : -1
    const events = isAck
      ? frames
          .slice(ackIndex + 1)
          .find((g) => g.class === 'box.events' && g.eventType === 'Setting')
      : undefined
    const ackDelayMs =
      isAck && f.tsMs !== null && ack.tsMs !== null
        ? Math.round((ack.tsMs - f.tsMs) * 1000) / 1000
        : null
    const closeClass = close?.class ?? null
    result.push({
      settingId: f.id,
      table: f.table,
      item: f.item,
      answered,
      ackId: isAck ? ack.id : null,
      ackClass: isAck ? (ack.class as 'box.setting-ack' | 'box.setting-nack') : null,
      ackDelayMs,
      closeClass,
      closeId: close?.id ?? null,
      eventsId: events?.id ?? null,
      complete:
        isAck === true &&
        ack.class === 'box.setting-ack' &&
        closeClass !== null &&
        (closeClass === 'cloud.setting' || END_FAMILY.includes(closeClass as never)),
    })
  })
  return result
}
