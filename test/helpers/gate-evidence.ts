/**
 * Evidence folders for gate tests: a complete passing set of documents (gate-docs.ts), the same
 * in memory as the loader returns it, written to a temp folder, and the decision helpers the
 * evaluate tests share.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CompareReport } from '../../src/compare/report-schema.js'
import type { Contract } from '../../src/contract/schema.js'
import type { ContractValidation } from '../../src/contract/validation-schema.js'
import type { ExtractResult } from '../../src/evidence/schemas/extract-result.js'
import type { Checklist, EvidenceKind } from '../../src/gate/checklist-schema.js'
import { checkChecklist } from '../../src/gate/checklist.js'
import { evaluateGate, type EvaluateOptions } from '../../src/gate/evaluate.js'
import type { EvidenceDocs, EvidenceFile, GateEvidence } from '../../src/gate/evidence.js'
import { GateDecisionSchema, type GateDecision } from '../../src/gate/gate-schema.js'
import type { RollbackRehearsal } from '../../src/rehearse/rehearsal-schema.js'
import { SOAK_SCENARIOS, type SoakReport } from '../../src/soak/report-schema.js'
import { REPO_ROOT } from './cli.js'
import {
  compareDoc,
  CONTRACT_TEXT,
  extractDoc,
  NOW,
  rehearsalDoc,
  soakDoc,
  validationDoc,
  YESTERDAY,
} from './gate-docs.js'

/** Every evidence document of a complete folder, by kind (soak: one per scenario). */
export interface EvidenceSet {
  contract: string
  'contract-validation': ContractValidation
  compare: CompareReport
  soak: SoakReport[]
  'extract-result': ExtractResult
  'rollback-rehearsal': RollbackRehearsal
}

/** A complete, passing evidence set, generated at `generatedAt` (default: the day before NOW). */
export function completeSet(generatedAt = YESTERDAY): EvidenceSet {
  return {
    contract: CONTRACT_TEXT,
    'contract-validation': validationDoc({ generatedAt }),
    compare: compareDoc({ generatedAt }),
    soak: SOAK_SCENARIOS.map((s) => soakDoc(s, { generatedAt })),
    'extract-result': extractDoc({ generatedAt }),
    'rollback-rehearsal': rehearsalDoc({ generatedAt }),
  }
}

const FILE = {
  contract: 'contract.json',
  'contract-validation': 'contract-validation.json',
  compare: 'compare.json',
  'extract-result': 'extract-result.json',
  'rollback-rehearsal': 'rollback-rehearsal.json',
} as const

/** In-memory evidence as the loader would return it (`null`: that file is absent). */
export function memoryEvidence(set: MaybeSet, dir = '/ev'): GateEvidence {
  const sha = (text: string): string => createHash('sha256').update(text).digest('hex')
  const file = <K extends Exclude<EvidenceKind, 'soak'>>(
    kind: K,
    doc: EvidenceDocs[K] | null,
    text?: string,
  ): EvidenceFile<K> =>
    doc === null
      ? {
          kind,
          file: `${dir}/${FILE[kind]}`,
          ok: false,
          problem: { code: 'missing', message: 'absent' },
        }
      : {
          kind,
          file: `${dir}/${FILE[kind]}`,
          ok: true,
          doc,
          sha256: sha(text ?? JSON.stringify(doc)),
        }
  return {
    dir,
    files: {
      contract: file(
        'contract',
        set.contract === null ? null : (JSON.parse(set.contract) as Contract),
        set.contract ?? '',
      ),
      'contract-validation': file('contract-validation', set['contract-validation']),
      compare: file('compare', set.compare),
      'extract-result': file('extract-result', set['extract-result']),
      'rollback-rehearsal': file('rollback-rehearsal', set['rollback-rehearsal']),
    },
    soak: (set.soak ?? []).map((doc) => ({
      kind: 'soak',
      file: `${dir}/soak/${doc.scenario}.soak.json`,
      ok: true,
      doc,
      sha256: sha(JSON.stringify(doc)),
    })),
    soakDir: `${dir}/soak`,
  }
}

/** Writes the set into an evidence folder the way the commands do (null: leave that file out). */
export function writeEvidence(dir: string, set: MaybeSet): void {
  mkdirSync(join(dir, 'soak'), { recursive: true })
  const put = (name: string, value: unknown): void =>
    writeFileSync(
      join(dir, name),
      typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`,
    )
  for (const kind of Object.keys(FILE) as Array<keyof typeof FILE>) {
    const value = set[kind]
    if (value !== null) put(FILE[kind], value)
  }
  for (const s of set.soak ?? []) put(join('soak', `${s.scenario}.soak.json`), s)
}

/** The shipped checklist as JSON (for edits) and validated. */
export const shippedChecklistJson = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(REPO_ROOT, 'contracts', 'gate.checklist.json'), 'utf8')) as Record<
    string,
    unknown
  >

export function shippedChecklist(): Checklist {
  const r = checkChecklist(shippedChecklistJson())
  if (!r.ok) throw new Error(r.problems.join('\n'))
  return r.checklist
}

/** An evidence set where any file may be absent (null). */
export type MaybeSet = { [K in keyof EvidenceSet]: EvidenceSet[K] | null }

/** The complete set with one change. */
export function changed(change: (s: MaybeSet) => void): MaybeSet {
  const s: MaybeSet = completeSet()
  change(s)
  return s
}

/** The shipped checklist's decision on the set at NOW (schema-checked). */
export const decide = (set: MaybeSet, opts: EvaluateOptions = {}): GateDecision =>
  GateDecisionSchema.parse(evaluateGate(shippedChecklist(), memoryEvidence(set), NOW, opts))

/** Blocking criteria and their status. */
export const blocking = (d: GateDecision): Record<string, string> =>
  Object.fromEntries(d.blocking.map((b) => [b.id, b.status]))

/** The reasons of one criterion, one per line. */
export const reasonsOf = (d: GateDecision, id: string): string =>
  d.criteria.find((c) => c.id === id)!.reasons.join('\n')
