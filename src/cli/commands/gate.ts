/** `oigctl gate`: may the legacy backup path go? REMOVE (exit 0) or KEEP (exit 1) from evidence. */
import type { Command } from 'commander'
import { z } from 'zod'
import { checkExistingDirWritable, checkOutputFile } from '../../evidence/files.js'
import { runGate } from '../../pipeline/run-gate.js'
import { SHIPPED_CHECKLIST } from '../../shipped.js'
import type { CommandContext } from '../context.js'
import { stdinForOptions } from '../stdin.js'
import { ExitCode } from '../exit-codes.js'
import {
  addOptions,
  choiceOption,
  durationAlias,
  DurationOption,
  parseOptions,
} from '../options.js'
import {
  renderGateDecision,
  renderGateLine,
  renderGateMarkdown,
  renderRehearsal,
} from '../render/gate.js'

interface GateOptions {
  readonly evidence: string
  readonly checklist: string
  readonly contract?: string
  readonly junit?: string
  readonly rehearseRollback?: boolean
  readonly session?: string
  readonly maxAge?: number
  readonly format: 'text' | 'markdown'
}

const SessionNeedsRehearsal = z
  .object({ session: z.string().optional(), rehearseRollback: z.boolean().optional() })
  .refine((o) => o.session === undefined || o.rehearseRollback === true, {
    path: ['session'],
    message: 'only used with --rehearse-rollback',
  })

const DAY_MS = 86_400_000

export function registerGate(program: Command, ctx: CommandContext): void {
  const maxAge = new DurationOption(
    '--max-age <duration>',
    'evidence older than this is stale, e.g. 7d (overrides the checklist)',
  )
  const gate = program
    .command('gate')
    .description(
      'decide from evidence whether the legacy backup path may be removed (REMOVE) or must stay (KEEP)',
    )
    .requiredOption(
      '--evidence <dir>',
      'evidence folder (extract, contract validate, compare, soak output)',
    )
    .option('--checklist <file>', 'checklist of criteria', SHIPPED_CHECKLIST)
    .option(
      '--contract <file>',
      'the contract the evidence refers to (default: <evidence>/contract.json, else the shipped one)',
    )
    .option('--junit <file>', 'write JUnit XML, one test case per criterion')
    .option(
      '--rehearse-rollback',
      'first rehearse the runtime rollback to the legacy replies and record it as evidence',
    )
    .option(
      '--session <file>',
      'session to rehearse with (default: the first pack in <evidence>/sessions/)',
    )
  addOptions(
    gate,
    maxAge,
    durationAlias('--max-age-days <n>', maxAge, 'd'),
    choiceOption(
      '--format <format>',
      'markdown: a table for a CI job summary; with -q, text is one line: REMOVE or KEEP: <first blocking reason>',
      ['text', 'markdown'],
      'text',
    ),
  ).action(
    ctx.action(async (output, opts: GateOptions) => {
      parseOptions(SessionNeedsRehearsal, opts, 'gate')
      // `-`: one of the JSON inputs from standard input.
      const documents = { '--checklist': opts.checklist, '--contract': opts.contract }
      await stdinForOptions(
        'gate',
        { ...documents, '--session': opts.session },
        { '--evidence': opts.evidence },
      )
      if (opts.junit) checkOutputFile(opts.junit, '--junit')
      // gate.json goes into the evidence folder (its absence is reported by the gate itself).
      checkExistingDirWritable(opts.evidence, '--evidence')
      const { decision, rehearsal, files } = await runGate({
        evidence: opts.evidence,
        checklist: opts.checklist,
        contract: opts.contract ?? null,
        junit: opts.junit ?? null,
        rehearse: opts.rehearseRollback === true,
        session: opts.session ?? null,
        maxAgeDays: opts.maxAge === undefined ? null : opts.maxAge / DAY_MS,
      })
      if (rehearsal) output.info(renderRehearsal(rehearsal, output.chalk))
      output.info(`wrote ${files.join(' and ')}`)
      const quiet = gate.optsWithGlobals<{ quiet?: boolean }>().quiet === true
      const render =
        opts.format === 'markdown'
          ? renderGateMarkdown
          : quiet
            ? renderGateLine
            : renderGateDecision
      output.result(decision, render)
      return decision.decision === 'REMOVE' ? ExitCode.Ok : ExitCode.Findings
    }),
  )
}
