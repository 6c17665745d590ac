/**
 * The BOX traffic of a soak (pure): synthetic sessions from the simulator turned into replay
 * plans without touching disk, and plans cut to the simulated time a BOX has left.
 */
import { SessionBuilder, type Session } from '../capture/sessions.js'
import { parseCaptureTs } from '../capture/rows.js'
import { ReplyPolicy } from '../contract/reply-policy.js'
import type { Contract, RequestKey } from '../contract/schema.js'
import { toFixture } from '../extract/fixture.js'
import { planReplay, type ReplayPlan } from '../replay/plan.js'
import { generateSyntheticRows } from '../simulate/model.js'

/** Label of synthetic traffic in the report's `sessions.source`. */
export const SYNTHETIC_SOURCE = 'synthetic'

/**
 * `count` synthetic BOX sessions (simulator seed `seed`) as replay plans, in capture order.
 * The simulator's long pauses between connections are not replayed: see fitPlan and run-soak.
 */
export function syntheticPlans(
  seed: number,
  count: number,
  generator: { name: 'oigctl'; version: string },
): ReplayPlan[] {
  const sessions: Session[] = []
  const builder = new SessionBuilder({
    sessionGapMs: 10 * 60_000,
    idsOrdered: true,
    onSession: (s) => sessions.push(s),
  })
  let id = 0
  for (const row of generateSyntheticRows({ seed, sessions: count })) {
    builder.push({
      id: ++id,
      ts: row.ts,
      tsMs: parseCaptureTs(row.ts),
      tableName: row.tableName,
      raw: row.raw,
      direction: row.direction,
      connId: row.connId,
    })
  }
  builder.finish()
  const ref = { file: SYNTHETIC_SOURCE, sha256: '', format: 'sqlite', synthetic: true } as const
  return sessions
    .sort((a, b) => a.index - b.index)
    .map((s) => {
      const fx = toFixture(s, ref, generator, `synthetic-${seed}`)
      return planReplay(fx.session.id, SYNTHETIC_SOURCE, fx.frames)
    })
}

/** Frames of a plan that are actually sent (setting ACKs wait for a Setting that never comes). */
export function sendableSteps(plan: ReplayPlan): number {
  return plan.steps.filter((s) => !s.answersSetting).length
}

/**
 * The plan's leading steps that start within `budgetMs` of simulated time, with gaps capped at
 * `maxGapMs` (as the replay client caps them); null when not even the first step fits.
 */
export function fitPlan(plan: ReplayPlan, budgetMs: number, maxGapMs: number): ReplayPlan | null {
  if (budgetMs <= 0 || plan.steps.length === 0) return null
  let atMs = 0
  let n = 0
  for (const step of plan.steps) {
    if (n > 0 && !step.answersSetting) atMs += Math.min(step.gapMs ?? 0, maxGapMs)
    if (atMs >= budgetMs) break
    n++
  }
  return n === plan.steps.length ? plan : { ...plan, steps: plan.steps.slice(0, n) }
}

/**
 * The plans without the BOX frames the contract has no cloud reply for (neither the mock nor a
 * local rescue can answer them: that is contract coverage, measured by compare, not the proxy's
 * fault handling), renumbered; plans left without frames are dropped. Also returns the frames
 * dropped per request class.
 */
export function answerablePlans(
  plans: readonly ReplayPlan[],
  contract: Contract,
): { plans: ReplayPlan[]; dropped: Record<string, number> } {
  const policy = new ReplyPolicy(contract)
  const dropped: Record<string, number> = {}
  const out: ReplayPlan[] = []
  for (const plan of plans) {
    const steps = plan.steps.filter((s) => {
      const key = { class: s.class, table: s.table, eventType: s.eventType } as RequestKey
      if (s.answersSetting || policy.replyFor(key, s.context).kind === 'reply') return true
      dropped[s.class] = (dropped[s.class] ?? 0) + 1
      return false
    })
    if (steps.some((s) => !s.answersSetting))
      out.push({ ...plan, steps: steps.map((s, i) => ({ ...s, seq: i + 1 })) })
  }
  return { plans: out, dropped }
}
