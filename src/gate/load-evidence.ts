/**
 * Reads an evidence folder for the gate (I/O edge). Every file is checked against its zod schema;
 * an absent, unreadable, foreign or invalid file becomes a problem value, never an exception.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { z } from 'zod'
import { CompareReportSchema } from '../compare/report-schema.js'
import { ContractSchema } from '../contract/schema.js'
import { ContractValidationSchema } from '../contract/validation-schema.js'
import { OigError, reasonOf } from '../errors.js'
import { EVIDENCE_NAMES, SOAK_SUFFIX } from '../evidence/layout.js'
import { readDocument, type KindSchema } from '../evidence/read-document.js'
import { ExtractResultSchema } from '../evidence/schemas/extract-result.js'
import { SoakReportSchema } from '../soak/report-schema.js'
import type { EvidenceKind } from './checklist-schema.js'
import type { EvidenceDocs, EvidenceFile, GateEvidence } from './evidence.js'
import { RollbackRehearsalSchema } from './rehearsal-schema.js'

/** Default file names under the evidence folder. */
export const EVIDENCE_FILE_NAMES = {
  contract: EVIDENCE_NAMES.contract,
  'contract-validation': EVIDENCE_NAMES.contractValidation,
  compare: EVIDENCE_NAMES.compare,
  'extract-result': EVIDENCE_NAMES.extractResult,
  'rollback-rehearsal': EVIDENCE_NAMES.rollbackRehearsal,
} as const satisfies Record<Exclude<EvidenceKind, 'soak'>, string>

export const SOAK_DIR = EVIDENCE_NAMES.soakDir
export const GATE_FILE_NAME = EVIDENCE_NAMES.gate

const SCHEMAS = {
  contract: ContractSchema,
  'contract-validation': ContractValidationSchema,
  compare: CompareReportSchema,
  soak: SoakReportSchema,
  'extract-result': ExtractResultSchema,
  'rollback-rehearsal': RollbackRehearsalSchema,
} as const satisfies { [K in EvidenceKind]: z.ZodType<EvidenceDocs[K]> & KindSchema }

/** Reads one evidence file of `kind`; never throws. */
export function readEvidenceFile<K extends EvidenceKind>(kind: K, file: string): EvidenceFile<K> {
  const r = readDocument(file, SCHEMAS[kind])
  if (!r.ok) return { kind, file, ok: false, problem: r.problem } as EvidenceFile<K>
  return {
    kind,
    file,
    ok: true,
    doc: r.doc as EvidenceDocs[K],
    sha256: r.sha256,
  } as EvidenceFile<K>
}

function readSoakReports(dir: string): EvidenceFile<'soak'>[] {
  const soakDir = path.join(dir, SOAK_DIR)
  let names: string[]
  try {
    names = fs.readdirSync(soakDir)
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return []
    const message = `unreadable: ${reasonOf(error)}`
    return [{ kind: 'soak', file: soakDir, ok: false, problem: { code: 'unreadable', message } }]
  }
  return names
    .filter((n) => n.endsWith(SOAK_SUFFIX))
    .sort()
    .map((n) => readEvidenceFile('soak', path.join(soakDir, n)))
}

/** The contract the evidence refers to: `--contract`, else `<dir>/contract.json`, else the shipped one. */
export function contractFileFor(dir: string, explicit: string | null, shipped: string): string {
  if (explicit) return explicit
  const inDir = path.join(dir, EVIDENCE_FILE_NAMES.contract)
  return fs.existsSync(inDir) ? inDir : shipped
}

/** Throws OigError (could not run) when the evidence folder does not exist. */
export function assertEvidenceDir(dir: string): void {
  let isDir = false
  try {
    isDir = fs.statSync(dir).isDirectory()
  } catch {
    isDir = false
  }
  if (!isDir)
    throw new OigError(
      'EVIDENCE_NOT_FOUND',
      `Failed to read evidence folder ${dir}: no such folder.`,
      {
        hint: 'Pass --evidence with the folder extract, contract validate, compare and soak wrote to.',
      },
    )
}

/** Reads the evidence folder; throws OigError only when the folder itself does not exist. */
export function loadEvidence(dir: string, contractFile: string): GateEvidence {
  assertEvidenceDir(dir)
  const at = <K extends Exclude<EvidenceKind, 'soak' | 'contract'>>(kind: K): EvidenceFile<K> =>
    readEvidenceFile(kind, path.join(dir, EVIDENCE_FILE_NAMES[kind]))
  return {
    dir,
    files: {
      contract: readEvidenceFile('contract', contractFile),
      'contract-validation': at('contract-validation'),
      compare: at('compare'),
      'extract-result': at('extract-result'),
      'rollback-rehearsal': at('rollback-rehearsal'),
    },
    soak: readSoakReports(dir),
    soakDir: path.join(dir, SOAK_DIR),
  }
}
