/** `kind: "contract"`: the transition table of the real cloud, every row backed by citations. */
import { z } from 'zod'
import { BOX_CLASSES, CLOUD_CLASSES, EVENT_TYPES } from '../protocol/frame-class.js'

export const CONTRACT_SCHEMA_VERSION = 2

export const BoxClassSchema = z.enum(BOX_CLASSES)
export const CloudClassSchema = z.enum(CLOUD_CLASSES)
export const ContextSchema = z
  .enum(['normal', 'setting-batch'])
  .describe(
    'setting-batch: the BOX frame follows a cloud Setting on its connection (it answers the Setting)',
  )

export const POLL_FORMS = ['short', 'merged'] as const
export type PollForm = (typeof POLL_FORMS)[number]

export const RequestKeySchema = z.object({
  class: BoxClassSchema,
  table: z.string().nullable().describe('table of a box.upload'),
  eventType: z.enum(EVENT_TYPES).nullable().describe('Type of a box.events upload'),
  pollForm: z
    .enum(POLL_FORMS)
    .nullable()
    .describe(
      'form of a box.poll.isnewset where frame evidence shows it (short / merged); null: not known (pairs) or not a form-carrying request',
    ),
})

/**
 * A reply as evidence names it: one cloud class (frames, or a pair whose coarse class maps to one
 * class), a family of classes the coarse class cannot tell apart (`cloud.end|cloud.end-time`),
 * or `weather`, the forecast reply whose frame was never captured (never built).
 */
export const ReplyNameSchema = z
  .string()
  .regex(/^(weather|cloud\.[a-z-]+(\|cloud\.[a-z-]+)*)$/)
  .describe('a cloud class, a family "cloud.a|cloud.b" (sorted), or "weather"')

export const PairCitationSchema = z.object({
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  requestId: z.number().int(),
  responseId: z.number().int().nullable().describe('null: the pair has no reply'),
  matchReason: z.string(),
})

export const TierSupportSchema = z.object({
  frames: z.number().int().nonnegative().describe('observations backed by raw frames'),
  pairs: z.number().int().nonnegative().describe('observations backed by class-level pairs'),
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
  response: ReplyNameSchema,
  count: z.number().int().positive().describe('frames + pairs'),
  share: z
    .number()
    .min(0)
    .max(1)
    .describe('count / all captured replies to this request in this context'),
  support: TierSupportSchema,
  matchQuality: z
    .array(z.object({ reason: z.string(), count: z.number().int().positive() }))
    .describe("pairs tier: the pairing engine's match_reason of the pairs counted"),
  inferred: z
    .array(z.object({ rule: z.string(), count: z.number().int().positive() }))
    .describe('pairs whose reply class was inferred, by rule'),
  latency: LatencySchema,
  followUps: z.array(FollowUpSchema),
  citations: z.array(CitationSchema).describe('frames tier'),
  pairCitations: z.array(PairCitationSchema).describe('pairs tier'),
})

export const RequestSummarySchema = z.object({
  id: z.string(),
  request: RequestKeySchema,
  context: ContextSchema,
  seen: z.number().int().nonnegative(),
  answered: z.number().int().nonnegative(),
  unanswered: z.number().int().nonnegative(),
  support: TierSupportSchema.describe('seen, per tier'),
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
  tiers: TierSupportSchema.describe('support per tier'),
  holds: z.boolean().describe('support > 0 and no violation'),
  status: z.enum(['holds', 'violated', 'unsupported']),
  citations: z.array(CitationSchema).describe('supporting examples; empty only when support is 0'),
  counterexamples: z.array(CitationSchema),
})

export const ContractInputSchema = z.object({
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  format: z.enum(['sqlite', 'session-export', 'pairs']),
  synthetic: z.boolean(),
  frames: z.number().int().nonnegative(),
  pairs: z.number().int().nonnegative().describe('pairs read (pairs files)'),
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
        support: TierSupportSchema,
        citations: z.array(CitationSchema),
        pairCitations: z.array(PairCitationSchema),
      }),
    ),
    pollsCarryingSetting: z.array(
      z.object({
        poll: BoxClassSchema,
        withSetting: z.number().int(),
        replies: z.number().int(),
        share: z.number(),
        support: TierSupportSchema.describe('Settings on this poll, per tier'),
      }),
    ),
    afterSettingAck: z.array(
      z.object({
        response: ReplyNameSchema,
        count: z.number().int().positive(),
        support: TierSupportSchema,
        citations: z.array(CitationSchema),
        pairCitations: z.array(PairCitationSchema),
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
    unbuildable: z
      .array(
        z.object({
          id: z.string().describe('request @context'),
          reply: ReplyNameSchema,
          share: z.number().min(0).max(1),
          sentInstead: ReplyNameSchema.nullable(),
          note: z.string(),
        }),
      )
      .describe('observed replies no target can build (no captured frame of that class)'),
  }),
  pairsUnused: z
    .array(
      z.object({
        file: z.string(),
        reason: z.string(),
        count: z.number().int().positive(),
      }),
    )
    .describe('pairs of --pairs inputs that no row uses, by reason'),
})

export type Contract = z.infer<typeof ContractSchema>
export type Transition = z.infer<typeof TransitionSchema>
export type Citation = z.infer<typeof CitationSchema>
export type RequestKey = z.infer<typeof RequestKeySchema>
export type ContractContext = z.infer<typeof ContextSchema>
export type Rule = z.infer<typeof RuleSchema>
export type PairCitation = z.infer<typeof PairCitationSchema>
export type TierSupport = z.infer<typeof TierSupportSchema>
export type ReplyName = z.infer<typeof ReplyNameSchema>
