/** `oigctl demo` (npm start): the main job on built-in synthetic data, no real capture needed. */
import path from 'node:path'
import type { Command } from 'commander'
import { z } from 'zod'
import type { ExtractResult } from '../../evidence/schemas/extract-result.js'
import { runExtract } from '../../extract/run-extract.js'
import { DEFAULT_SESSION_GAP_MS } from '../../capture/sessions.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import { parseOptions } from '../options.js'
import { renderExtract } from '../render/extract.js'
import { simulateToFile, type SimulateDoc } from './simulate.js'

const DemoOptions = z.object({
  out: z.string().min(1).default(path.join('evidence', 'demo')),
  seed: z.coerce.number().int().default(1),
  days: z.coerce.number().positive().default(1),
})

interface DemoDoc {
  kind: 'demo-result'
  schemaVersion: 1
  synthetic: true
  simulate: SimulateDoc
  extract: ExtractResult
}

export function registerDemo(program: Command, ctx: CommandContext): void {
  program
    .command('demo')
    .description(
      'run the pipeline on a built-in synthetic capture (simulate → extract) into evidence/demo',
    )
    .option('--out <dir>', 'output folder', path.join('evidence', 'demo'))
    .option('--seed <n>', 'seed of the synthetic capture', '1')
    .option('--days <n>', 'days of synthetic traffic', '1')
    .action(async (raw: unknown, command: Command) => {
      const output = ctx.open(command)
      const opts = parseOptions(DemoOptions, raw, 'demo')
      const db = path.join(opts.out, 'synthetic-capture.db')
      output.info(
        `demo: writing a synthetic capture (seed ${opts.seed}, ${opts.days} day(s)) to ${db}`,
      )
      const { mkdirSync } = await import('node:fs')
      mkdirSync(opts.out, { recursive: true })
      const simulate = await simulateToFile({
        out: db,
        seed: opts.seed,
        days: opts.days,
        force: true,
      })
      output.info(`demo: extracting sessions into ${opts.out}`)
      const extract = await runExtract({
        dbs: [db],
        sessionFiles: [],
        out: opts.out,
        select: 'all',
        from: null,
        to: null,
        conn: null,
        sessionGapS: DEFAULT_SESSION_GAP_MS / 1000,
      })
      const doc: DemoDoc = {
        kind: 'demo-result',
        schemaVersion: 1,
        synthetic: true,
        simulate,
        extract,
      }
      output.result(doc, (d, c) => renderExtract(d.extract, c))
      ctx.setExitCode(extract.totals.findings.error > 0 ? ExitCode.Findings : ExitCode.Ok)
    })
}
