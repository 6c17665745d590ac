/** `oigctl simulate`: write a synthetic capture DB (labelled synthetic) in the add-on's layout. */
import type { Command } from 'commander'
import { z } from 'zod'
import { OigError, reasonOf } from '../../errors.js'
import { checkOutputFile } from '../../evidence/files.js'
import { SimulateError, writeSyntheticDb, type SimulateDoc } from '../../simulate/synthetic-db.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import {
  addOptions,
  durationAlias,
  DurationOption,
  numberOption,
  outFileOption,
  parseOptions,
  seedOption,
} from '../options.js'
import { renderSimulate } from '../render/simulate.js'

interface SimulateOptions {
  readonly out: string
  readonly days?: number
  readonly sessions?: number
  readonly rows?: number
  readonly seed: number
  readonly start?: string
  readonly force?: boolean
  /** ms */
  readonly connectionAge?: number
}

const OneSize = z
  .object({
    days: z.number().optional(),
    sessions: z.number().optional(),
    rows: z.number().optional(),
  })
  .refine((o) => [o.days, o.sessions, o.rows].filter((v) => v !== undefined).length <= 1, {
    message: 'give only one of --days, --sessions, --rows',
    path: ['days'],
  })

/** Runs the simulator, mapping its failures to "could not run" errors. */
export async function simulateToFile(
  opts: SimulateOptions,
  onProgress?: (rows: number) => void,
): Promise<SimulateDoc> {
  try {
    const result = await writeSyntheticDb(
      {
        out: opts.out,
        seed: opts.seed,
        force: opts.force === true,
        ...(opts.days === undefined ? {} : { days: opts.days }),
        ...(opts.sessions === undefined ? {} : { sessions: opts.sessions }),
        ...(opts.rows === undefined ? {} : { rows: opts.rows }),
        ...(opts.start === undefined ? {} : { start: opts.start }),
        ...(opts.connectionAge === undefined
          ? {}
          : { connectionMinutes: opts.connectionAge / 60_000 }),
      },
      onProgress,
    )
    return { kind: 'simulate-result', schemaVersion: 1, synthetic: true, ...result }
  } catch (error) {
    if (error instanceof OigError) throw error
    const code = error instanceof SimulateError ? error.code : 'WRITE_FAILED'
    const hint =
      code === 'INVALID_OPTIONS'
        ? 'Check --start (ISO-8601 with a zone, e.g. 2026-01-05T00:00:00Z) and the size options.'
        : code === 'OUT_EXISTS'
          ? 'Pass --force to replace the existing file, or choose another --out.'
          : 'Choose a writable --out path.'
    throw new OigError(
      'SIMULATE_FAILED',
      `Failed to write synthetic capture DB ${opts.out}: ${reasonOf(error)}.`,
      { hint, cause: error },
    )
  }
}

export function registerSimulate(program: Command, ctx: CommandContext): void {
  const age = new DurationOption(
    '--connection-age <duration>',
    '2025-style long connections: batches share a BOX connection until it is this old, e.g. 30m',
  )
  const simulate = program
    .command('simulate')
    .description(
      'write a synthetic capture DB (every row labelled synthetic) modelled on the observed protocol',
    )
  addOptions(
    simulate,
    outFileOption('the DB file to write'),
    numberOption('--days <n>', 'simulated time span in days (default 1)', { above: 0 }),
    numberOption('--sessions <n>', 'number of BOX sessions instead of --days', {
      int: true,
      above: 0,
    }),
    numberOption('--rows <n>', 'exact number of rows instead of --days', { int: true, above: 0 }),
    seedOption('PRNG seed: the same seed gives the same DB'),
  )
    .option('--start <iso>', 'simulated start time (default a fixed instant, never the clock)')
    .addOption(age)
    .addOption(durationAlias('--connection-minutes <n>', age, 'm'))
    .option('--force', 'replace an existing --out file')
    .action(
      ctx.action(async (output, opts: SimulateOptions) => {
        parseOptions(OneSize, opts, 'simulate')
        checkOutputFile(opts.out, '--out')
        const doc = await simulateToFile(opts, (n) =>
          output.progress(`simulate: ${n.toLocaleString('en')} rows`),
        )
        output.result(doc, renderSimulate)
        return ExitCode.Ok
      }),
    )
}
