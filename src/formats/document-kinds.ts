/**
 * The one registry of the evidence documents oigctl writes: kind → zod schema (whose
 * `schemaVersion` literal is the version this oigctl reads; checkDocument is the one rule that
 * accepts it). `report`, `show` and the gate's run read through it. It sits above the domain and
 * imports every domain schema; nothing in the domain imports it.
 */
import type { z } from 'zod'
import {
  checkDocument,
  readJson,
  type DocumentProblemCode,
  type JsonText,
  type KindSchema,
} from '../evidence/read-document.js'
import { CompareReportSchema } from '../compare/report-schema.js'
import { ContractSchema } from '../contract/schema.js'
import { ContractValidationSchema } from '../contract/validation-schema.js'
import { GateDecisionSchema } from '../gate/gate-schema.js'
import { RollbackRehearsalSchema } from '../rehearse/rehearsal-schema.js'
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
} as const satisfies Record<string, KindSchema>

export type EvidenceKind = keyof typeof EVIDENCE_SCHEMAS
export type EvidenceDoc<K extends EvidenceKind> = z.infer<(typeof EVIDENCE_SCHEMAS)[K]>

/** Why a document is not one of the kinds asked for: a read problem, or a kind outside the set. */
export interface KnownDocumentProblem {
  readonly code: DocumentProblemCode | 'unknown-kind'
  readonly message: string
}

/** A document of one of `K`, its kind beside it (so that a switch on `kind` narrows `doc`). */
export type KnownDocument<K extends EvidenceKind = EvidenceKind> = {
  [P in K]: { readonly kind: P; readonly doc: EvidenceDoc<P> }
}[K]

export type CheckedDocument<K extends EvidenceKind> =
  | ({ readonly ok: true } & KnownDocument<K>)
  | { readonly ok: false; readonly kind: string | null; readonly problem: KnownDocumentProblem }

export type ReadKnownDocument<K extends EvidenceKind> =
  | ({ readonly ok: true; readonly text: string; readonly sha256: string } & KnownDocument<K>)
  | { readonly ok: false; readonly kind: string | null; readonly problem: KnownDocumentProblem }

/** Every kind of the registry, in its order. */
export const EVIDENCE_KINDS = Object.keys(EVIDENCE_SCHEMAS) as EvidenceKind[]

/** True when `kind` names a document of the registry (own keys only: kinds are untrusted text). */
export function isEvidenceKind(kind: unknown): kind is EvidenceKind {
  return typeof kind === 'string' && Object.hasOwn(EVIDENCE_SCHEMAS, kind)
}

/**
 * Checks a parsed JSON value as a document of one of `kinds` (default: every kind of the
 * registry), by the one rule of checkDocument: its kind, then its schemaVersion, then its schema.
 */
export function checkKnownDocument<K extends EvidenceKind = EvidenceKind>(
  value: unknown,
  kinds: readonly K[] = EVIDENCE_KINDS as K[],
): CheckedDocument<K> {
  const head = typeof value === 'object' && value !== null ? (value as { kind?: unknown }) : {}
  const kind = typeof head.kind === 'string' ? head.kind : null
  if (!isEvidenceKind(kind) || !(kinds as readonly string[]).includes(kind))
    return {
      ok: false,
      kind,
      problem: {
        code: 'unknown-kind',
        message: `kind ${JSON.stringify(kind)} is not one this oigctl reads`,
      },
    }
  const checked = checkDocument(value, EVIDENCE_SCHEMAS[kind])
  if (!checked.ok) return { ok: false, kind, problem: checked.problem }
  return { ok: true, kind, doc: checked.doc } as CheckedDocument<K>
}

/** Checks parsed JSON text (a file's or standard input's) as one of `kinds`, keeping its text and sha256. */
export function checkKnownJson<K extends EvidenceKind = EvidenceKind>(
  json: JsonText,
  kinds?: readonly K[],
): ReadKnownDocument<K> {
  const checked = checkKnownDocument(json.value, kinds)
  if (!checked.ok) return checked
  return { ...checked, text: json.text, sha256: json.sha256 }
}

/** Reads `file` as a document of one of `kinds`; every problem is a value, never an exception. */
export function readKnownDocument<K extends EvidenceKind = EvidenceKind>(
  file: string,
  kinds?: readonly K[],
): ReadKnownDocument<K> {
  const read = readJson(file)
  if (!read.ok) return { ok: false, kind: null, problem: read.problem }
  return checkKnownJson(read.json, kinds)
}
