/**
 * Compare (pure): for every BOX frame of a session, the reply classes the contract expects in that
 * context, what the real cloud answered (captured, known absent, not captured, or inferred from
 * the BOX's next frame by a contract sequence rule), what each target answered and how fast, and a
 * verdict. A Setting must come at the same poll as in the capture, the BOX's ACK must be answered
 * with the END family or the next Setting, and poll replies must match: those are critical. A
 * frame whose reply was not captured is judged against the contract. Latency outside the
 * contract's tolerance is a warning.
 */
import { replyAllows, replyMembers } from '../contract/replies.js'
import { makeRequestKey } from '../contract/keys.js'
import type { Contract, RequestKey } from '../contract/schema.js'
import { END_FAMILY, isPollClass, type CloudClass } from '../protocol/frame-class.js'
import type { ReplayPlan, ReplayStep } from '../replay/plan.js'
import type { ReplayStepResult } from '../replay/transcript-schema.js'
import { nullRecord, ownValue } from '../own.js'

/** PASS; MISMATCH (wrong class, or latency under --strict-timing); WARN (latency only, or unjudged). */
export type Verdict = 'PASS' | 'MISMATCH' | 'WARN'

/** A target's outcome, or `not-captured` for the recorded cloud when the capture lacks the reply. */
export type CellOutcome = ReplayStepResult['outcome'] | 'not-captured'

export interface TargetCell {
  readonly outcome: CellOutcome
  readonly class: string | null
  readonly latencyMs: number | null
  readonly classMatch: boolean
  readonly latencyOk: boolean | null
  readonly toleranceMaxMs: number | null
  readonly verdict: Verdict
  readonly reason: string | null
  /** Judged against a reference (the captured or inferred reply, a known absence, the contract). */
  readonly judged: boolean
  /** For the recorded cloud: the contract rule its class was inferred by (null: not inferred). */
  readonly inferred: string | null
}

/**
 * What the real cloud answered to a BOX frame: `captured` (the capture holds the reply),
 * `no-reply` (known absent: the capture holds the cloud side and the BOX spoke again),
 * `not-captured` (the capture does not tell), or `inferred` from the BOX's next frame by `rule`.
 */
export interface Reference {
  readonly kind: 'captured' | 'no-reply' | 'not-captured' | 'inferred'
  readonly class: string | null
  /** Who sent the captured reply: the cloud, or the recording proxy itself. */
  readonly origin: 'cloud' | 'proxy' | null
  readonly rule: string | null
}

export interface CompareRow {
  readonly seq: number
  readonly id: number
  readonly requestClass: string
  readonly table: string | null
  readonly eventType: string | null
  readonly pollForm: 'short' | 'merged' | null
  readonly context: string
  readonly expected: string[]
  readonly critical: boolean
  readonly reference: Reference
  readonly cells: Record<string, TargetCell>
}

/** One setting batch of a session: the poll that carried the first Setting and the BOX's ACKs. */
export interface HandshakeResult {
  readonly firstSeq: number
  readonly lastSeq: number
  /** Settings the BOX acknowledged in the batch. */
  readonly settings: number
  /** The batch closed: the last ACK was answered by something other than a Setting. */
  readonly complete: boolean
  /** Per target: PASS (every step judged and matched), FAIL, or UNJUDGED. */
  readonly targets: Record<string, 'PASS' | 'FAIL' | 'UNJUDGED'>
}

export interface TargetRun {
  readonly name: string
  readonly steps: readonly ReplayStepResult[]
  /** The recorded real cloud (the reference), not a replay. */
  readonly recorded?: boolean
}

export interface SessionComparison {
  readonly sessionId: string
  readonly source: string
  /** The capture holds no frame sent to the BOX: only the BOX side was recorded. */
  readonly boxOnly: boolean
  readonly rows: CompareRow[]
  readonly handshakes: HandshakeResult[]
  readonly lines: string[]
  readonly contradictions: string[]
}

/** The contract rule that lets a BOX setting ACK prove a Setting just before it (derive.ts). */
export const SETTING_ACK_RULE = 'setting-ack-follows-setting'

