/** `oigctl gate`: may the legacy backup path go? REMOVE (exit 0) or KEEP (exit 1) from evidence. */
import type { Command } from 'commander'
import { z } from 'zod'
import { checkExistingDirWritable, checkOutputFile } from '../../evidence/files.js'
import { DEFAULT_CHECKLIST_FILE } from '../../gate/read-checklist.js'
import { runGate } from '../../pipeline/run-gate.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import { parseOptions } from '../options.js'
import {
  renderGateDecision,
  renderGateLine,
  renderGateMarkdown,
  renderRehearsal,
} from '../render/gate.js'

const GateOptions = z
  .object({
    evidence: z.string().min(1),
    checklist: z.string().min(1).default(DEFAULT_CHECKLIST_FILE),
    contract: z.string().min(1).optional(),
    junit: z.string().min(1).optional(),
    rehearseRollback: z.boolean().default(false),
    session: z.string().min(1).optional(),
    maxAgeDays: z.coerce.number().positive('expected a positive number of days').optional(),
    format: z.enum(['text', 'markdown']).default('text'),
  })
  .refine((o) => o.session === undefined || o.rehearseRollback, {
    path: ['session'],
    message: 'only used with --rehearse-rollback',
  })

export function registerGate(program: Command, ctx: CommandContext): void {
  program
    .command('gate')
    .description(
      'decide from evidence whether the legacy backup path may be removed (REMOVE) or must stay (KEEP)',
    )
    .requiredOption(
      '--evidence <dir>',
      'evidence folder (extract, contract validate, compare, soak output)',
    )
    .option('--checklist <file>', 'checklist of criteria', 'contracts/gate.checklist.json')
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
      'session to rehearse with (default: the first <evidence>/sessions/*.session.json)',
    )
    .option('--max-age-days <n>', 'evidence older than this is stale (overrides the checklist)')
    .option(
      '--format <format>',
      'text | markdown (a table for a CI job summary); with -q, text is one line: REMOVE or KEEP: <first blocking reason>',
      'text',
    )
    .action(async (raw: { checklist?: string }, command: Command) => {
      const output = ctx.open(command)
      // The default names the shipped checklist, found next to the package from any folder.
      const given =
        command.getOptionValueSource('checklist') === 'default'
          ? { ...raw, checklist: undefined }
          : raw
      const opts = parseOptions(GateOptions, given, 'gate')
      if (opts.junit) checkOutputFile(opts.junit, '--junit')
      // gate.json goes into the evidence folder (its absence is reported by the gate itself).
      checkExistingDirWritable(opts.evidence, '--evidence')
      const { decision, rehearsal, files } = await runGate({
        evidence: opts.evidence,
        checklist: opts.checklist,
        contract: opts.contract ?? null,
        junit: opts.junit ?? null,
        rehearse: opts.rehearseRollback,
        session: opts.session ?? null,
        maxAgeDays: opts.maxAgeDays ?? null,
      })
      if (rehearsal) output.info(renderRehearsal(rehearsal, output.chalk))
      output.info(`wrote ${files.join(' and ')}`)
      const quiet = command.optsWithGlobals<{ quiet?: boolean }>().quiet === true
      output.result(
        decision,
        opts.format === 'markdown'
          ? renderGateMarkdown
          : quiet
            ? renderGateLine
            : renderGateDecision,
      )
      ctx.setExitCode(decision.decision === 'REMOVE' ? ExitCode.Ok : ExitCode.Findings)
    })
}
