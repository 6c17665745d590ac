/** `kind: "compare"`: per-frame verdicts of each target against the real cloud and the contract. */
import { z } from 'zod'

const CellSchema = z.object({
  outcome: z.enum(['reply', 'no-reply', 'closed', 'skipped', 'not-sent']),
  class: z.string().nullable(),
  latencyMs: z.number().nullable(),
  classMatch: z.boolean(),
  latencyOk: z.boolean().nullable(),
  toleranceMaxMs: z.number().nullable(),
  verdict: z.enum(['PASS', 'MISMATCH', 'WARN']),
  reason: z.string().nullable(),
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
      rows: z.array(
        z.object({
          seq: z.number().int(),
          id: z.number().int(),
          requestClass: z.string(),
          table: z.string().nullable(),
          context: z.string(),
          expected: z.array(z.string()),
          critical: z.boolean(),
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