type StepView = {
  readonly step: ReplayStep
  readonly reference: Reference
  readonly context: ReplayStep['context']
  /** For a setting ACK: the poll that carried its batch's first Setting is known. */
  readonly settingPollKnown: boolean
}

/**
 * The rows that apply to a step: its request class in its context whose key fields are equal or
 * unknown (a pairs row has no IsNewSet form, no event type); when those show no reply but a
 * Setting, every row of the class there (the reply policy falls back the same way).
 */
function expectedReplies(
  contract: Contract,
  step: ReplayStep,
  context: string,
): Contract['transitions'] {
  const key: RequestKey = makeRequestKey(
    step.class,
    step.table,
    step.eventType as RequestKey['eventType'],
    step.pollForm ?? null,
  )
  const sameClass = (t: Contract['transitions'][number]): boolean =>
    t.request.class === step.class && t.context === context
  const fits = (t: Contract['transitions'][number]): boolean =>
    sameClass(t) &&
    (t.request.table === null || t.request.table === key.table) &&
    (t.request.eventType === null ||
      key.eventType === null ||
      t.request.eventType === key.eventType) &&
    (t.request.pollForm === null || key.pollForm === null || t.request.pollForm === key.pollForm)
  const exact = contract.transitions.filter(fits)
  // Targets fall back to the class's rows when the key's rows show no reply but a Setting.
  if (exact.some((t) => t.response !== 'cloud.setting')) return exact
  return contract.transitions.filter(sameClass)
}

/** Whether the contract holds `rule` (supported, never violated). */
function ruleHolds(contract: Contract, rule: string): boolean {
  return contract.sequenceRules.some((r) => r.id === rule && r.status === 'holds')
}

/**
 * The real cloud's reply to each BOX frame, with inference: a `box.setting-ack` right after a poll
 * or another setting ACK whose reply was not captured proves that reply was a `cloud.setting`
 * (when the contract's rule that a setting ACK answers the Setting just before it holds).
 */
export function viewSteps(contract: Contract, plan: ReplayPlan): StepView[] {
  const infer = ruleHolds(contract, SETTING_ACK_RULE)
  const cloudSide = plan.cloudSide ?? true
  const refs: Reference[] = plan.steps.map((s, i) => {
    if (s.recorded)
      return { kind: 'captured', class: s.recorded.class, origin: s.recorded.origin, rule: null }
    const next = plan.steps[i + 1]
    const askable = isPollClass(s.class) || s.class === 'box.setting-ack'
    if (infer && askable && s.next === 'box' && next?.class === 'box.setting-ack')
      return { kind: 'inferred', class: 'cloud.setting', origin: null, rule: SETTING_ACK_RULE }
    if (cloudSide && s.next === 'box')
      return { kind: 'no-reply', class: null, origin: null, rule: null }
    return { kind: 'not-captured', class: null, origin: null, rule: null }
  })
  let settingKnown = false
  return plan.steps.map((step, i) => {
    const before = i > 0 ? refs[i - 1]! : null
    // A frame right after an inferred Setting answers it, as after a captured one.
    const context = before?.kind === 'inferred' ? 'setting-batch' : step.context
    if (refs[i]!.class === 'cloud.setting' && !step.answersSetting) settingKnown = true
    const known = step.settingPollCaptured || settingKnown
    return { step, reference: refs[i]!, context, settingPollKnown: known }
  })
}

const unjudged = (
  outcome: CellOutcome,
  cls: string | null,
  latencyMs: number | null,
  reason: string,
): TargetCell => ({
  outcome,
  class: cls,
  latencyMs,
  classMatch: true,
  latencyOk: null,
  toleranceMaxMs: null,
  verdict: 'WARN',
  reason: `unjudged: ${reason}`,
  judged: false,
  inferred: null,
})

const refText = (ref: Reference): string =>
  ref.kind === 'inferred' ? `${ref.class} (inferred)` : (ref.class ?? ref.kind)

