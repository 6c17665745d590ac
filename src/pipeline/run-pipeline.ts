/**
 * The main job end to end: (simulate →) extract → contract derive → contract validate → compare
 * (online, mock, offline, hybrid, legacy) → soak (five scenarios) → gate with a rollback rehearsal,
 * every step writing its evidence under one folder. A step that cannot run stops the pipeline.
 */
import fs from 'node:fs'
import path from 'node:path'
import { runCompare } from '../compare/run-compare.js'
import type { CompareReport } from '../compare/report-schema.js'
import { readContract, writeContract } from '../contract/files.js'
import { deriveContract } from '../contract/run-derive.js'
import { runValidate } from '../contract/run-validate.js'
import type { ContractValidation } from '../contract/validation-schema.js'
import { layout } from '../evidence/layout.js'
import { writeJsonAtomic } from '../evidence/files.js'
import type { ExtractResult } from '../evidence/schemas/extract-result.js'
import { runExtract } from '../extract/run-extract.js'
import { writeSyntheticDb } from '../simulate/synthetic-db.js'
import { DEFAULT_SESSION_GAP_MS } from '../capture/sessions.js'
import type { GateDecision } from '../gate/gate-schema.js'
import { runGate } from './run-gate.js'
import { writeReport } from '../report/files.js'
import type { ProgressTick } from '../progress.js'
import { SOAK_SCENARIOS } from '../soak/report-schema.js'
import { loadSoakSessions, runSoak, writeSoakReports } from '../soak/run-soak.js'

export interface PipelineOptions {
  /** Capture DBs; none means a built-in synthetic capture. */
  readonly dbs: readonly string[]
  /** Pairs files (class-level evidence) for the derive and validate steps. */
  readonly pairs?: readonly string[]
  readonly out: string
  readonly seed: number
  readonly days: number
  /** Sessions compared besides those holding a setting handshake. */
  readonly compareSessions: number
  readonly targets: readonly string[]
  /** Simulated soak duration (s) and time scale; the five scenarios run side by side. */
  readonly soakDurationS: number
  readonly soakTimeScale: number
  /** The checklist the gate applies. */
  readonly checklist: string
}

export interface PipelineStep {
  readonly name: string
  readonly ok: boolean
  readonly summary: string
  readonly evidence: string | null
}

export interface PipelineResult {
  kind: 'pipeline'
  schemaVersion: 1
  synthetic: boolean
  out: string
  steps: PipelineStep[]
  decision: GateDecision['decision']
  /**
   * The exit code: on real captures the gate's (0 REMOVE, 1 KEEP; failing non-mandatory criteria
   * do not change it); on the built-in synthetic capture, where the decision is always KEEP, 0
   * when every other step passed, else 1. (2, could not run, is an error, not a result.)
   */
  exitCode: 0 | 1
  /** The HTML report of all the evidence. */
  report: string
  blocking: string[]
  /** The gate's blocking criteria (and the failing non-mandatory ones), reasons and fixes. */
  gate: {
    decision: GateDecision['decision']
    summary: string
    blocking: Array<{ id: string; status: string; reasons: string[]; fix: string[] }>
    notBlocking: Array<{ id: string; status: string; reasons: string[]; fix: string[] }>
  }
  evidence: {
    extract: ExtractResult['totals']
    validation: ContractValidation['counts']
    compare: CompareReport['targets']
    soak: Array<{ scenario: string; pass: boolean; reasons: string[] }>
  }
}

/** See PipelineResult.exitCode. */
export function pipelineExitCode(
  synthetic: boolean,
  steps: readonly PipelineStep[],
  decision: GateDecision['decision'],
): 0 | 1 {
  if (!synthetic) return decision === 'REMOVE' ? 0 : 1
  return steps.filter((s) => s.name !== 'gate').every((s) => s.ok) ? 0 : 1
}

/** ` — why: a; b (+N more)` for a failing step's summary line, '' when nothing failed. */
export function whyFailed(reasons: readonly string[], max = 3): string {
  if (reasons.length === 0) return ''
  const more = reasons.length > max ? ` (+${reasons.length - max} more)` : ''
  return ` — why: ${reasons.slice(0, max).join('; ')}${more}`
}

