/**
 * The evidence the gate reads, as values (pure types): each file either parsed against its zod
 * schema or a problem — absent, unreadable, not JSON, another kind, an unknown schemaVersion or
 * invalid. Nothing here throws; the evaluation turns every problem into a failed criterion.
 */
import type { CompareReport } from '../compare/report-schema.js'
import type { Contract } from '../contract/schema.js'
import type { ContractValidation } from '../contract/validation-schema.js'
import type { DocumentProblemCode } from '../evidence/read-document.js'
import type { ExtractResult } from '../evidence/schemas/extract-result.js'
import type { SoakReport } from '../soak/report-schema.js'
import type { EvidenceKind } from './checklist-schema.js'
import type { RollbackRehearsal } from '../rehearse/rehearsal-schema.js'

export interface EvidenceDocs {
  contract: Contract
  'contract-validation': ContractValidation
  compare: CompareReport
  soak: SoakReport
  'extract-result': ExtractResult
  'rollback-rehearsal': RollbackRehearsal
}

export type EvidenceProblemCode = DocumentProblemCode

export type EvidenceFile<K extends EvidenceKind = EvidenceKind> =
  | {
      readonly kind: K
      readonly file: string
      readonly ok: true
      readonly doc: EvidenceDocs[K]
      /** sha256 of the file's text (the contract's identity in other evidence). */
      readonly sha256: string
    }
  | {
      readonly kind: K
      readonly file: string
      readonly ok: false
      readonly problem: { readonly code: EvidenceProblemCode; readonly message: string }
    }

type Single = Exclude<EvidenceKind, 'soak'>

/** Everything in an evidence folder the gate looks at. */
export interface GateEvidence {
  readonly dir: string
  readonly files: { readonly [K in Single]: EvidenceFile<K> }
  /** Every `soak/*.soak.json` (empty when there is none). */
  readonly soak: readonly EvidenceFile<'soak'>[]
  /** The folder of the soak reports (`<scenario>.soak.json`). */
  readonly soakDir: string
}

/** The files of one evidence kind (one, or the soak reports). */
type Ok<K extends EvidenceKind> = Extract<EvidenceFile<K>, { ok: true }>

/** The valid documents a criterion reads, by kind (soak: every report). */
export interface CriterionDocs {
  readonly single: { readonly [K in Exclude<EvidenceKind, 'soak'>]?: Ok<K> }
  readonly soak: readonly Ok<'soak'>[]
}

export function filesOf(e: GateEvidence, kind: EvidenceKind): readonly EvidenceFile[] {
  return kind === 'soak' ? e.soak : [e.files[kind]]
}

/** The generation time of an evidence document (the contract has none). */
export function generatedAtOf(f: EvidenceFile): string | null {
  return f.ok && 'generatedAt' in f.doc ? f.doc.generatedAt : null
}
