/**
 * Session fixtures, the input of replay and compare.
 * - Version 1, `kind: "session"`: one BOX connection in one JSON document (earlier extracts; still
 *   read, and the shape every reader works on).
 * - Version 2, what extract writes: a pack per source. `<label>.sessions.ndjson` holds one session
 *   per line (frames as arrays in PACK_FRAME_FIELDS order); `<label>.sessions.json`, the index
 *   (`kind: "session-pack"`), names the source and where each session's line starts and ends.
 *   `<index>#<ref>` addresses one session of a pack.
 */
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

/** Version of the one-session document (`kind: "session"`). */
export const SESSION_FIXTURE_SCHEMA_VERSION = 1
/** Version of the fixture layout extract writes (`kind: "session-pack"`). */
export const SESSION_PACK_SCHEMA_VERSION = 2

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

export const SessionInfoSchema = z.object({
  id: z.string(),
  index: z.number().int().positive(),
  connId: z.number().int().nullable(),
  cloudConnIds: z.array(z.number().int()),
  boundary: BoundarySchema,
  firstTs: z.string().nullable(),
  lastTs: z.string().nullable(),
  durationMs: z.number().nullable(),
  frameCount: z.number().int(),
})

export const SessionFixtureSchema = z.object({
  kind: z.literal('session'),
  schemaVersion: z.literal(SESSION_FIXTURE_SCHEMA_VERSION),
  generator: GeneratorSchema,
  source: SourceRefSchema,
  session: SessionInfoSchema,
  frames: z.array(FixtureFrameSchema),
  handshakes: z.array(HandshakeSchema),
  findings: z.array(FindingSchema),
})

export type SessionFixture = z.infer<typeof SessionFixtureSchema>
export type FixtureFrame = z.infer<typeof FixtureFrameSchema>
export type SessionInfo = z.infer<typeof SessionInfoSchema>

/** The fields of a frame of a pack line, in their order (`rawB64` is null when absent). */
export const PACK_FRAME_FIELDS = [
  'id',
  'ts',
  'origin',
  'destination',
  'direction',
  'connId',
  'class',
  'table',
  'eventType',
  'pollForm',
  'item',
  'crcOk',
  'raw',
  'rawB64',
  'tableName',
  'gapMs',
  'answers',
  'replyId',
  'latencyMs',
  'notes',
] as const satisfies ReadonlyArray<keyof FixtureFrame>

const F = FixtureFrameSchema.shape

/** One line of a pack: a session without its source (the index names it once). */
export const SessionPackLineSchema = z.object({
  session: SessionInfoSchema,
  frames: z.array(
    z
      .tuple([
        F.id,
        F.ts,
        F.origin,
        F.destination,
        F.direction,
        F.connId,
        F.class,
        F.table,
        F.eventType,
        F.pollForm,
        F.item,
        F.crcOk,
        F.raw,
        z.string().nullable(),
        F.tableName,
        F.gapMs,
        F.answers,
        F.replyId,
        F.latencyMs,
        F.notes,
      ])
      .describe("a frame: its fields in the order of the index's frameFields"),
  ),
  handshakes: z.array(HandshakeSchema),
  findings: z.array(FindingSchema),
})

/** The index of a pack (`<label>.sessions.json`); its lines are `<label>.sessions.ndjson`. */
export const SessionPackSchema = z.object({
  kind: z.literal('session-pack'),
  schemaVersion: z.literal(SESSION_PACK_SCHEMA_VERSION),
  generator: GeneratorSchema,
  source: SourceRefSchema,
  frameFields: z
    .array(z.enum(PACK_FRAME_FIELDS))
    .describe(`the order of a frame's fields in a line: ${PACK_FRAME_FIELDS.join(', ')}`),
  sessions: z.array(
    z.object({
      id: z.string(),
      ref: z.string().describe('`<index file>#<ref>` names this session'),
      offset: z.number().int().nonnegative().describe('byte offset of its line in the .ndjson'),
      bytes: z.number().int().positive().describe('byte length of its line, newline included'),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .describe(
          'sha256 of its line (newline included): the index, which inputs cite by its own sha256, covers the frames',
        ),
      frameCount: z.number().int(),
    }),
  ),
})

export type SessionPackLine = z.infer<typeof SessionPackLineSchema>
export type SessionPack = z.infer<typeof SessionPackSchema>
