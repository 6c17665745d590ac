/** `kind: "contract"`: the transition table of the real cloud, every row backed by citations. */
import { z } from 'zod'
import { BOX_CLASSES, CLOUD_CLASSES, EVENT_TYPES } from '../protocol/frame-class.js'

export const CONTRACT_SCHEMA_VERSION = 1

export const BoxClassSchema = z.enum(BOX_CLASSES)
export const CloudClassSchema = z.enum(CLOUD_CLASSES)
export const ContextSchema = z
  .enum(['normal', 'setting-batch'])
  .describe(
    'setting-batch: the BOX frame follows a cloud Setting on its connection (it answers the Setting)',
  )

export const RequestKeySchema = z.object({
  class: BoxClassSchema,
  table: z.string().nullable().describe('table of a box.upload'),
  eventType: z.enum(EVENT_TYPES).nullable().describe('Type of a box.events upload'),
})

export const CitationSchema = z.object({
  file: z.string(),
  requestId: z
    .number()
    .int()
    .nullable()
    .describe('row id of the BOX frame (null: not in the capture)'),
  replyId: z.number().int().nullable().describe('row id of the frame sent to the BOX'),
  connId: z.number().int().nullable(),
  ts: z.string().nullable(),
})

export const HistogramSchema = z.object({
  n: z.number().int().nonnegative(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  buckets: z.record(z.string().regex(/^\d+$/), z.number().int().positive()),
})

export const LatencySchema = z.object({
  n: z.number().int().nonnegative(),
  min: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
  toleranceMs: z.object({ minMs: z.number(), maxMs: z.number() }).nullable(),
  histogram: HistogramSchema,
})

export const FollowUpSchema = z.object({
  class: BoxClassSchema.nullable().describe(
    'next BOX frame on the connection; null: none (connection or capture ended)',
  ),
  count: z.number().int().positive(),
  gap: LatencySchema.describe('ms from the reply to the next BOX frame'),
  citations: z.array(CitationSchema).min(1),
})

export const TransitionSchema = z.object({
  id: z.string(),
  request: RequestKeySchema,
  context: ContextSchema,
  response: CloudClassSchema,
  count: z.number().int().positive(),
  share: z
    .number()
    .min(0)
    .max(1)
    .describe('count / all captured replies to this request in this context'),
  latency: LatencySchema,
  followUps: z.array(FollowUpSchema),
  citations: z.array(CitationSchema).min(1),
})

export const RequestSummarySchema = z.object({
  id: z.string(),
  request: RequestKeySchema,
  context: ContextSchema,
  seen: z.number().int().nonnegative(),
  answered: z.number().int().nonnegative(),
  unanswered: z.number().int().nonnegative(),
})

export const RuleSchema = z.object({
  id: z.string(),
  statement: z.string(),
  support: z.number().int().nonnegative(),
  violations: z.number().int().nonnegative(),
  undetermined: z
    .number()
    .int()
    .nonnegative()
    .describe('instances the captures cannot decide (e.g. the frame before is not captured)'),
  holds: z.boolean().describe('support > 0 and no violation'),
  status: z.enum(['holds', 'violated', 'unsupported']),
  citations: z.array(CitationSchema).describe('supporting examples; empty only when support is 0'),
  counterexamples: z.array(CitationSchema),
})

export const ContractInputSchema = z.object({
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  format: z.enum(['sqlite', 'session-export']),
  synthetic: z.boolean(),
  frames: z.number().int().nonnegative(),
  sessions: z.number().int().nonnegative(),
  firstTs: z.string().nullable(),
  lastTs: z.string().nullable(),
})

export const ContractSchema = z.object({
  kind: z.literal('contract'),
  schemaVersion: z.literal(CONTRACT_SCHEMA_VERSION),
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/)
    .describe('semantic version of this contract'),
  generator: z.object({ name: z.literal('oigctl'), version: z.string() }),
  synthetic: z
    .boolean()
    .describe('true when any input was synthetic (never for the shipped contract)'),
  inputs: z.array(ContractInputSchema),
  totals: z.object({
    frames: z.number().int().nonnegative(),
    sessions: z.number().int().nonnegative(),
    pairs: z.number().int().nonnegative(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    cloudFrames: z
      .record(z.string(), z.number().int())
      .describe('frames the cloud sent to the BOX, per class, answered or not'),
  }),
  rules: z.object({
    maxCitations: z.number().int().positive(),
    tolerance: z.string(),
    histogram: z.string(),
    context: z.string(),
  }),
  transitions: z.array(TransitionSchema),
  requests: z.array(RequestSummarySchema),
  settingContext: z.object({
    settingsSeen: z.number().int().nonnegative(),
    answered: z.array(
      z.object({
        request: BoxClassSchema.nullable(),
        count: z.number().int().positive(),
        citations: z.array(CitationSchema).min(1),
      }),
    ),
    pollsCarryingSetting: z.array(
      z.object({
        poll: BoxClassSchema,
        withSetting: z.number().int(),
        replies: z.number().int(),
        share: z.number(),
      }),
    ),
    afterSettingAck: z.array(
      z.object({
        response: CloudClassSchema,
        count: z.number().int().positive(),
        citations: z.array(CitationSchema).min(1),
      }),
    ),
    ackDelay: LatencySchema.describe('ms from a cloud Setting to the BOX reply that follows it'),
  }),
  sequenceRules: z.array(RuleSchema),
  unobserved: z.object({
    requests: z.array(
      z.object({ class: BoxClassSchema, seen: z.number().int().nonnegative(), note: z.string() }),
    ),
    replies: z.array(z.object({ name: z.string(), note: z.string() })),
  }),
})

export type Contract = z.infer<typeof ContractSchema>
export type Transition = z.infer<typeof TransitionSchema>
export type Citation = z.infer<typeof CitationSchema>
export type RequestKey = z.infer<typeof RequestKeySchema>
export type ContractContext = z.infer<typeof ContextSchema>
export type Rule = z.infer<typeof RuleSchema>
