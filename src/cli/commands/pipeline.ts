/**
 * `oigctl pipeline` (and `npm start`): the whole job on a built-in synthetic capture or on the
 * user's DBs — simulate → extract → contract derive → validate → compare → soak → gate.
 */
import type { Command } from 'commander'
import { z } from 'zod'
import { ensureWritableDir } from '../../evidence/files.js'
import { DEFAULT_CHECKLIST_FILE } from '../../gate/read-checklist.js'
import { runPipeline } from '../../pipeline/run-pipeline.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import { collect, dbOption, parseOptions } from '../options.js'
import { renderPipeline } from '../render/pipeline.js'

const PipelineOptions = z.object({
  db: z.array(z.string()).default([]),
  pairs: z.array(z.string()).default([]),
  out: z.string().min(1).default('evidence'),
  seed: z.coerce.number().int().default(1),
  days: z.coerce.number().positive().max(60).default(1),
  compareSessions: z.coerce.number().int().nonnegative().default(10),
  soakDurationS: z.coerce.number().positive().default(600),
  soakTimeScale: z.coerce.number().positive().max(1000).default(60),
})

const TARGETS = ['online', 'mock', 'offline', 'hybrid', 'legacy']

export function registerPipeline(program: Command, ctx: CommandContext): void {
  program
    .command('pipeline')
    .alias('demo')
    .description(
      'the whole job: (simulate →) extract → contract derive → validate → compare → soak → gate',
    )
    .addOption(
      dbOption(
        'capture DBs: repeatable, several after one --db, or a quoted glob (default: a built-in SYNTHETIC capture)',
      ),
    )
    .option(
      '--pairs <file>',
      "class-level evidence for derive and validate: the upstream pairing engine's pairs (PROTOCOL.md §8); repeatable",
      collect,
    )
    .option('--out <dir>', 'evidence folder', 'evidence')
    .option('--seed <n>', 'seed of the synthetic capture', '1')
    .option('--days <n>', 'days of synthetic traffic', '1')
    .option(
      '--compare-sessions <n>',
      'sessions compared besides those with a setting handshake',
      '10',
    )
    .option('--soak-duration-s <s>', 'simulated seconds per soak scenario', '600')
    .option('--soak-time-scale <n>', 'time scale of the soaks (they run side by side)', '60')
    .action(async (raw: unknown, command: Command) => {
      const output = ctx.open(command)
      const opts = parseOptions(PipelineOptions, raw, 'pipeline')
      ensureWritableDir(opts.out)
      const result = await runPipeline(
        {
          dbs: opts.db,
          pairs: opts.pairs,
          out: opts.out,
          seed: opts.seed,
          days: opts.days,
          compareSessions: opts.compareSessions,
          targets: TARGETS,
          soakDurationS: opts.soakDurationS,
          soakTimeScale: opts.soakTimeScale,
          checklist: DEFAULT_CHECKLIST_FILE,
        },
        (p) => output.info(`… ${p}`),
      )
      output.result(result, renderPipeline)
      // On real captures the exit code is the gate's: 0 REMOVE, 1 KEEP. On synthetic data KEEP
      // is the expected decision (synthetic evidence never removes the backup path): the demo
      // succeeded when every other step did.
      ctx.setExitCode(result.exitCode === 0 ? ExitCode.Ok : ExitCode.Findings)
    })
}