/** The recorded real cloud's cell: the reference itself. */
function referenceCell(view: StepView): TargetCell {
  const ref = view.reference
  const s = view.step
  const reason =
    ref.kind === 'inferred'
      ? `inferred by contract rule ${ref.rule}: the BOX's next frame is a setting ACK, so this reply was a Setting`
      : ref.kind === 'not-captured'
        ? 'the capture does not hold the reply to this frame; judged against the contract'
        : null
  return {
    outcome:
      ref.kind === 'captured' ? 'reply' : ref.kind === 'no-reply' ? 'no-reply' : 'not-captured',
    class: ref.class,
    latencyMs: ref.kind === 'captured' ? (s.recorded?.latencyMs ?? null) : null,
    classMatch: true,
    latencyOk: null,
    toleranceMaxMs: null,
    verdict: 'PASS',
    reason,
    judged: false,
    inferred: ref.rule,
  }
}

function judge(
  view: StepView,
  result: ReplayStepResult | undefined,
  expected: Contract['transitions'],
  strictTiming: boolean,
): TargetCell {
  const { step, reference: ref } = view
  const want = ref.class
  const outcome: CellOutcome = result?.outcome ?? 'not-sent'
  const got = result?.outcome === 'reply' ? (result.reply?.class ?? null) : null
  const latency = result?.outcome === 'reply' ? (result.reply?.latencyMs ?? null) : null
  const expectedClasses = expected.flatMap((t) => replyMembers(t.response) as string[])
  const shown = expectedClasses.length ? expectedClasses.join('|') : 'no reply'
  let classMatch: boolean
  let reason: string | null = null
  if (result?.outcome === 'skipped' && step.answersSetting && !view.settingPollKnown) {
    // The capture starts after the poll that carried the Setting: the target could not be asked.
    return unjudged(
      'skipped',
      null,
      null,
      'the poll that carried the Setting is not in the capture, so no target could deliver it',
    )
  }
  if (result?.outcome === 'skipped') {
    // The BOX sent this ACK, so a Setting came just before it: the target delivered none.
    classMatch = false
    reason = 'the BOX ACK could not be sent: the target delivered no Setting before it'
  } else if (want === null && ref.kind !== 'no-reply' && expectedClasses.length === 0) {
    // Neither the capture nor the contract shows a reply: nothing to judge the target against.
    return unjudged(
      outcome,
      got,
      latency,
      `neither the capture nor contract shows a reply to ${step.class}`,
    )
  } else if (got === null) {
    classMatch = ref.kind === 'no-reply'
    reason = classMatch
      ? null
      : want !== null
        ? `${outcome} where the real cloud answered ${refText(ref)}`
        : `${outcome} where the contract shows ${shown} (reply not captured)`
  } else if (got === want) {
    classMatch = true
  } else if (want === null && ref.kind === 'no-reply' && expectedClasses.length === 0) {
    return unjudged(
      outcome,
      got,
      latency,
      `neither the capture nor contract shows a reply to ${step.class}`,
    )
  } else if (got === 'cloud.setting' || want === 'cloud.setting') {
    classMatch = false
    reason =
      got !== 'cloud.setting'
        ? `no Setting ${step.answersSetting ? 'after this setting ACK' : 'at the poll'} where the real cloud delivered one${ref.kind === 'inferred' ? ' (inferred from the setting ACK that follows; a Setting the capture lacks must be queued with --queue-setting)' : ''}`
        : ref.kind === 'not-captured'
          ? 'a Setting where the BOX sent no setting ACK after this frame'
          : 'a Setting where the real cloud sent none'
  } else if (step.answersSetting && !END_FAMILY.includes(got as CloudClass)) {
    classMatch = false
    reason = `the BOX's setting ACK got ${got}, not an END-family frame or the next Setting`
  } else if (isPollClass(step.class) && want !== null && !step.answersSetting) {
    // A poll must get the very class the real cloud gave (the handshake only needs the END family).
    classMatch = false
    reason = `${got} where the real cloud answered ${want}${expectedClasses.includes(got) ? '' : `; the contract shows no ${got} for ${step.class} (${view.context})`}`
  } else {
    classMatch = expectedClasses.includes(got)
    reason = classMatch
      ? null
      : `${got} is not a reply the contract shows for ${step.class} (${view.context})`
  }
  const row = expected.find((t) => got !== null && replyAllows(t.response, got as CloudClass))
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
    outcome,
    class: got,
    latencyMs: latency,
    classMatch,
    latencyOk,
    toleranceMaxMs: window?.maxMs ?? null,
    verdict,
    reason,
    judged: true,
    inferred: null,
  }
}

