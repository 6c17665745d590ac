/**
 * Every path of an evidence folder, named once (pure). `layout(dir)` is what the pipeline
 * writes and what the gate and the report read; see evidence/README.md.
 */
import path from 'node:path'

/** File names under an evidence folder. */
export const EVIDENCE_NAMES = {
  syntheticDb: 'synthetic-capture.db',
  /** extract's fixtures (packs, or version 1 files). */
  sessionsDir: 'sessions',
  /** replay's and compare's transcripts. */
  replayDir: 'replay',
  extractResult: 'extract-result.json',
  contract: 'contract.json',
  contractValidation: 'contract-validation.json',
  compare: 'compare.json',
  compareJunit: 'compare.junit.xml',
  soakDir: 'soak',
  rollbackRehearsal: 'rollback-rehearsal.json',
  gate: 'gate.json',
  gateJunit: 'gate.junit.xml',
  report: 'report.html',
} as const

/** The suffix of a soak report (`<scenario>.soak.json`). */
export const SOAK_SUFFIX = '.soak.json'

/** The paths of the evidence folder `dir`. */
export function layout(dir: string) {
  const at = (name: string): string => path.join(dir, name)
  const soakDir = at(EVIDENCE_NAMES.soakDir)
  return {
    dir,
    syntheticDb: at(EVIDENCE_NAMES.syntheticDb),
    sessionsDir: at(EVIDENCE_NAMES.sessionsDir),
    replayDir: at(EVIDENCE_NAMES.replayDir),
    extractResult: at(EVIDENCE_NAMES.extractResult),
    contract: at(EVIDENCE_NAMES.contract),
    contractValidation: at(EVIDENCE_NAMES.contractValidation),
    compare: at(EVIDENCE_NAMES.compare),
    compareJunit: at(EVIDENCE_NAMES.compareJunit),
    soakDir,
    soakFile: (scenario: string): string => path.join(soakDir, `${scenario}${SOAK_SUFFIX}`),
    rollbackRehearsal: at(EVIDENCE_NAMES.rollbackRehearsal),
    gate: at(EVIDENCE_NAMES.gate),
    gateJunit: at(EVIDENCE_NAMES.gateJunit),
    report: at(EVIDENCE_NAMES.report),
  }
}

export type EvidenceLayout = ReturnType<typeof layout>
