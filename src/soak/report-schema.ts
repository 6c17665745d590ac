/** `kind: "soak"`: a hybrid-proxy soak under scheduled upstream faults, with a policy verdict. */
import { z } from 'zod'

export const SOAK_SCENARIOS = ['stable', 'outage', 'intermittent', 'flapping', 'slow'] as const
export const FAULT_KINDS = ['reset', 'timeout', 'refuse', 'slow', 'garbage'] as const

export const SoakReportSchema = z.object({
  kind: z.literal('soak'),
  schemaVersion: z.literal(1),
  generator: z.object({ name: z.literal('oigctl'), version: z.string() }),
  generatedAt: z.string(),
  scenario: z.enum(SOAK_SCENARIOS),
  seed: z.number().int(),
  /** Simulated duration and the time scale that compressed it. */
  durationS: z.number(),
  timeScale: z.number(),
  wallS: z.number().describe('real seconds the soak took'),
  policy: z.object({
    failThreshold: z.number().int(),
    retryIntervalS: z.number(),
    replyTimeoutMs: z.number(),
  }),
  contract: z.object({ version: z.string(), sha256: z.string() }),
  sessions: z.object({
    source: z.string().describe('session fixtures used, or "synthetic"'),
    count: z.number().int(),
  }),
  /** The fault schedule in simulated seconds from the start. */
  faults: z.array(
    z.object({
      fromS: z.number(),
      toS: z.number(),
      kind: z.enum(FAULT_KINDS),
      note: z.string().optional(),
    }),
  ),
  counts: z.object({
    resets: z.number().int(),
    timeouts: z.number().int(),
    refusals: z.number().int(),
    slow: z.number().int(),
    garbage: z.number().int(),
    rescues: z.number().int().describe('frames answered locally by a per-frame rescue'),
  }),
  transitions: z.array(
    z.object({
      atS: z.number(),
      from: z.string(),
      to: z.string(),
      reason: z.string(),
      failCount: z.number().int(),
    }),
  ),
  timeInStateS: z.record(z.string(), z.number()),
  oscillations: z.number().int().describe('transitions closer together than one retry interval'),
  conservation: z.object({
    boxFrames: z.number().int(),
    replies: z.number().int(),
    lost: z.number().int(),
    duplicated: z.number().int(),
    ok: z.boolean().describe('every BOX frame got exactly one reply'),
  }),
  verdict: z.object({ pass: z.boolean(), expectation: z.string(), reasons: z.array(z.string()) }),
})

export type SoakReport = z.infer<typeof SoakReportSchema>
