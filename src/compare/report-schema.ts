/** `kind: "compare"`: per-frame verdicts of each target against the real cloud and the contract. */
import { z } from 'zod'

const CellSchema = z.object({
  outcome: z
    .enum(['reply', 'no-reply', 'closed', 'skipped', 'not-sent', 'not-captured'])
    .describe('not-captured: the recorded cloud, when the capture does not hold the reply'),
  class: z.string().nullable(),
  latencyMs: z.number().nullable(),
  classMatch: z.boolean(),
  latencyOk: z.boolean().nullable(),
  toleranceMaxMs: z.number().nullable(),
  verdict: z.enum(['PASS', 'MISMATCH', 'WARN']),
  reason: z.string().nullable(),
  judged: z
    .boolean()
    .default(false)
    .describe('judged against the captured or inferred reply, a known absence or the contract'),
  inferred: z
    .string()
    .nullable()
    .default(null)
    .describe('the recorded cloud: the contract rule its class was inferred by'),
})

const ReferenceSchema = z
  .object({
    kind: z.enum(['captured', 'no-reply', 'not-captured', 'inferred']),
    class: z.string().nullable(),
    origin: z.enum(['cloud', 'proxy']).nullable(),
    rule: z.string().nullable(),
  })
  .describe(
    "the real cloud's reply: captured; no-reply (known absent: the cloud side is captured and the BOX spoke again); not-captured; inferred by a contract rule",
  )

const HandshakeResultSchema = z.object({
  firstSeq: z.number().int(),
  lastSeq: z.number().int(),
  settings: z.number().int().describe('Settings the BOX acknowledged in the batch'),
  complete: z.boolean(),
  targets: z.record(z.string(), z.enum(['PASS', 'FAIL', 'UNJUDGED'])),
})

export const FailOnSchema = z
  .enum(['any', 'critical'])
  .describe('any: every mismatch fails the run; critical: only polls and the setting handshake')
export type FailOn = z.infer<typeof FailOnSchema>

export const CompareReportSchema = z.object({
  kind: z.literal('compare'),
  schemaVersion: z.literal(1),
  generator: z.object({ name: z.literal('oigctl'), version: z.string() }),
  generatedAt: z.string(),
  contract: z.object({ file: z.string(), version: z.string(), sha256: z.string() }),
  strictTiming: z.boolean(),
  failOn: FailOnSchema.default('critical'),
  targets: z.array(
    z.object({
      name: z.string(),
      address: z.string().nullable(),
      builtIn: z.boolean(),
      rows: z.number().int(),
      pass: z.number().int(),
      warnings: z.number().int(),
      mismatches: z.number().int(),
      criticalMismatches: z.number().int(),
      handshakes: z.object({ expected: z.number().int(), passed: z.number().int() }),
      verdict: z
        .enum(['PASS', 'DIFFERS', 'FAIL'])
        .describe(
          'FAIL: a mismatch that fails the run (any, or only critical ones under failOn critical); DIFFERS: only warnings or non-failing differences',
        ),
    }),
  ),
  sessions: z.array(
    z.object({
      id: z.string(),
      source: z.string(),
      file: z.string(),
      sha256: z.string().nullable(),
      boxOnly: z
        .boolean()
        .default(false)
        .describe('the capture holds no frame sent to the BOX (judged against the contract)'),
      handshakes: z
        .array(HandshakeResultSchema)
        .default([])
        .describe('setting batches: poll, Setting(s), the BOX ACKs, per-target result'),
      rows: z.array(
        z.object({
          seq: z.number().int(),
          id: z.number().int(),
          requestClass: z.string(),
          table: z.string().nullable(),
          eventType: z.string().nullable().default(null).describe('Type of a box.events upload'),
          pollForm: z.enum(['short', 'merged']).nullable().default(null),
          context: z.string(),
          expected: z.array(z.string()),
          critical: z.boolean(),
          reference: ReferenceSchema.nullable().default(null),
          cells: z.record(z.string(), CellSchema),
        }),
      ),
      lines: z.array(z.string()),
      contradictions: z.array(z.string()),
      transcripts: z.record(z.string(), z.string()),
    }),
  ),
  verdict: z.enum(['PASS', 'FAIL']),
})

export type CompareReport = z.infer<typeof CompareReportSchema>