/** A cell's reply for display: the class (`cloud.setting (inferred)`), else the outcome. */
export function cellText(c: {
  readonly class: string | null
  readonly outcome: string
  readonly inferred?: string | null
}): string {
  return c.class === null ? c.outcome : c.inferred ? `${c.class} (inferred)` : c.class
}

/**
 * The setting batches of a session: a frame (a poll) whose reply was a Setting, then each BOX
 * setting ACK answered by the next Setting, up to the ACK answered otherwise. A batch whose poll
 * is not captured is not one (no target could be asked to deliver its Setting).
 */
export function settingBatches(
  rows: readonly CompareRow[],
  targets: readonly string[],
): HandshakeResult[] {
  const out: HandshakeResult[] = []
  for (let i = 0; i < rows.length; i++) {
    const first = rows[i]!
    if (first.reference.class !== 'cloud.setting' || first.requestClass === 'box.setting-ack')
      continue
    let j = i
    while (
      rows[j + 1]?.requestClass === 'box.setting-ack' &&
      rows[j]!.reference.class === 'cloud.setting'
    )
      j++
    const batch = rows.slice(i, j + 1)
    const acks = batch.filter((r) => r.requestClass === 'box.setting-ack').length
    const result = nullRecord<'PASS' | 'FAIL' | 'UNJUDGED'>()
    for (const t of targets) {
      const cells = batch.map((r) => ownValue(r.cells, t))
      result[t] = cells.some((c) => c === undefined || !c.judged)
        ? 'UNJUDGED'
        : cells.every((c) => c!.classMatch)
          ? 'PASS'
          : 'FAIL'
    }
    out.push({
      firstSeq: first.seq,
      lastSeq: rows[j]!.seq,
      settings: acks,
      complete: acks > 0 && rows[j]!.reference.class !== 'cloud.setting',
      targets: result,
    })
    i = j
  }
  return out
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
  for (const view of viewSteps(contract, plan)) {
    const { step, reference: ref } = view
    const expected = expectedReplies(contract, step, view.context)
    const expectedClasses = [
      ...new Set(expected.flatMap((t) => replyMembers(t.response) as string[])),
    ].sort()
    const critical = isPollClass(step.class) || step.answersSetting || ref.class === 'cloud.setting'
    const cells: Record<string, TargetCell> = {}
    for (const run of runs)
      cells[run.name] = run.recorded
        ? referenceCell(view)
        : judge(
            view,
            run.steps.find((r) => r.seq === step.seq),
            expected,
            options.strictTiming,
          )
    if (ref.kind === 'captured' && ref.class !== null && !expectedClasses.includes(ref.class)) {
      contradictions.push(
        `seq ${step.seq} ${step.class}: the session shows ${step.class} (${view.context}) -> ${ref.class}, which contract ${contract.version} lacks`,
      )
    }
    const label = step.table ? `${step.class}[${step.table}]` : step.class
    const summary = runs.map((r) => `${r.name}=${cellText(cells[r.name]!)}`).join(' ')
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
      eventType: step.eventType,
      pollForm: step.pollForm ?? null,
      context: view.context,
      expected: expectedClasses,
      critical,
      reference: ref,
      cells,
    })
  }
  return {
    sessionId: plan.sessionId,
    source: plan.source,
    boxOnly: plan.cloudSide === false,
    rows,
    handshakes: settingBatches(
      rows,
      runs.filter((r) => !r.recorded).map((r) => r.name),
    ),
    lines,
    contradictions,
  }
}

/** The recorded real cloud as a target run (its cells are the reference, see referenceCell). */
export function onlineRun(plan: ReplayPlan): TargetRun {
  return {
    name: 'online',
    recorded: true,
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
