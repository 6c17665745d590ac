/** `kind: "rollback-rehearsal"`: evidence that the runtime rollback to the legacy replies works. */
import { z } from 'zod'
import { FrameClassSchema, GeneratorSchema } from '../evidence/schemas/common.js'

export const REHEARSAL_SCHEMA_VERSION = 1

const ReplySetSchema = z.enum(['contract', 'legacy'])

export const RehearsalPhaseSchema = z.object({
  set: ReplySetSchema.describe('the local reply set active during this replay'),
  sent: z.number().int().describe('BOX frames sent'),
  replies: z.number().int(),
  /** Frames the active set gives no reply (the contract shows none): not a loss. */
  expectedSilent: z.number().int(),
  lost: z.number().int().describe('frames that should have had a reply and got none'),
  extra: z.number().int().describe('frames received beyond one reply per BOX frame'),
  skipped: z.number().int().describe('BOX setting ACKs not sent: no Setting was delivered'),
  distinguishing: z
    .number()
    .int()
    .describe('frames whose legacy reply differs from the contract reply'),
  mismatches: z.array(
    z.object({
      seq: z.number().int(),
      request: FrameClassSchema,
      expected: FrameClassSchema.nullable(),
      got: z.string().nullable().describe('reply class, or the outcome when there was none'),
    }),
  ),
})

export const RehearsalCheckSchema = z.object({
  id: z.enum([
    'contract-before',
    'flip-to-legacy',
    'legacy-served',
    'flip-back',
    'contract-after',
    'nothing-dropped',
    'same-connection',
  ]),
  pass: z.boolean(),
  detail: z.string(),
})

export const RollbackRehearsalSchema = z.object({
  kind: z.literal('rollback-rehearsal'),
  schemaVersion: z.literal(REHEARSAL_SCHEMA_VERSION),
  generator: GeneratorSchema,
  generatedAt: z.string(),
  contract: z.object({ file: z.string(), version: z.string(), sha256: z.string() }),
  session: z.object({
    file: z.string(),
    id: z.string(),
    source: z.string(),
    sha256: z.string().describe('sha256 of the capture the session comes from'),
    frames: z.number().int().describe('BOX frames in the session'),
  }),
  proxy: z.object({
    mode: z.literal('offline'),
    listen: z.string(),
    control: z.string().describe('base URL of the control API'),
  }),
  controlCalls: z.array(
    z.object({
      method: z.enum(['GET', 'POST']),
      path: z.string(),
      body: z.string().nullable(),
      status: z.number().int().nullable().describe('null: the request failed'),
      response: z.string(),
    }),
  ),
  /** `local-replies` events the proxy logged (one per runtime switch). */
  switches: z.array(z.object({ at: z.string(), from: ReplySetSchema, to: ReplySetSchema })),
  connection: z.object({
    connections: z.number().int().describe('BOX connections the proxy accepted (1 expected)'),
    closed: z.boolean().describe('the live connection closed during the rehearsal'),
    closeReason: z.string().nullable(),
  }),
  phases: z.array(RehearsalPhaseSchema),
  checks: z.array(RehearsalCheckSchema),
  pass: z.boolean(),
  durationMs: z.number(),
})

export type RollbackRehearsal = z.infer<typeof RollbackRehearsalSchema>
export type RehearsalPhase = z.infer<typeof RehearsalPhaseSchema>
export type RehearsalCheck = z.infer<typeof RehearsalCheckSchema>
