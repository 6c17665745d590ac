/** `oigctl replay`: one recorded session (or an export of several) against one target. */
import type { Command } from 'commander'
import { readContract } from '../../contract/files.js'
import { OigError } from '../../errors.js'
import { ensureWritableDir } from '../../evidence/files.js'
import { progressCounter } from '../../progress.js'
import { loadSessions } from '../../replay/load-session.js'
import { replayPlan, writeTranscripts } from '../../replay/run-replay.js'
import { checkTarget } from '../../replay/targets.js'
import type { ReplayTranscript } from '../../replay/transcript-schema.js'
import { formatEndpoint } from '../../targets/endpoint.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import { printResults } from '../print-results.js'
import { probeEndpoint } from '../probe.js'
import { renderDryRun, renderReplay } from '../render/replay.js'
import {
  addPacing,
  checkTargets,
  dryRunDoc,
  pacingOf,
  settings,
  type PacingOptions,
} from '../replay-common.js'
import { replyPolicyOptions } from '../serve-common.js'
import { layout } from '../../evidence/layout.js'

interface ReplayOptions extends PacingOptions {
  readonly session: string
  readonly target: string
  readonly dryRun?: boolean
}

export function registerReplay(program: Command, ctx: CommandContext): void {
  const replay = program
    .command('replay')
    .description(
      'replay a recorded session against a target (mock, offline, hybrid, legacy or tcp://HOST:PORT)',
    )
    .requiredOption(
      '--session <file>',
      'session fixture from extract, or the add-on session export JSON',
    )
    .requiredOption(
      '--target <target>',
      'mock | offline | hybrid | legacy | HOST:PORT | tcp://HOST:PORT',
    )
    .option('--dry-run', 'print what would be sent to whom, without connecting or writing')
  addPacing(replay).action(
    ctx.action(async (output, opts: ReplayOptions) => {
      if (!opts.dryRun) ensureWritableDir(layout(opts.out).replayDir)
      const { contract } = readContract(opts.contract)
      const extra = settings(opts.queueSetting)
      const endpoint = checkTarget(opts.target, opts.allowRemote === true)
      const loaded = await loadSessions(opts.session)
      if (loaded.length === 0)
        throw new OigError(
          'SESSION_EMPTY',
          `Failed to replay ${opts.session}: it holds no session.`,
          {
            hint: 'Check that the file has frames.',
          },
        )
      const classes = [...new Set(loaded.flatMap((l) => l.plan.steps.map((s) => s.class)))]
      const count = loaded.reduce((n, l) => n + l.plan.steps.length, 0)
      const what = `${count} BOX frame(s) (${classes.join(', ')}) of ${opts.session}`
      checkTargets(ctx, [opts.target], opts.allowRemote === true, what)
      const plans = loaded.map((l) => l.plan)
      if (opts.dryRun) {
        output.result(dryRunDoc(opts.target, endpoint, plans, extra, opts), renderDryRun)
        return ExitCode.Ok
      }
      // An endpoint that cannot be reached is one line and exit 2, not a row per frame.
      const why = endpoint ? await probeEndpoint(endpoint, opts.replyTimeout) : null
      if (endpoint && why !== null)
        throw new OigError(
          'TARGET_UNREACHABLE',
          `Failed to replay to ${opts.target}: cannot connect to ${formatEndpoint(endpoint)}: ${why}.`,
          {
            hint: 'Start the target first (e.g. oigctl serve mock --listen HOST:PORT), or check --target.',
          },
        )
      const transcripts: ReplayTranscript[] = []
      const step = progressCounter('replay', count, 'BOX frames', output.onProgress)
      for (const plan of plans) {
        const t = await replayPlan(plan, opts.session, {
          target: opts.target,
          contract,
          pacing: pacingOf(opts),
          extraSettings: extra,
          allowRemote: opts.allowRemote === true,
          replies: replyPolicyOptions(opts),
          onStep: () => step(1, plan.sessionId),
        })
        transcripts.push(t)
      }
      // All the transcripts at once: a failed or stopped replay leaves none of them.
      for (const file of writeTranscripts(opts.out, transcripts)) output.info(`wrote ${file}`)
      printResults(
        output,
        transcripts,
        { kind: 'replay-batch', field: 'transcripts' },
        renderReplay,
      )
      const failed = transcripts.some((t) => t.counts.noReply + t.counts.closed > 0)
      return failed ? ExitCode.Findings : ExitCode.Ok
    }),
  )
}
