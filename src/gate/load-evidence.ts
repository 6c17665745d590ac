/**
 * Reads an evidence folder for the gate (I/O edge). Every file is checked against its zod schema;
 * an absent, unreadable, foreign or invalid file becomes a problem value, never an exception.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { z } from 'zod'
import { CompareReportSchema } from '../compare/report-schema.js'
import { CONTRACT_SCHEMA_VERSION, ContractSchema } from '../contract/schema.js'
import { ContractValidationSchema } from '../contract/validation-schema.js'
import { OigError, reasonOf } from '../errors.js'
import { ExtractResultSchema } from '../evidence/schemas/extract-result.js'
import { SoakReportSchema } from '../soak/report-schema.js'
import type { EvidenceKind } from './checklist-schema.js'
import type { EvidenceDocs, EvidenceFile, GateEvidence } from './evidence.js'
import { RollbackRehearsalSchema } from './rehearsal-schema.js'

/** Default file names under the evidence folder. */
export const EVIDENCE_FILE_NAMES = {
  contract: 'contract.json',
  'contract-validation': 'contract-validation.json',
  compare: 'compare.json',
  'extract-result': 'extract-result.json',
  'rollback-rehearsal': 'rollback-rehearsal.json',
} as const satisfies Record<Exclude<EvidenceKind, 'soak'>, string>

export const SOAK_DIR = 'soak'
export const GATE_FILE_NAME = 'gate.json'

const SCHEMAS: { [K in EvidenceKind]: z.ZodType<EvidenceDocs[K]> } = {
  contract: ContractSchema,
  'contract-validation': ContractValidationSchema,
  compare: CompareReportSchema,
  soak: SoakReportSchema,
  'extract-result': ExtractResultSchema,
  'rollback-rehearsal': RollbackRehearsalSchema,
}

/** The schemaVersion this oigctl reads, per kind (all evidence formats are at version 1). */
const SCHEMA_VERSIONS = {
  contract: CONTRACT_SCHEMA_VERSION,
  'contract-validation': 1,
  compare: 1,
  soak: 1,
  'extract-result': 1,
  'rollback-rehearsal': 1,
} as const satisfies Record<EvidenceKind, number>

/** Reads one evidence file of `kind`; never throws. */
export function readEvidenceFile<K extends EvidenceKind>(kind: K, file: string): EvidenceFile<K> {
  const problem = (
    code: Extract<EvidenceFile, { ok: false }>['problem']['code'],
    message: string,
  ) => ({ kind, file, ok: false, problem: { code, message } }) as const
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return problem('missing', 'absent')
    return problem('unreadable', `unreadable: ${reasonOf(error)}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return problem('not-json', `not JSON: ${reasonOf(error)}`)
  }
  const head = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>
  if (head.kind !== kind)
    return problem('wrong-kind', `kind is ${JSON.stringify(head.kind)}, expected "${kind}"`)
  if (head.schemaVersion !== SCHEMA_VERSIONS[kind])
    return problem(
      'unknown-schema-version',
      `unknown schemaVersion ${JSON.stringify(head.schemaVersion)} (this oigctl reads ${SCHEMA_VERSIONS[kind]})`,
    )
  const parsed = SCHEMAS[kind].safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    const more = parsed.error.issues.length > 3 ? ` (+${parsed.error.issues.length - 3} more)` : ''
    return problem('invalid', `does not match the ${kind} schema: ${issues.join('; ')}${more}`)
  }
  const sha256 = createHash('sha256').update(text).digest('hex')
  return { kind, file, ok: true, doc: parsed.data, sha256 }
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
    .filter((n) => n.endsWith('.soak.json'))
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
