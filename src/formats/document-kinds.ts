/**
 * The one registry of the evidence documents oigctl writes: kind → zod schema (whose
 * `schemaVersion` literal is the version this oigctl reads). `report` and `show` read through it.
 */
import type { z } from 'zod'
import { CompareReportSchema } from '../compare/report-schema.js'
import { ContractSchema } from '../contract/schema.js'
import { ContractValidationSchema } from '../contract/validation-schema.js'
import { GateDecisionSchema } from '../gate/gate-schema.js'
import { RollbackRehearsalSchema } from '../gate/rehearsal-schema.js'
import { ReplayTranscriptSchema } from '../replay/transcript-schema.js'
import { SoakReportSchema } from '../soak/report-schema.js'
import { ExtractResultSchema } from '../evidence/schemas/extract-result.js'
import { SessionFixtureSchema } from '../evidence/schemas/session-fixture.js'

export const EVIDENCE_SCHEMAS = {
  'extract-result': ExtractResultSchema,
  session: SessionFixtureSchema,
  contract: ContractSchema,
  'contract-validation': ContractValidationSchema,
  replay: ReplayTranscriptSchema,
  compare: CompareReportSchema,
  soak: SoakReportSchema,
  'rollback-rehearsal': RollbackRehearsalSchema,
  gate: GateDecisionSchema,
} as const satisfies Record<
  string,
  z.ZodObject<{ kind: z.ZodLiteral<string>; schemaVersion: z.ZodLiteral<number> }>
>

export type EvidenceKind = keyof typeof EVIDENCE_SCHEMAS
export type EvidenceDoc<K extends EvidenceKind> = z.infer<(typeof EVIDENCE_SCHEMAS)[K]>

export type EvidenceParse =
  | { readonly status: 'ok'; readonly kind: EvidenceKind; readonly doc: { kind: EvidenceKind } }
  | {
      readonly status: 'unknown-kind' | 'unknown-schema-version' | 'invalid'
      readonly kind: string | null
      readonly problem: string
    }

/** True when `kind` names a document of the registry (own keys only: kinds are untrusted text). */
export function isEvidenceKind(kind: unknown): kind is EvidenceKind {
  return typeof kind === 'string' && Object.hasOwn(EVIDENCE_SCHEMAS, kind)
}

/** Validates a parsed JSON value as one of the registry's documents. */
export function parseEvidenceDocument(value: unknown): EvidenceParse {
  const obj = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  const kind = typeof obj.kind === 'string' ? obj.kind : null
  if (!isEvidenceKind(kind)) {
    return {
      status: 'unknown-kind',
      kind,
      problem: `kind ${JSON.stringify(kind)} is not one this oigctl reads`,
    }
  }
  const schema = EVIDENCE_SCHEMAS[kind]
  const expected = schema.shape.schemaVersion.value
  if (obj.schemaVersion !== expected) {
    return {
      status: 'unknown-schema-version',
      kind,
      problem: `schemaVersion ${JSON.stringify(obj.schemaVersion)} (this oigctl reads ${expected})`,
    }
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return {
      status: 'invalid',
      kind,
      problem: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    }
  }
  return { status: 'ok', kind, doc: parsed.data as { kind: EvidenceKind } }
}
