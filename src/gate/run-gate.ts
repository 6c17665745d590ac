/** The gate at the I/O edge: optional rollback rehearsal, evidence read, decision written. */
import { SHIPPED_CONTRACT } from '../shipped.js'
import path from 'node:path'
import { writeFileAtomic, writeJsonAtomic } from '../evidence/files.js'
import { GENERATOR } from '../version.js'
import { evaluateGate } from './evaluate.js'
import type { GateDecision } from './gate-schema.js'
import { gateToJunit } from './junit.js'
import {
  assertEvidenceDir,
  contractFileFor,
  EVIDENCE_FILE_NAMES,
  GATE_FILE_NAME,
  loadEvidence,
} from './load-evidence.js'
import { readChecklist } from './read-checklist.js'
import { rehearseRollback } from './rehearse.js'
import type { RollbackRehearsal } from './rehearsal-schema.js'

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

/** Rehearses the rollback when asked, evaluates the checklist and writes gate.json (and JUnit). */
export async function runGate(opts: GateRunOptions): Promise<GateRun> {
  const checklist = readChecklist(opts.checklist)
  assertEvidenceDir(opts.evidence)
  const contractFile = contractFileFor(opts.evidence, opts.contract, SHIPPED_CONTRACT)
  const files: string[] = []
  let rehearsal: RollbackRehearsal | null = null
  if (opts.rehearse) {
    rehearsal = await rehearseRollback({
      evidenceDir: opts.evidence,
      sessionFile: opts.session,
      contractFile,
    })
    const file = path.join(opts.evidence, EVIDENCE_FILE_NAMES['rollback-rehearsal'])
    writeJsonAtomic(file, rehearsal)
    files.push(file)
  }
  const decision = evaluateGate(checklist, loadEvidence(opts.evidence, contractFile), new Date(), {
    checklistFile: opts.checklist,
    maxAgeDays: opts.maxAgeDays,
    generator: GENERATOR,
  })
  const gateFile = path.join(opts.evidence, GATE_FILE_NAME)
  writeJsonAtomic(gateFile, decision)
  files.push(gateFile)
  if (opts.junit) {
    writeFileAtomic(opts.junit, gateToJunit(decision))
    files.push(opts.junit)
  }
  return { decision, rehearsal, files }
}
