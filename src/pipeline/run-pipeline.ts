/**
 * The main job end to end: (simulate →) extract → contract derive → contract validate → compare
 * (online, mock, offline, hybrid, legacy) → soak → gate, every step writing its evidence under one
 * folder. Each step's outcome is recorded; a step that cannot run stops the pipeline.
 */
import fs from 'node:fs'
import path from 'node:path'
import { runCompare } from '../compare/run-compare.js'
import type { CompareReport } from '../compare/report-schema.js'
import { deriveContract, readContract, writeContract } from '../contract/run-derive.js'
import { runValidate } from '../contract/run-validate.js'
import type { ContractValidation } from '../contract/validation-schema.js'
import { writeJsonAtomic } from '../evidence/files.js'
import type { ExtractResult } from '../evidence/schemas/extract-result.js'
import { runExtract } from '../extract/run-extract.js'
import { writeSyntheticDb } from '../simulate/synthetic-db.js'
import { DEFAULT_SESSION_GAP_MS } from '../capture/sessions.js'

export interface PipelineOptions {
  /** Capture DBs; none means a built-in synthetic capture. */
  readonly dbs: readonly string[]
  readonly out: string
  readonly seed: number
  readonly days: number
  /** Sessions compared besides those holding a setting handshake. */
  readonly compareSessions: number
  readonly targets: readonly string[]
  /** Extra steps (soak, gate) plugged in by the caller. */
  readonly after?: ReadonlyArray<PipelineStepRunner>
}

export interface PipelineStep {
  readonly name: string
  readonly ok: boolean
  readonly summary: string
  readonly evidence: string | null
}

export type PipelineStepRunner = (ctx: PipelineContext) => Promise<PipelineStep>

export interface PipelineContext {
  readonly out: string
  readonly contractFile: string
  readonly sessionFixtures: readonly string[]
  readonly synthetic: boolean
  progress(text: string): void
}

export interface PipelineResult {
  kind: 'pipeline'
  schemaVersion: 1
  synthetic: boolean
  out: string
  steps: PipelineStep[]
  extract: ExtractResult
  validation: ContractValidation
  compare: CompareReport
}

export async function runPipeline(
  opts: PipelineOptions,
  progress: (text: string) => void = () => undefined,
): Promise<PipelineResult> {
  fs.mkdirSync(opts.out, { recursive: true })
  const steps: PipelineStep[] = []
  let dbs = [...opts.dbs]
  const synthetic = dbs.length === 0
  if (synthetic) {
    const db = path.join(opts.out, 'synthetic-capture.db')
    progress(`simulate: a SYNTHETIC capture (seed ${opts.seed}, ${opts.days} day(s)) → ${db}`)
    const sim = await writeSyntheticDb({ out: db, seed: opts.seed, days: opts.days, force: true })
    steps.push({
      name: 'simulate',
      ok: true,
      summary: `SYNTHETIC: ${sim.rows} rows, ${sim.sessions} sessions, ${sim.settingHandshakes} setting handshakes`,
      evidence: db,
    })
    dbs = [db]
  }

  progress('extract: sessions, classes, integrity')
  const extract = await runExtract({
    dbs,
    sessionFiles: [],
    out: opts.out,
    select: 'all',
    from: null,
    to: null,
    conn: null,
    sessionGapS: DEFAULT_SESSION_GAP_MS / 1000,
  })
  const f = extract.totals.findings
  steps.push({
    name: 'extract',
    ok: f.error === 0,
    summary: `${extract.totals.framesRead} frames, ${extract.totals.sessionsRead} sessions, findings ${f.error} error / ${f.warning} warning`,
    evidence: path.join(opts.out, 'extract-result.json'),
  })

  progress('contract derive')
  const contractFile = path.join(opts.out, 'contract.json')
  const contract = await deriveContract({
    dbs,
    sessionFiles: [],
    version: '1.0.0',
    maxCitations: 5,
  })
  writeContract(contractFile, contract)
  steps.push({
    name: 'contract derive',
    ok: true,
    summary: `${contract.transitions.length} transitions from ${contract.totals.pairs} request/reply pairs${contract.synthetic ? ' (SYNTHETIC inputs)' : ''}`,
    evidence: contractFile,
  })

  progress('contract validate')
  const validation = await runValidate({
    contract: contractFile,
    dbs,
    sessionFiles: [],
    strict: true,
  })
  writeJsonAtomic(path.join(opts.out, 'contract-validation.json'), validation)
  steps.push({
    name: 'contract validate',
    ok: validation.verdict === 'valid',
    summary: `${validation.verdict}: ${validation.counts.supported}/${validation.counts.rows} rows supported, ${validation.counts.missing} missing`,
    evidence: path.join(opts.out, 'contract-validation.json'),
  })

  const withHandshake = extract.sessions.filter((s) => s.settingHandshakes > 0 && s.fixture)
  const others = extract.sessions
    .filter(
      (s) => s.settingHandshakes === 0 && s.fixture && s.classes.some((c) => c.startsWith('box.')),
    )
    .slice(0, opts.compareSessions)
  const sessionFixtures = [...withHandshake, ...others].map((s) => path.join(opts.out, s.fixture!))
  progress(`compare: ${sessionFixtures.length} session(s) × ${opts.targets.join(', ')}`)
  const { text } = readContract(contractFile)
  const compare = await runCompare(
    {
      sessions: sessionFixtures,
      targets: opts.targets,
      contract,
      contractFile,
      contractText: text,
      online: null,
      allowRemote: false,
      pacing: { speed: 1, maxSpeed: true, replyTimeoutMs: 2000, holdAfterS: 0 },
      extraSettings: [],
      strictTiming: false,
      out: opts.out,
      junit: path.join(opts.out, 'compare.junit.xml'),
    },
    progress,
  )
  const bad = compare.targets.filter((t) => t.verdict === 'FAIL').map((t) => t.name)
  steps.push({
    name: 'compare',
    ok: compare.targets.filter((t) => t.name !== 'legacy').every((t) => t.verdict !== 'FAIL'),
    summary:
      compare.targets.map((t) => `${t.name} ${t.verdict}`).join(', ') +
      (bad.length ? ` (failing: ${bad.join(', ')})` : ''),
    evidence: path.join(opts.out, 'compare.json'),
  })

  const ctx: PipelineContext = { out: opts.out, contractFile, sessionFixtures, synthetic, progress }
  for (const run of opts.after ?? []) steps.push(await run(ctx))
  const result: PipelineResult = {
    kind: 'pipeline',
    schemaVersion: 1,
    synthetic,
    out: opts.out,
    steps,
    extract,
    validation,
    compare,
  }
  return result
}
