/** `kind: "gate"`: the decision whether the legacy backup path may be removed, and why. */
import { z } from 'zod'
import { GeneratorSchema } from '../evidence/schemas/common.js'
import { EvidenceKindSchema } from './checklist-schema.js'

export const GATE_SCHEMA_VERSION = 1

export const CriterionStatusSchema = z.enum(['PASS', 'FAIL', 'MISSING'])
export type CriterionStatus = z.infer<typeof CriterionStatusSchema>

export const EvidenceStatusSchema = z.enum([
  'ok',
  'missing',
  'unreadable',
  'not-json',
  'wrong-kind',
  'unknown-schema-version',
  'invalid',
])

const FileUseSchema = z.object({
  kind: EvidenceKindSchema,
  file: z.string(),
  status: EvidenceStatusSchema,
})

const FixSchema = z
  .array(z.string())
  .default([])
  .describe('to fix, run: the oigctl command(s) that would produce or repair the evidence')

export const RollbackStepSchema = z.object({ title: z.string(), command: z.string() })

export const GateDecisionSchema = z.object({
  kind: z.literal('gate'),
  schemaVersion: z.literal(GATE_SCHEMA_VERSION),
  generator: GeneratorSchema,
  generatedAt: z.string().describe('the evaluation time ("now" for the freshness criteria)'),
  evidenceDir: z.string(),
  checklist: z.object({ file: z.string().nullable(), version: z.string() }),
  decision: z
    .enum(['REMOVE', 'KEEP'])
    .describe('REMOVE: every mandatory criterion passed, the legacy path may go; KEEP otherwise'),
  summary: z.string(),
  counts: z.object({
    criteria: z.number().int(),
    pass: z.number().int(),
    fail: z.number().int(),
    missing: z.number().int(),
    blocking: z.number().int().describe('mandatory criteria that did not pass'),
  }),
  criteria: z.array(
    z.object({
      id: z.string(),
      description: z.string(),
      mandatory: z.boolean(),
      condition: z.string(),
      status: CriterionStatusSchema,
      files: z.array(FileUseSchema).describe('the evidence files this criterion read'),
      reasons: z.array(z.string()),
      fix: FixSchema,
    }),
  ),
  blocking: z
    .array(
      z.object({
        id: z.string(),
        status: CriterionStatusSchema.exclude(['PASS']),
        files: z.array(FileUseSchema),
        reasons: z.array(z.string()),
        fix: FixSchema,
      }),
    )
    .describe('each failed or missing mandatory criterion, with its files (or their absence)'),
  evidence: z.array(
    FileUseSchema.extend({
      generatedAt: z.string().nullable(),
      problem: z.string().nullable(),
    }),
  ),
  rollback: z
    .array(RollbackStepSchema)
    .describe('how to switch the proxy to the legacy replies (PROTOCOL.md §5)'),
})

export type GateDecision = z.infer<typeof GateDecisionSchema>
export type RollbackStep = z.infer<typeof RollbackStepSchema>