export async function runPipeline(
  opts: PipelineOptions,
  progress: (p: ProgressTick | string) => void = () => undefined,
): Promise<PipelineResult> {
  fs.mkdirSync(opts.out, { recursive: true })
  const paths = layout(opts.out)
  const steps: PipelineStep[] = []
  let dbs = [...opts.dbs]
  const synthetic = dbs.length === 0
  if (synthetic) {
    const db = paths.syntheticDb
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
  const extract = await runExtract(
    {
      dbs,
      sessionFiles: [],
      out: opts.out,
      select: 'all',
      from: null,
      to: null,
      conn: null,
      sessionGapS: DEFAULT_SESSION_GAP_MS / 1000,
    },
    progress,
  )
  const f = extract.totals.findings
  steps.push({
    name: 'extract',
    ok: f.error === 0,
    summary: `${extract.totals.framesRead} frames, ${extract.totals.sessionsRead} sessions, findings ${f.error} error / ${f.warning} warning${whyFailed(extract.findings.filter((x) => x.severity === 'error').map((x) => `${x.code} ${x.session}${x.frameId === null ? '' : ` row ${x.frameId}`}`))}`,
    evidence: paths.extractResult,
  })

  progress('contract derive')
  const contractFile = paths.contract
  const contract = await deriveContract(
    {
      dbs,
      sessionFiles: [],
      pairs: opts.pairs ?? [],
      version: '1.0.0',
      maxCitations: 5,
    },
    progress,
  )
  writeContract(contractFile, contract)
  steps.push({
    name: 'contract derive',
    ok: true,
    summary: `${contract.transitions.length} transitions from ${contract.totals.pairs} request/reply pairs${contract.synthetic ? ' (SYNTHETIC inputs)' : ''}`,
    evidence: contractFile,
  })

  progress('contract validate')
  // The contract as written, read once: validate, compare and soak cite its file and sha256.
  const loaded = readContract(contractFile)
  const validation = await runValidate(
    { contract: loaded, dbs, sessionFiles: [], pairs: opts.pairs ?? [], strict: true },
    progress,
  )
  writeJsonAtomic(paths.contractValidation, validation)
  steps.push({
    name: 'contract validate',
    ok: validation.verdict === 'valid',
    summary: `${validation.verdict}: ${validation.counts.supported}/${validation.counts.rows} rows supported, ${validation.counts.missing} missing${validation.verdict === 'valid' ? '' : whyFailed(validation.problems.filter((p) => p.severity === 'error').map((p) => p.message))}`,
    evidence: paths.contractValidation,
  })

  const acked = new Set(
    extract.settingHandshakes.filter((h) => h.ackId !== null).map((h) => h.session),
  )
  const withHandshake = extract.sessions.filter((s) => acked.has(s.id) && s.fixture)
  const others = extract.sessions
    .filter(
      (s) => s.settingHandshakes === 0 && s.fixture && s.classes.some((c) => c.startsWith('box.')),
    )
    .slice(0, opts.compareSessions)
  const sessionFixtures = [...withHandshake, ...others].map((s) => path.join(opts.out, s.fixture!))
  progress(`compare: ${sessionFixtures.length} session(s) × ${opts.targets.join(', ')}`)
  const compare = await runCompare(
    {
      sessions: sessionFixtures,
      targets: opts.targets,
      contract: loaded,
      online: null,
      allowRemote: false,
      pacing: { speed: 1, maxSpeed: true, replyTimeoutMs: 2000, holdAfterS: 0 },
      extraSettings: [],
      strictTiming: false,
      failOn: 'any',
      out: opts.out,
      junit: paths.compareJunit,
    },
    progress,
  )
  const bad = compare.targets.filter((t) => t.verdict === 'FAIL').map((t) => t.name)
  const blocking = bad.filter((t) => t !== 'legacy')
  steps.push({
    name: 'compare',
    ok: blocking.length === 0,
    summary:
      compare.targets.map((t) => `${t.name} ${t.verdict}`).join(', ') +
      (bad.length ? ` (failing: ${bad.join(', ')})` : '') +
      whyFailed(
        compare.sessions.flatMap((x) => [
          ...x.lines.filter((l) =>
            blocking.includes(
              / (?:MISMATCH(?: \(non-critical\))?|TOO SLOW) (\S+): /.exec(l)?.[1] ?? '',
            ),
          ),
          ...(blocking.length ? x.contradictions : []),
        ]),
        1,
      ),
    evidence: paths.compare,
  })

  progress(
    `soak: ${SOAK_SCENARIOS.join(', ')} (${opts.soakDurationS} s simulated each, time scale ${opts.soakTimeScale})`,
  )
  // On real captures the BOX lanes replay the compared real sessions (a soak on synthetic lanes
  // never counts toward REMOVE); on the built-in synthetic capture, synthetic sessions.
  const { plans, source } = await loadSoakSessions(
    synthetic ? [] : sessionFixtures,
    opts.seed,
    contract,
  )
  const soaks = await Promise.all(
    SOAK_SCENARIOS.map((scenario) =>
      runSoak({
        scenario,
        durationS: opts.soakDurationS,
        timeScale: opts.soakTimeScale,
        failThreshold: 3,
        retryIntervalS: 60,
        replyTimeoutMs: 5000,
        seed: opts.seed,
        contract: loaded,
        plans,
        source,
      }),
    ),
  )
  writeSoakReports(opts.out, soaks)
  steps.push({
    name: 'soak',
    ok: soaks.every((r) => r.verdict.pass),
    summary:
      soaks.map((r) => `${r.scenario} ${r.verdict.pass ? 'pass' : 'FAIL'}`).join(', ') +
      ` (${source} BOX sessions)` +
      whyFailed(soaks.flatMap((r) => r.verdict.reasons.map((x) => `${r.scenario}: ${x}`))),
    evidence: paths.soakDir,
  })

  // The rollback is rehearsed on the compared session with the most BOX frames.
  const boxFrames = (s: (typeof others)[number]): number =>
    s.classes.filter((c) => c.startsWith('box.')).length
  const rehearsed = [...withHandshake, ...others].sort((a, b) => boxFrames(b) - boxFrames(a))[0]
  const rehearsalSession = rehearsed?.fixture ? path.join(opts.out, rehearsed.fixture) : null
  progress('gate: rollback rehearsal, then the checklist')
  const gate = await runGate({
    evidence: opts.out,
    checklist: opts.checklist,
    contract: contractFile,
    junit: paths.gateJunit,
    rehearse: true,
    session: rehearsalSession,
    maxAgeDays: null,
  })
  steps.push({
    name: 'gate',
    ok: gate.decision.decision === 'REMOVE',
    summary: `${gate.decision.decision}: ${gate.decision.summary}`,
    evidence: paths.gate,
  })
  const criteria = gate.decision.criteria
  const notBlocking = criteria
    .filter((c) => !c.mandatory && c.status !== 'PASS')
    .map((c) => ({ id: c.id, status: c.status, reasons: c.reasons, fix: c.fix }))

  progress('report: one self-contained HTML file of all the evidence')
  const reportFile = paths.report
  const report = await writeReport(opts.out, reportFile)
  steps.push({
    name: 'report',
    ok: true,
    summary: `${report.entries.length} evidence file(s) read`,
    evidence: reportFile,
  })
  return {
    kind: 'pipeline',
    schemaVersion: 1,
    synthetic,
    out: opts.out,
    steps,
    decision: gate.decision.decision,
    exitCode: pipelineExitCode(synthetic, steps, gate.decision.decision),
    report: reportFile,
    blocking: gate.decision.blocking.map((b) => b.id),
    gate: {
      decision: gate.decision.decision,
      summary: gate.decision.summary,
      blocking: gate.decision.blocking.map((b) => ({
        id: b.id,
        status: b.status,
        reasons: b.reasons,
        fix: b.fix,
      })),
      notBlocking,
    },
    evidence: {
      extract: extract.totals,
      validation: validation.counts,
      compare: compare.targets,
      soak: soaks.map((r) => ({
        scenario: r.scenario,
        pass: r.verdict.pass,
        reasons: r.verdict.reasons,
      })),
    },
  }
}
