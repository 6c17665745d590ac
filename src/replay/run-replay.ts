/** `oigctl replay` at the I/O edge: sessions in, a target started or reached, transcripts out. */
import path from 'node:path'
import type { ReplyPolicyOptions } from '../contract/reply-policy.js'
import type { Contract } from '../contract/schema.js'
import { writeJsonFilesTogether } from '../evidence/files.js'
import { GENERATOR } from '../version.js'
import { runReplay, type ReplayPacing } from './client.js'
import type { ReplayPlan, SettingSpec } from './plan.js'
import { startTarget } from './targets.js'
import { REPLAY_SCHEMA_VERSION, type ReplayTranscript } from './transcript-schema.js'
import { EVIDENCE_NAMES } from '../evidence/layout.js'

export interface ReplayRunOptions {
  readonly target: string
  readonly contract: Contract
  readonly pacing: ReplayPacing
  readonly extraSettings: readonly SettingSpec[]
  readonly allowRemote: boolean
  /** Queue the Settings the real cloud delivered in the session (default true). */
  readonly queueRecorded?: boolean
  /** The reply mix of built-in targets (--replies / --seed; default dominant). */
  readonly replies?: ReplyPolicyOptions
  /** Called after each frame of the plan was sent and answered (or not). */
  readonly onStep?: () => void
}

/** Replays one plan against one target (started for this replay when built in). */
export async function replayPlan(
  plan: ReplayPlan,
  sessionFile: string,
  opts: ReplayRunOptions,
): Promise<ReplayTranscript> {
  const target = await startTarget(opts.target, opts.contract, opts.allowRemote, opts.replies)
  try {
    const queued: ReplayTranscript['settingsQueued'] = []
    const specs = [...(opts.queueRecorded === false ? [] : plan.settings), ...opts.extraSettings]
    for (const s of specs) queued.push({ ...s, id: target.queueSetting(s) })
    const address = { host: target.host, port: target.port }
    const steps = await runReplay(plan, address, opts.pacing, opts.onStep)
    return {
      kind: 'replay',
      schemaVersion: REPLAY_SCHEMA_VERSION,
      generator: GENERATOR,
      generatedAt: new Date().toISOString(),
      session: { id: plan.sessionId, source: plan.source, file: sessionFile },
      target: {
        name: target.name,
        address: `${target.host}:${target.port}`,
        builtIn: target.builtIn,
      },
      pacing: {
        speed: opts.pacing.maxSpeed ? null : opts.pacing.speed,
        maxSpeed: opts.pacing.maxSpeed,
        replyTimeoutMs: opts.pacing.replyTimeoutMs,
        holdAfterS: opts.pacing.holdAfterS,
      },
      settingsQueued: queued,
      steps,
      counts: {
        sent: steps.filter((s) => s.outcome === 'reply' || s.outcome === 'no-reply').length,
        replies: steps.filter((s) => s.outcome === 'reply').length,
        noReply: steps.filter((s) => s.outcome === 'no-reply').length,
        closed: steps.filter((s) => s.outcome === 'closed' || s.outcome === 'not-sent').length,
        skipped: steps.filter((s) => s.outcome === 'skipped').length,
        extra: steps.reduce((n, s) => n + s.extra.length, 0),
      },
    }
  } finally {
    await target.close()
  }
}

/** File name of a transcript: session id and target, safe for any file system. */
export function transcriptFile(outDir: string, t: ReplayTranscript): string {
  const name = `${t.session.id}.${t.target.name}`.replace(/[^A-Za-z0-9._-]+/g, '_')
  return path.join(outDir, `${name}.replay.json`)
}

/** Writes the transcripts to `<out>/replay/`, all together (staged); returns their paths. */
export function writeTranscripts(out: string, transcripts: readonly ReplayTranscript[]): string[] {
  return writeJsonFilesTogether(
    out,
    transcripts.map((t) => [transcriptFile(EVIDENCE_NAMES.replayDir, t), t] as const),
  )
}
