/** The closed vocabulary of frame classes (issue #2). Users' scripts depend on these strings. */

export const BOX_CLASSES = [
  'box.upload',
  'box.events',
  'box.poll.isnewset',
  'box.poll.isnewfw',
  'box.poll.isnewweather',
  'box.setting-ack',
  'box.setting-nack',
  'box.end',
  'box.unknown',
] as const

export const CLOUD_CLASSES = [
  'cloud.ack',
  'cloud.ack-getactual',
  'cloud.end',
  'cloud.end-time',
  'cloud.end-time-getactual',
  'cloud.end-getactual',
  'cloud.setting',
  'cloud.nack-wc',
  'cloud.nack-onemore',
  'cloud.nack',
  'cloud.unknown',
] as const

export type BoxClass = (typeof BOX_CLASSES)[number]
export type CloudClass = (typeof CLOUD_CLASSES)[number]
export type FrameClass = BoxClass | CloudClass

export const FRAME_CLASSES: readonly FrameClass[] = [...BOX_CLASSES, ...CLOUD_CLASSES]

export const EVENT_TYPES = ['Setting', 'Change', 'Factory'] as const
export type EventType = (typeof EVENT_TYPES)[number]

/** Which way a frame travels: sent by the BOX, or sent to the BOX (by the cloud or a stand-in). */
export type FrameSide = 'box' | 'cloud'

export function isBoxClass(c: FrameClass): c is BoxClass {
  return c.startsWith('box.')
}

export function isPollClass(c: FrameClass): boolean {
  return c.startsWith('box.poll.')
}

/** The END family of cloud replies (PROTOCOL.md §4: what closes a setting batch). */
export const END_FAMILY: readonly CloudClass[] = [
  'cloud.end',
  'cloud.end-time',
  'cloud.end-time-getactual',
  'cloud.end-getactual',
]
