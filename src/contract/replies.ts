/**
 * Reply names of the contract (pure): a cloud class, a family of classes that class-level
 * evidence cannot tell apart, or `weather`, the forecast reply whose frame was never captured.
 */
import { CLOUD_CLASSES, type CloudClass } from '../protocol/frame-class.js'
import type { ReplyName } from './schema.js'

export const WEATHER = 'weather'

const CLOUD_SET: ReadonlySet<string> = new Set(CLOUD_CLASSES)

export function isCloudClass(s: string): s is CloudClass {
  return CLOUD_SET.has(s)
}

/** The name of a family: its members sorted and joined by `|` (one member: the class itself). */
export function familyName(members: readonly CloudClass[]): ReplyName {
  return [...new Set(members)].sort().join('|')
}

/** The classes a reply name stands for ([] for `weather`, which has no class). */
export function replyMembers(name: string): CloudClass[] {
  if (name === WEATHER) return []
  return name.split('|').filter(isCloudClass)
}

/** Whether a reply of class `cls` is one of the replies `name` stands for. */
export function replyAllows(name: string, cls: CloudClass): boolean {
  return replyMembers(name).includes(cls)
}

/**
 * The family a coarse pair class (`response_class` + `response_todo`, PROTOCOL.md §8) stands for:
 * `END` does not tell whether Time/UTCTime were present; `ACK` with or without GetActual is
 * exact. Null: not a class the pairs vocabulary maps (or the reply is unclassified).
 */
export function pairReplyFamily(responseClass: string, todo: string | null): ReplyName | null {
  const getActual = todo === 'GetActual'
  if (todo !== null && !getActual) return null
  switch (responseClass) {
    case 'ACK':
      return getActual ? 'cloud.ack-getactual' : 'cloud.ack'
    case 'END':
      return getActual
        ? familyName(['cloud.end-getactual', 'cloud.end-time-getactual'])
        : familyName(['cloud.end', 'cloud.end-time'])
    case 'NACK':
      return getActual ? null : familyName(['cloud.nack', 'cloud.nack-onemore', 'cloud.nack-wc'])
    case 'Weather':
      return getActual ? null : WEATHER
    default:
      return null
  }
}
