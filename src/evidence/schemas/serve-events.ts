/**
 * `kind: "serve-events"`: the structured event log of a target server (`oigctl serve … --log`),
 * one JSON object per line. The first line is the `listen` event, which carries `kind` and
 * `schemaVersion`; every later line is one of the events below.
 */
import { z } from 'zod'
import { FrameClassSchema } from './common.js'

export const SERVE_EVENTS_SCHEMA_VERSION = 1

const at = z.string().describe('UTC ISO-8601 instant of the event')
const conn = z.number().int().positive().describe('connection id, counted from 1 per server run')

export const ListenEventSchema = z.object({
  at,
  event: z.literal('listen'),
  kind: z.literal('serve-events'),
  schemaVersion: z.literal(SERVE_EVENTS_SCHEMA_VERSION),
  target: z.enum(['mock', 'proxy']),
  host: z.string(),
  port: z.number().int(),
  controlHost: z.string().nullable(),
  controlPort: z.number().int().nullable(),
  contractVersion: z.string().nullable(),
})

export const FrameEventSchema = z.object({
  at,
  event: z.literal('frame'),
  conn,
  dir: z.enum(['in', 'out']).describe('in: sent by the BOX; out: sent to the BOX'),
  class: FrameClassSchema,
  table: z.string().optional().describe('table of an upload, or the table a Setting changes'),
  setting: z.string().optional().describe('control API id of the Setting sent'),
  bytes: z.number().int().nonnegative().describe('bytes from <Frame> to </Frame>'),
  crcOk: z.boolean().nullable().describe('null: the text is not a well-formed frame'),
  transition: z.string().optional().describe('state change the BOX frame caused'),
  unobserved: z.string().optional().describe('why the BOX frame got no reply'),
  unbuildable: z
    .string()
    .optional()
    .describe(
      'the observed reply that no captured frame shows (e.g. weather) and what was sent instead',
    ),
})

export const ConnectionEventSchema = z.discriminatedUnion('event', [
  z.object({ at, event: z.literal('open'), conn, peer: z.string() }),
  z.object({
    at,
    event: z.literal('close'),
    conn,
    reason: z.string(),
    framesIn: z.number().int().nonnegative(),
    framesOut: z.number().int().nonnegative(),
  }),
  z.object({ at, event: z.literal('error'), conn, reason: z.string() }),
  z.object({
    at,
    event: z.literal('problem'),
    conn,
    problem: z
      .enum(['garbage', 'oversize', 'slow-reader', 'backlog'])
      .describe('backlog (proxy): too many frames waiting for replies, reading paused'),
    bytes: z.number().int().nonnegative().describe('bytes of the problem (backlog: bytes queued)'),
    sample: z.string().optional().describe('first bytes of the garbage, as latin1 text'),
  }),
  z.object({ at, event: z.literal('reject'), peer: z.string(), reason: z.string() }),
])

export const ControlEventSchema = z.object({
  at,
  event: z.literal('control'),
  method: z.string(),
  path: z.string(),
  status: z.number().int(),
  setting: z.string().optional(),
})

export const ServerEventSchema = z.discriminatedUnion('event', [
  z.object({ at, event: z.literal('server-error'), reason: z.string() }),
  z.object({ at, event: z.literal('shutdown'), reason: z.string() }),
])

export const ServeEventSchema = z.union([
  ListenEventSchema,
  FrameEventSchema,
  ConnectionEventSchema,
  ControlEventSchema,
  ServerEventSchema,
])

export type ServeEvent = z.infer<typeof ServeEventSchema>
export type FrameEvent = z.infer<typeof FrameEventSchema>
export type ControlEvent = z.infer<typeof ControlEventSchema>
