/**
 * Events only the proxy writes into its `serve-events` log (beside the shared listen / frame /
 * connection / control / shutdown events of serve-events.ts): mode changes, per-frame upstream
 * failures (rescued or left unanswered), probes, reply-set switches and upstream problems.
 */
import { z } from 'zod'
import { FrameClassSchema } from './common.js'
import type { ServeEvent } from './serve-events.js'

const at = z.string().describe('UTC ISO-8601 instant of the event')
const conn = z.number().int().positive().describe('BOX connection id')
const state = z.enum(['online', 'offline'])
const result = z.enum(['timeout', 'reset', 'refused'])

/** A global change of the effective state: `{at, from, to, reason, failCount}`. */
export const ModeEventSchema = z.object({
  at,
  event: z.literal('mode'),
  from: state,
  to: state,
  reason: z.string(),
  failCount: z.number().int().nonnegative(),
})

export const UpstreamFailureEventSchema = z.object({
  at,
  event: z.literal('upstream-failure'),
  conn,
  request: FrameClassSchema,
  result,
  decision: z.enum(['rescue', 'unanswered']).describe('hybrid rescues the frame; online leaves it'),
  failCount: z.number().int().nonnegative().describe('consecutive failures after this one'),
})

export const ProbeEventSchema = z.object({
  at,
  event: z.literal('probe'),
  result: z.enum(['ok', 'timeout', 'reset', 'refused']),
})

export const LocalRepliesEventSchema = z.object({
  at,
  event: z.literal('local-replies'),
  from: z.enum(['contract', 'legacy']),
  to: z.enum(['contract', 'legacy']),
})

export const UpstreamProblemEventSchema = z.object({
  at,
  event: z.literal('upstream-problem'),
  conn,
  problem: z.enum(['unsolicited', 'garbage', 'oversize']),
  bytes: z.number().int().nonnegative(),
})

export const ProxyEventSchema = z.discriminatedUnion('event', [
  ModeEventSchema,
  UpstreamFailureEventSchema,
  ProbeEventSchema,
  LocalRepliesEventSchema,
  UpstreamProblemEventSchema,
])

export type ProxyEvent = z.infer<typeof ProxyEventSchema>

/** Every line of a proxy's event log. */
export type ProxyLogEvent = ServeEvent | ProxyEvent

/** Where the proxy writes its events (an EventLog from event-log.ts fits). */
export interface ProxyEventSink {
  write(event: ProxyLogEvent): void
}
