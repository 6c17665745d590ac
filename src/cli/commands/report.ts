/** `oigctl report --evidence DIR --out report.html`: one self-contained HTML file of the evidence. */
import path from 'node:path'
import type { Command } from 'commander'
import { checkOutputFile } from '../../evidence/files.js'
import { writeReport } from '../../report/files.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'

export function registerReport(program: Command, ctx: CommandContext): void {
  program
    .command('report')
    .description('write one self-contained HTML report (diagrams, contract, compare, soak, gate)')
    .option('--evidence <dir>', 'evidence folder written by pipeline', 'evidence')
    .option('--out <file>', 'HTML file to write (default: <evidence>/report.html)')
    .action(
      ctx.action(async (output, opts: { evidence: string; out?: string }) => {
        const out = opts.out ?? path.join(opts.evidence, 'report.html')
        checkOutputFile(out, '--out')
        const input = await writeReport(opts.evidence, out)
        const unread = input.entries.filter((e) => e.status !== 'ok')
        for (const e of unread)
          output.info(`not rendered: ${e.file}: ${e.status}${e.problem ? ` (${e.problem})` : ''}`)
        const summary = {
          kind: 'report',
          schemaVersion: 1,
          file: out,
          evidence: opts.evidence,
          files: input.entries.length,
          unread: unread.length,
          decision: input.gate?.decision ?? null,
        }
        output.result(
          summary,
          (s) => `wrote ${s.file} (${s.files} evidence files, ${s.unread} not rendered)`,
        )
        return ExitCode.Ok
      }),
    )
}
