/**
 * `oigctl pipeline` (and `npm start`): the whole job on a built-in synthetic capture or on the
 * user's DBs — simulate → extract → contract derive → validate → compare → soak → gate.
 */
import type { Command } from 'commander'
import { ensureWritableDir } from '../../evidence/files.js'
import { SHIPPED_CHECKLIST } from '../../shipped.js'
import { runPipeline } from '../../pipeline/run-pipeline.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import {
  addOptions,
  dbOption,
  durationAlias,
  DurationOption,
  numberOption,
  outDirOption,
  pairsOption,
  seedOption,
} from '../options.js'
import { renderPipeline } from '../render/pipeline.js'

interface PipelineOptions {
  readonly db?: string[]
  readonly pairs?: string[]
  readonly out: string
  readonly seed: number
  readonly days: number
  readonly compareSessions: number
  readonly soakDuration: number
  readonly soakTimeScale: number
}

const TARGETS = ['online', 'mock', 'offline', 'hybrid', 'legacy']

export function registerPipeline(program: Command, ctx: CommandContext): void {
  const pipeline = program
    .command('pipeline')
    .alias('demo')
    .description(
      'the whole job: (simulate →) extract → contract derive → validate → compare → soak → gate',
    )
  const soakDuration = new DurationOption(
    '--soak-duration <duration>',
    'simulated duration of each soak scenario',
    600_000,
  )
  addOptions(
    pipeline,
    dbOption(
      'capture DBs: repeatable, several after one --db, or a quoted glob (default: a built-in SYNTHETIC capture)',
    ),
    pairsOption(
      "class-level evidence for derive and validate: the upstream pairing engine's pairs (PROTOCOL.md §8)",
    ),
    outDirOption(),
    seedOption('seed of the synthetic capture'),
    numberOption('--days <n>', 'days of synthetic traffic', { above: 0, max: 60 }, 1),
    numberOption(
      '--compare-sessions <n>',
      'sessions compared besides those with a setting handshake',
      { int: true, min: 0 },
      10,
    ),
    soakDuration,
    durationAlias('--soak-duration-s <s>', soakDuration, 's'),
    numberOption(
      '--soak-time-scale <n>',
      'time scale of the soaks (they run side by side)',
      { above: 0, max: 1000 },
      60,
    ),
  ).action(
    ctx.action(async (output, opts: PipelineOptions) => {
      ensureWritableDir(opts.out)
      const result = await runPipeline(
        {
          dbs: opts.db ?? [],
          pairs: opts.pairs ?? [],
          out: opts.out,
          seed: opts.seed,
          days: opts.days,
          compareSessions: opts.compareSessions,
          targets: TARGETS,
          soakDurationS: opts.soakDuration / 1000,
          soakTimeScale: opts.soakTimeScale,
          checklist: SHIPPED_CHECKLIST,
        },
        // Step lines as info; the steps' own progress as the progress line.
        (p) => (typeof p === 'string' ? output.info(`… ${p}`) : output.progress(p)),
      )
      output.result(result, renderPipeline)
      // On real captures the exit code is the gate's: 0 REMOVE, 1 KEEP. On synthetic data KEEP
      // is the expected decision (synthetic evidence never removes the backup path): the demo
      // succeeded when every other step did.
      return result.exitCode === 0 ? ExitCode.Ok : ExitCode.Findings
    }),
  )
}
