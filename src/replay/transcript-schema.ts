/** `kind: "replay"`: what a target answered to each BOX frame of a replayed session. */
import { z } from 'zod'
import { FrameClassSchema } from '../evidence/schemas/common.js'

export const REPLAY_SCHEMA_VERSION = 1

export const ReplyRecordSchema = z.object({
  class: FrameClassSchema,
  raw: z.string(),
  crcOk: z.boolean().nullable(),
  latencyMs: z.number(),
})

export const ReplayStepResultSchema = z.object({
  seq: z.number().int().positive(),
  id: z.number().int().describe('row id of the BOX frame in the capture'),
  requestClass: FrameClassSchema,
  table: z.string().nullable(),
  outcome: z.enum(['reply', 'no-reply', 'closed', 'skipped', 'not-sent']),
  reply: ReplyRecordSchema.nullable(),
  recorded: z
    .object({ class: FrameClassSchema, latencyMs: z.number().nullable() })
    .nullable()
    .describe('the reply the BOX got in the capture'),
  /** Frames the target sent while no request was waiting (after this step's reply). */
  extra: z.array(ReplyRecordSchema),
  notes: z.array(z.string()),
})

export const ReplayTranscriptSchema = z.object({
  kind: z.literal('replay'),
  schemaVersion: z.literal(REPLAY_SCHEMA_VERSION),
  generator: z.object({ name: z.literal('oigctl'), version: z.string() }),
  generatedAt: z.string(),
  session: z.object({ id: z.string(), source: z.string(), file: z.string() }),
  target: z.object({ name: z.string(), address: z.string(), builtIn: z.boolean() }),
  pacing: z.object({
    speed: z.number().nullable(),
    maxSpeed: z.boolean(),
    replyTimeoutMs: z.number(),
    holdAfterS: z.number(),
  }),
  settingsQueued: z.array(
    z.object({ table: z.string(), item: z.string(), value: z.string(), id: z.string().nullable() }),
  ),
  steps: z.array(ReplayStepResultSchema),
  counts: z.object({
    sent: z.number().int(),
    replies: z.number().int(),
    noReply: z.number().int(),
    closed: z.number().int(),
    skipped: z.number().int(),
    extra: z.number().int(),
  }),
})

export type ReplayTranscript = z.infer<typeof ReplayTranscriptSchema>
export type ReplayStepResult = z.infer<typeof ReplayStepResultSchema>
export type ReplyRecord = z.infer<typeof ReplyRecordSchema>
