/**
 * The gate at the I/O edge: the checklist read, the rollback rehearsal when asked (src/rehearse),
 * the evidence folder read through the one registry (src/formats), the decision of src/gate
 * written (src/gate only judges). Every evidence
 * file is checked against its schema; an absent, unreadable, foreign or invalid file becomes a
 * problem value the gate judges, never an exception.
 */
import fs from 'node:fs'
import path from 'node:path'
import { readContract } from '../contract/files.js'
import { OigError, reasonOf } from '../errors.js'
import { writeFilesTogether } from '../evidence/files.js'
import { formatJson } from '../evidence/json-format.js'
import { layout, SOAK_SUFFIX } from '../evidence/layout.js'
import {
  documentOfText,
  readDocument,
  readJsonOrThrow,
  type ReadDocument,
} from '../evidence/read-document.js'
import { EVIDENCE_SCHEMAS } from '../formats/document-kinds.js'
import type { Checklist, EvidenceKind } from '../gate/checklist-schema.js'
import { checkChecklist } from '../gate/checklist.js'
import { evaluateGate } from '../gate/evaluate.js'
import type { EvidenceDocs, EvidenceFile, GateEvidence } from '../gate/evidence.js'
import type { GateDecision } from '../gate/gate-schema.js'
import { gateToJunit } from '../gate/junit.js'
import type { RollbackRehearsal } from '../rehearse/rehearsal-schema.js'
import { rehearseRollback } from '../rehearse/run-rehearse.js'
import { SHIPPED_CONTRACT } from '../shipped.js'
import { GENERATOR } from '../version.js'

const CHECKLIST_HINT =
  'Start from contracts/gate.checklist.json (JSON Schema: contracts/schemas/checklist.schema.json); the mandatory criteria cannot be removed or weakened.'

/**
 * The validated checklist in `file` (`-`: standard input); an unreadable or invalid checklist
 * cannot run the gate: throws OigError (exit 2) naming every problem.
 */
export function readChecklist(file: string): Checklist {
  const { value } = readJsonOrThrow(file, 'checklist', ['CHECKLIST_UNREADABLE'], CHECKLIST_HINT)
  const checked = checkChecklist(value)
  if (checked.ok) return checked.checklist
  throw new OigError(
    'CHECKLIST_INVALID',
    `Failed to use checklist ${file}: ${checked.problems.length} problem(s):\n${checked.problems.map((p) => `  ${p}`).join('\n')}`,
    { hint: CHECKLIST_HINT },
  )
}

/** Reads one evidence file of `kind` by the registry's schema; never throws. */
export function readEvidenceFile<K extends EvidenceKind>(kind: K, file: string): EvidenceFile<K> {
  return evidenceFile(kind, file, readDocument(file, EVIDENCE_SCHEMAS[kind]))
}

function evidenceFile<K extends EvidenceKind>(
  kind: K,
  file: string,
  r: ReadDocument<unknown>,
): EvidenceFile<K> {
  if (!r.ok) return { kind, file, ok: false, problem: r.problem } as EvidenceFile<K>
  return {
    kind,
    file,
    ok: true,
    doc: r.doc as EvidenceDocs[K],
    sha256: r.sha256,
  } as EvidenceFile<K>
}

function readSoakReports(soakDir: string): EvidenceFile<'soak'>[] {
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
  const inDir = layout(dir).contract
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

/**
 * Reads the evidence folder; throws OigError only when the folder itself does not exist.
 * `rehearsalText`: a rehearsal this run made and writes with the decision, judged as its text.
 */
export function loadEvidence(
  dir: string,
  contractFile: string,
  rehearsalText: string | null = null,
): GateEvidence {
  assertEvidenceDir(dir)
  const paths = layout(dir)
  const rehearsal = paths.rollbackRehearsal
  return {
    dir,
    files: {
      contract: readEvidenceFile('contract', contractFile),
      'contract-validation': readEvidenceFile('contract-validation', paths.contractValidation),
      compare: readEvidenceFile('compare', paths.compare),
      'extract-result': readEvidenceFile('extract-result', paths.extractResult),
      'rollback-rehearsal':
        rehearsalText === null
          ? readEvidenceFile('rollback-rehearsal', rehearsal)
          : evidenceFile(
              'rollback-rehearsal',
              rehearsal,
              documentOfText(rehearsalText, EVIDENCE_SCHEMAS['rollback-rehearsal']),
            ),
    },
    soak: readSoakReports(paths.soakDir),
    soakDir: paths.soakDir,
  }
}

export interface GateRunOptions {
  readonly evidence: string
  readonly checklist: string
  /** Contract the evidence refers to; null: `<evidence>/contract.json`, else the shipped one. */
  readonly contract: string | null
  readonly junit: string | null
  readonly rehearse: boolean
  readonly session: string | null
  readonly maxAgeDays: number | null
}

export interface GateRun {
  readonly decision: GateDecision
  readonly rehearsal: RollbackRehearsal | null
  readonly files: string[]
}

/**
 * Rehearses the rollback when asked, evaluates the checklist and writes rollback-rehearsal.json
 * (when rehearsed), gate.json and the JUnit file together: all of them, or none.
 */
export async function runGate(opts: GateRunOptions): Promise<GateRun> {
  const checklist = readChecklist(opts.checklist)
  assertEvidenceDir(opts.evidence)
  const paths = layout(opts.evidence)
  const contractFile = contractFileFor(opts.evidence, opts.contract, SHIPPED_CONTRACT)
  const rehearsal: RollbackRehearsal | null = opts.rehearse
    ? await rehearseRollback({
        evidenceDir: opts.evidence,
        sessionFile: opts.session,
        contract: readContract(contractFile),
      })
    : null
  const rehearsalText = rehearsal === null ? null : formatJson(rehearsal)
  const evidence = loadEvidence(opts.evidence, contractFile, rehearsalText)
  const decision = evaluateGate(checklist, evidence, new Date(), {
    checklistFile: opts.checklist,
    maxAgeDays: opts.maxAgeDays,
    generator: GENERATOR,
  })
  const files = writeFilesTogether([
    ...(rehearsalText === null ? [] : [[paths.rollbackRehearsal, rehearsalText] as const]),
    [paths.gate, formatJson(decision)],
    ...(opts.junit ? [[opts.junit, gateToJunit(decision)] as const] : []),
  ])
  return { decision, rehearsal, files }
}
