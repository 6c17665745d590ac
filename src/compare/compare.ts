/**
 * Compare (pure): for every BOX frame of a session, the reply classes the contract expects in that
 * context, what each target answered and how fast, and a verdict. A Setting must come at the same
 * poll as in the capture, the BOX's ACK must be answered with the END family, and poll replies must
 * match: those are critical. Latency outside the contract's tolerance is a warning.
 */
import type { Contract } from '../contract/schema.js'
import { END_FAMILY, isPollClass, type CloudClass } from '../protocol/frame-class.js'
import type { ReplayPlan, ReplayStep } from '../replay/plan.js'
import type { ReplayStepResult } from '../replay/transcript-schema.js'

/** PASS; MISMATCH (wrong class, or latency under --strict-timing); WARN (latency only). */
export type Verdict = 'PASS' | 'MISMATCH' | 'WARN'

export interface TargetCell {
  readonly outcome: ReplayStepResult['outcome']
  readonly class: string | null
  readonly latencyMs: number | null
  readonly classMatch: boolean
  readonly latencyOk: boolean | null
  readonly toleranceMaxMs: number | null
  readonly verdict: Verdict
  readonly reason: string | null
}

export interface CompareRow {
  readonly seq: number
  readonly id: number
  readonly requestClass: string
  readonly table: string | null
  readonly context: string
  readonly expected: string[]
  readonly critical: boolean
  readonly cells: Record<string, TargetCell>
}

export interface TargetRun {
  readonly name: string
  readonly steps: readonly ReplayStepResult[]
}

export interface SessionComparison {
  readonly sessionId: string
  readonly source: string
  readonly rows: CompareRow[]
  readonly lines: string[]
  readonly contradictions: string[]
}

function expectedReplies(contract: Contract, step: ReplayStep): Contract['transitions'] {
  const sameReq = (t: Contract['transitions'][number]): boolean =>
    t.request.class === step.class &&
    t.context === step.context &&
    (step.class !== 'box.upload' || t.request.table === step.table) &&
    (step.class !== 'box.events' || t.request.eventType === step.eventType)
  const exact = contract.transitions.filter(sameReq)
  if (exact.length > 0) return exact
  return contract.transitions.filter(
    (t) => t.request.class === step.class && t.context === step.context,
  )
}

/** The recorded real cloud as a target run. */
export function onlineRun(plan: ReplayPlan): TargetRun {
  return {
    name: 'online',
    steps: plan.steps.map((s) => ({
      seq: s.seq,
      id: s.id,
      requestClass: s.class,
      table: s.table,
      outcome: s.recorded ? 'reply' : 'no-reply',
      reply: s.recorded
        ? { class: s.recorded.class, raw: '', crcOk: true, latencyMs: s.recorded.latencyMs ?? 0 }
        : null,
      recorded: s.recorded ? { class: s.recorded.class, latencyMs: s.recorded.latencyMs } : null,
      extra: [],
      notes: ['recorded'],
    })),
  }
}

