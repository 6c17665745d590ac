/** `oigctl compare`: sessions against several targets, every reply judged against the cloud's. */
import path from 'node:path'
import type { Command } from 'commander'
import { FailOnSchema, type FailOn } from '../../compare/report-schema.js'
import { runCompare } from '../../compare/run-compare.js'
import { parseTargetList } from '../../compare/target-list.js'
import { readContract } from '../../contract/files.js'
import { checkOutputFile, ensureWritableDir } from '../../evidence/files.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import { choiceOption, collect, jobsOption } from '../options.js'
import { renderCompare } from '../render/replay.js'
import {
  addPacing,
  checkTargets,
  pacingOf,
  settings,
  type PacingOptions,
} from '../replay-common.js'
import { replyPolicyOptions } from '../serve-common.js'
import { layout } from '../../evidence/layout.js'

interface CompareOptions extends PacingOptions {
  readonly session?: string[]
  readonly targets: string
  readonly online?: string
  readonly strictTiming?: boolean
  readonly failOn: FailOn
  readonly junit?: string
  readonly jobs?: number
}

export function registerCompare(program: Command, ctx: CommandContext): void {
  const compare = program
    .command('compare')
    .description(
      'replay sessions against targets and judge every reply against the real cloud and the contract',
    )
    .option('--session <file>', 'session fixture or export; repeatable', collect)
    .option(
      '--targets <list>',
      'online,mock,offline[,hybrid,legacy,tcp://HOST:PORT]',
      'online,mock,offline',
    )
    .option(
      '--online <tcp://HOST:PORT>',
      'a live endpoint as `online` instead of the recorded replies',
    )
    .option('--strict-timing', 'latency outside the contract window is a mismatch, not a warning')
    .addOption(
      choiceOption(
        '--fail-on <what>',
        'any: every mismatch fails the run (exit 1); critical: only polls and the setting handshake',
        FailOnSchema.options,
        'any',
      ),
    )
    .option('--junit <file>', 'write JUnit XML (one test case per sequence and target)')
    .addOption(
      jobsOption(
        'sessions replayed at once, each against all targets in parallel (default: 16 per core when all targets are built in, else one per core); built-in targets replay at --max-speed, --speed applies to tcp:// targets',
      ),
    )
  addPacing(compare).action(
    ctx.action(async (output, opts: CompareOptions) => {
      ensureWritableDir(layout(opts.out).replayDir)
      if (opts.junit) checkOutputFile(opts.junit, '--junit')
      const contract = readContract(opts.contract)
      const targets = parseTargetList(opts.targets)
      const live = [...targets.filter((t) => t !== 'online'), ...(opts.online ? [opts.online] : [])]
      const what = 'the BOX frames of the sessions (Setting ACKs included)'
      checkTargets(ctx, live, opts.allowRemote === true, what)
      const report = await runCompare(
        {
          sessions: opts.session ?? [],
          targets,
          contract,
          online: opts.online ?? null,
          allowRemote: opts.allowRemote === true,
          pacing: pacingOf(opts),
          extraSettings: settings(opts.queueSetting),
          strictTiming: opts.strictTiming === true,
          failOn: opts.failOn,
          out: opts.out,
          junit: opts.junit ?? null,
          replies: replyPolicyOptions(opts),
          ...(opts.jobs === undefined ? {} : { jobs: opts.jobs }),
        },
        (p) => output.progress(p),
      )
      output.info(`wrote ${path.join(opts.out, 'compare.json')}`)
      output.result(report, renderCompare)
      return report.verdict === 'PASS' ? ExitCode.Ok : ExitCode.Findings
    }),
  )
}
