/** Naming of contract rows: request keys and transition ids (pure). */
import type { ContractContext, RequestKey } from './schema.js'

/** `box.upload[tbl_actual]`, `box.events[Setting]`, `box.poll.isnewset`. */
export function requestId(r: RequestKey): string {
  return `${r.class}${r.table === null ? '' : `[${r.table}]`}${r.eventType === null ? '' : `[${r.eventType}]`}`
}

/** `box.poll.isnewset @normal -> cloud.end-time`. */
export function transitionId(r: RequestKey, context: ContractContext, response: string): string {
  return `${requestId(r)} @${context} -> ${response}`
}

/** `box.poll.isnewset @normal`. */
export function requestContextId(r: RequestKey, context: ContractContext): string {
  return `${requestId(r)} @${context}`
}
