/** `kind: "contract-validation"`: evidence of a contract checked against captures (read by gate). */
import { z } from 'zod'

export const ValidationProblemSchema = z.object({
  severity: z.enum(['error', 'warning', 'info']),
  code: z.enum([
    'unsupported-row',
    'bad-citation',
    'unresolved-citation',
    'count-mismatch',
    'rule-violated',
    'rule-unsupported',
    'missing-row',
    'row-id-mismatch',
    'bad-pair-citation',
    'unresolved-pair-citation',
  ]),
  row: z.string(),
  message: z.string(),
})

export const ContractValidationSchema = z.object({
  kind: z.literal('contract-validation'),
  schemaVersion: z.literal(1),
  generator: z.object({ name: z.literal('oigctl'), version: z.string() }),
  generatedAt: z.string(),
  contract: z.object({
    file: z.string(),
    version: z.string(),
    sha256: z.string(),
    inputs: z.array(z.object({ file: z.string(), sha256: z.string() })),
  }),
  inputs: z.array(
    z.object({
      file: z.string(),
      sha256: z.string(),
      synthetic: z.boolean(),
      frames: z.number().int(),
    }),
  ),
  sameInputs: z.boolean().describe('the captures are exactly the contract inputs (same sha256)'),
  strict: z.boolean(),
  verdict: z.enum(['valid', 'invalid']),
  counts: z.object({
    rows: z.number().int(),
    supported: z.number().int(),
    unsupported: z.number().int(),
    badCitations: z.number().int(),
    unresolved: z.number().int().describe('rows backed by pairs only, with no --pairs given'),
    missing: z.number().int(),
    errors: z.number().int(),
    warnings: z.number().int(),
  }),
  rows: z.array(
    z.object({
      id: z.string(),
      support: z.number().int(),
      citations: z.number().int(),
      citationsOk: z.number().int(),
      status: z
        .enum(['supported', 'unsupported', 'bad-citation', 'unresolved'])
        .describe('unresolved: backed by pairs only and no --pairs file was given'),
    }),
  ),
  missing: z.array(z.string()),
  problems: z.array(ValidationProblemSchema),
})

export type ContractValidation = z.infer<typeof ContractValidationSchema>
export type ValidationProblem = z.infer<typeof ValidationProblemSchema>
