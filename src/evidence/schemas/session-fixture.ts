/** `kind: "session"`: one BOX connection as extract writes it; the input of replay and compare. */
import { z } from 'zod'
import {
  BoundarySchema,
  EventTypeSchema,
  FindingSchema,
  FrameClassSchema,
  GeneratorSchema,
  HandshakeSchema,
  OriginSchema,
  SourceRefSchema,
} from './common.js'

export const SESSION_FIXTURE_SCHEMA_VERSION = 1

export const FixtureFrameSchema = z.object({
  id: z.number().int().describe('row id in the capture DB'),
  ts: z.string().nullable().describe('capture timestamp as stored (UTC)'),
  origin: OriginSchema,
  destination: z.enum(['box', 'cloud']),
  direction: z.string().nullable().describe('the DB direction value as stored'),
  connId: z.number().int().nullable(),
  class: FrameClassSchema,
  table: z.string().nullable(),
  eventType: EventTypeSchema.nullable(),
  pollForm: z.enum(['short', 'merged']).nullable(),
  item: z.string().nullable(),
  crcOk: z.boolean().nullable(),
  raw: z.string().describe('the frame as text (bytes that are not UTF-8 shown as U+FFFD)'),
  rawB64: z
    .string()
    .optional()
    .describe('the frame bytes, base64, when raw cannot stand for them (not UTF-8)'),
  tableName: z.string().nullable().describe('the DB table_name hint (never used to classify)'),
  gapMs: z.number().nullable().describe('ms since the previous frame of this session'),
  answers: z.number().int().nullable().describe('id of the BOX frame this frame replies to'),
  replyId: z.number().int().nullable().describe('id of the reply this BOX frame got'),
  latencyMs: z.number().nullable().describe('reply latency of this BOX frame'),
  notes: z.array(z.string()),
})

export const SessionFixtureSchema = z.object({
  kind: z.literal('session'),
  schemaVersion: z.literal(SESSION_FIXTURE_SCHEMA_VERSION),
  generator: GeneratorSchema,
  source: SourceRefSchema,
  session: z.object({
    id: z.string(),
    index: z.number().int().positive(),
    connId: z.number().int().nullable(),
    cloudConnIds: z.array(z.number().int()),
    boundary: BoundarySchema,
    firstTs: z.string().nullable(),
    lastTs: z.string().nullable(),
    durationMs: z.number().nullable(),
    frameCount: z.number().int(),
  }),
  frames: z.array(FixtureFrameSchema),
  handshakes: z.array(HandshakeSchema),
  findings: z.array(FindingSchema),
})

export type SessionFixture = z.infer<typeof SessionFixtureSchema>
export type FixtureFrame = z.infer<typeof FixtureFrameSchema>
