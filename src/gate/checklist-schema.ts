/**
 * `kind: "checklist"`: the binary criteria `oigctl gate` decides on. Each criterion names the
 * evidence kind(s) it reads and a typed condition; the mandatory set is fixed in code (checklist.ts).
 */
import { z } from 'zod'
import { SOAK_SCENARIOS } from '../soak/report-schema.js'

export const CHECKLIST_SCHEMA_VERSION = 1

/** Evidence kinds the gate reads (each a file under the evidence folder, see evidence/layout.ts). */
export const EVIDENCE_KINDS = [
  'contract',
  'contract-validation',
  'compare',
  'soak',
  'extract-result',
  'rollback-rehearsal',
] as const
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number]

const unknownKinds = (input: unknown): string | undefined => {
  const xs: unknown[] = Array.isArray(input) ? input : [input]
  const unknown = xs.filter((x) => !(EVIDENCE_KINDS as readonly unknown[]).includes(x))
  return unknown.length
    ? `unknown evidence kind ${unknown.map((x) => JSON.stringify(x)).join(', ')} (known: ${EVIDENCE_KINDS.join(', ')})`
    : undefined
}

export const EvidenceKindSchema = z.enum(EVIDENCE_KINDS, { error: (i) => unknownKinds(i.input) })

const Targets = z.array(z.string().min(1)).min(1).describe('compare targets, e.g. mock and offline')

export const ConditionSchema = z.discriminatedUnion(
  'type',
  [
    z
      .strictObject({ type: z.literal('validation-clean') })
      .describe('contract validates: verdict valid, zero unsupported rows, zero bad citations'),
    z
      .strictObject({ type: z.literal('compare-no-critical'), targets: Targets })
      .describe('each target ran on every compared session with zero critical mismatches'),
    z
      .strictObject({ type: z.literal('handshake-passed'), targets: Targets })
      .describe('the setting handshake passed at least once for each target'),
    z
      .strictObject({
        type: z.literal('coverage'),
        targets: Targets,
        minJudged: z
          .number()
          .int()
          .describe('judged, matching replies each target needs per request key'),
        minHandshakes: z
          .number()
          .int()
          .describe('judged, passing setting batches each target needs (one with 2+ Settings)'),
      })
      .describe(
        'every request key the evidence shows has minJudged judged replies per target, and the setting handshake minHandshakes batches',
      ),
    z
      .strictObject({
        type: z.literal('soak-all-pass'),
        scenarios: z.array(z.enum(SOAK_SCENARIOS)).min(1),
      })
      .describe(
        'a soak report per scenario, each with a passing verdict, zero oscillations, zero lost or duplicated frames',
      ),
    z
      .strictObject({ type: z.literal('rehearsal-passed') })
      .describe('the rollback rehearsal passed'),
    z
      .strictObject({ type: z.literal('same-contract-and-captures') })
      .describe(
        'every evidence file names the same contract (version and sha256) and its captures are the contract inputs (sha256)',
      ),
    z
      .strictObject({ type: z.literal('fresh'), maxAgeDays: z.number().positive() })
      .describe('every evidence file was generated less than maxAgeDays ago'),
    z
      .strictObject({ type: z.literal('real-captures') })
      .describe('no evidence derives from a synthetic capture'),
    z
      .strictObject({ type: z.literal('extract-clean') })
      .describe(
        'the extracted captures have no integrity error (CRC failure, unparseable frame, …)',
      ),
  ],
  {
    error: (i) =>
      i.code === 'invalid_union'
        ? `unknown condition type ${JSON.stringify((i.input as { type?: unknown } | undefined)?.type)}`
        : undefined,
  },
)
export type Condition = z.infer<typeof ConditionSchema>
export type ConditionType = Condition['type']

export const CriterionSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a kebab-case id'),
  description: z.string().min(1),
  mandatory: z.boolean().describe('a failing mandatory criterion keeps the legacy path (KEEP)'),
  evidence: z
    .union([EvidenceKindSchema, z.array(EvidenceKindSchema).min(1)], {
      error: (i) => unknownKinds(i.input),
    })
    .describe('the evidence kind the condition reads, or several'),
  condition: ConditionSchema,
})
export type Criterion = z.infer<typeof CriterionSchema>

export const ChecklistSchema = z.strictObject({
  $schema: z.string().optional().describe('the JSON Schema of this file, for editors'),
  kind: z.literal('checklist'),
  schemaVersion: z.literal(CHECKLIST_SCHEMA_VERSION, {
    error: (i) =>
      `unknown schemaVersion ${JSON.stringify(i.input)} (this oigctl reads ${CHECKLIST_SCHEMA_VERSION})`,
  }),
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/)
    .describe('semantic version of this checklist'),
  description: z.string().optional(),
  criteria: z.array(CriterionSchema).min(1),
})
export type Checklist = z.infer<typeof ChecklistSchema>

/** The evidence kinds of a criterion as a list. */
export function criterionKinds(c: Criterion): EvidenceKind[] {
  return typeof c.evidence === 'string' ? [c.evidence] : [...new Set(c.evidence)]
}