function judge(
  step: ReplayStep,
  result: ReplayStepResult | undefined,
  expected: Contract['transitions'],
  critical: boolean,
  strictTiming: boolean,
): TargetCell {
  const recorded = step.recorded?.class ?? null
  const got = result?.outcome === 'reply' ? (result.reply?.class ?? null) : null
  const latency = result?.outcome === 'reply' ? (result.reply?.latencyMs ?? null) : null
  const expectedClasses = expected.map((t) => t.response as string)
  let classMatch: boolean
  let reason: string | null = null
  if (result?.outcome === 'skipped' && step.answersSetting && !step.settingPollCaptured) {
    // The capture starts after the poll that carried the Setting: the target could not be asked.
    return {
      outcome: 'skipped',
      class: null,
      latencyMs: null,
      classMatch: true,
      latencyOk: null,
      toleranceMaxMs: null,
      verdict: 'WARN',
      reason:
        'unjudged: the poll that carried the Setting is not in the capture, so no target could deliver it',
    }
  }
  if (result?.outcome === 'skipped') {
    classMatch = recorded === null
    reason = classMatch
      ? null
      : 'the BOX ACK could not be sent: the target delivered no Setting before it'
  } else if (recorded === null && expectedClasses.length === 0 && got !== null) {
    // Neither the capture nor the contract shows a reply: nothing to judge the target against.
    const window = null
    return {
      outcome: result?.outcome ?? 'not-sent',
      class: got,
      latencyMs: latency,
      classMatch: true,
      latencyOk: window,
      toleranceMaxMs: null,
      verdict: 'WARN',
      reason: `unjudged: neither the capture nor contract shows a reply to ${step.class}`,
    }
  } else if (got === null) {
    classMatch = recorded === null
    reason = classMatch
      ? null
      : `${result?.outcome ?? 'no result'} where the real cloud answered ${recorded}`
  } else if (got === recorded) {
    classMatch = true
  } else if (got === 'cloud.setting' || recorded === 'cloud.setting') {
    classMatch = false
    reason =
      got === 'cloud.setting'
        ? 'a Setting where the real cloud sent none'
        : 'no Setting at the poll where the real cloud delivered one'
  } else if (step.answersSetting && !END_FAMILY.includes(got as CloudClass)) {
    classMatch = false
    reason = `the BOX's setting ACK got ${got}, not an END-family frame or the next Setting`
  } else if (isPollClass(step.class) && recorded !== null && !step.answersSetting) {
    // A poll must get the very class the real cloud gave (the handshake only needs the END family).
    classMatch = false
    reason = `${got} where the real cloud answered ${recorded}${expectedClasses.includes(got) ? '' : `; the contract shows no ${got} for ${step.class} (${step.context})`}`
  } else {
    classMatch = expectedClasses.includes(got)
    reason = classMatch
      ? null
      : `${got} is not a reply the contract shows for ${step.class} (${step.context})`
  }
  const row = expected.find((t) => t.response === got)
  const window = row?.latency.toleranceMs ?? null
  const latencyOk =
    latency === null || window === null ? null : latency >= window.minMs && latency <= window.maxMs
  const verdict: Verdict = !classMatch
    ? 'MISMATCH'
    : latencyOk === false
      ? strictTiming
        ? 'MISMATCH'
        : 'WARN'
      : 'PASS'
  if (classMatch && latencyOk === false)
    reason = `latency ${latency} ms outside the contract window [${window!.minMs}, ${window!.maxMs}] ms`
  return {
    outcome: result?.outcome ?? 'not-sent',
    class: got,
    latencyMs: latency,
    classMatch,
    latencyOk,
    toleranceMaxMs: window?.maxMs ?? null,
    verdict,
    reason,
  }
}

/** A mismatch that fails the run even under `--fail-on critical` (the JUnit failures then). */
export function isCriticalMismatch(
  row: { readonly critical: boolean },
  cell: { readonly verdict: Verdict; readonly classMatch: boolean },
): boolean {
  return cell.verdict === 'MISMATCH' && (row.critical || cell.classMatch)
}

/** Compares target runs of one session against the contract and the recorded real cloud. */
export function compareSession(
  contract: Contract,
  plan: ReplayPlan,
  runs: readonly TargetRun[],
  options: { strictTiming: boolean },
): SessionComparison {
  const rows: CompareRow[] = []
  const lines: string[] = []
  const contradictions: string[] = []
  for (const step of plan.steps) {
    const expected = expectedReplies(contract, step)
    const expectedClasses = [...new Set(expected.map((t) => t.response as string))].sort()
    const critical =
      isPollClass(step.class) || step.answersSetting || step.recorded?.class === 'cloud.setting'
    const cells: Record<string, TargetCell> = {}
    for (const run of runs)
      cells[run.name] = judge(
        step,
        run.steps.find((r) => r.seq === step.seq),
        expected,
        critical,
        options.strictTiming,
      )
    const recorded = step.recorded?.class ?? null
    if (recorded !== null && !expectedClasses.includes(recorded)) {
      contradictions.push(
        `seq ${step.seq} ${step.class}: the session shows ${step.class} (${step.context}) -> ${recorded}, which contract ${contract.version} lacks`,
      )
    }
    const label = step.table ? `${step.class}[${step.table}]` : step.class
    const summary = runs
      .map((r) => `${r.name}=${cells[r.name]!.class ?? cells[r.name]!.outcome}`)
      .join(' ')
    for (const run of runs) {
      const cell = cells[run.name]!
      if (cell.verdict === 'PASS') continue
      const tag = !cell.classMatch
        ? critical
          ? 'MISMATCH'
          : 'MISMATCH (non-critical)'
        : cell.reason?.startsWith('unjudged')
          ? 'UNJUDGED'
          : cell.verdict === 'MISMATCH'
            ? 'TOO SLOW'
            : 'SLOW'
      lines.push(
        `seq ${step.seq} ${label}: ${summary} (contract: ${expectedClasses.join('|') || 'no captured reply'}) ${tag} ${run.name}: ${cell.reason}`,
      )
    }
    rows.push({
      seq: step.seq,
      id: step.id,
      requestClass: step.class,
      table: step.table,
      context: step.context,
      expected: expectedClasses,
      critical,
      cells,
    })
  }
  return { sessionId: plan.sessionId, source: plan.source, rows, lines, contradictions }
}
