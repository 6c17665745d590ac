/** Naming of contract rows: request keys and transition ids (pure). */
import type { BoxClass, EventType } from '../protocol/frame-class.js'
import type { ContractContext, PollForm, RequestKey } from './schema.js'

/** Box classes whose reply depends on the poll's form (PROTOCOL.md §8): the form is part of the key. */
const FORM_CARRYING: ReadonlySet<string> = new Set(['box.poll.isnewset'])

/** The request key of a BOX frame: its class, the table of an upload, the type of events, the IsNewSet form. */
export function makeRequestKey(
  cls: BoxClass,
  table: string | null | undefined,
  eventType: EventType | null | undefined,
  pollForm: PollForm | null | undefined,
): RequestKey {
  return {
    class: cls,
    table: cls === 'box.upload' ? (table ?? null) : null,
    eventType: cls === 'box.events' ? (eventType ?? null) : null,
    pollForm: FORM_CARRYING.has(cls) ? (pollForm ?? null) : null,
  }
}

/** `box.upload[tbl_actual]`, `box.events[Setting]`, `box.poll.isnewset(short)`, `box.poll.isnewfw`. */
export function requestId(r: RequestKey): string {
  return `${r.class}${r.table === null ? '' : `[${r.table}]`}${r.eventType === null ? '' : `[${r.eventType}]`}${(r.pollForm ?? null) === null ? '' : `(${r.pollForm})`}`
}

/** `box.poll.isnewset @normal -> cloud.end-time`. */
export function transitionId(r: RequestKey, context: ContractContext, response: string): string {
  return `${requestId(r)} @${context} -> ${response}`
}

/** `box.poll.isnewset @normal`. */
export function requestContextId(r: RequestKey, context: ContractContext): string {
  return `${requestId(r)} @${context}`
}
