/**
 * `oigctl show FILE|-`: a fixture, replay transcript, compare report or the add-on's session export
 * as a text sequence diagram; extract-result, gate, soak, rehearsal, contract and validation
 * documents as the summary their command prints.
 */
import type { Command } from 'commander'
import { readShowInput } from '../../show/files.js'
import { renderSequence } from '../../show/render-sequence.js'
import { filterSequence, sequenceSize, type ShowFilter } from '../../show/filter.js'
import { OigError } from '../../errors.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import { printResults } from '../print-results.js'
import { renderSummary } from '../render/show.js'

interface ShowFlags {
  failuresOnly?: boolean
  target?: string
  class?: string
}

export function registerShow(program: Command, ctx: CommandContext): void {
  program
    .command('show')
    .description(
      "draw a session fixture, replay transcript, compare report or the add-on's session export as a text sequence diagram; summarise extract-result, gate, soak, rollback-rehearsal, contract and contract-validation documents",
    )
    .argument(
      '<file>',
      'sessions/*.sessions.json (or one session: …#REF), replay/*.replay.json, compare.json, a session export, extract-result.json, gate.json, soak/*.soak.json, … or - (standard input)',
    )
    .option(
      '--failures-only',
      'compare: only rows some target did not PASS; replay: only steps without a clean reply',
    )
    .option('--target <name>', 'compare: only this target (beside online, the reference)')
    .option(
      '--class <class>',
      'only frames of this class or class prefix (e.g. box.upload, box.poll)',
    )
    .action(
      ctx.action(async (output, file: string, raw: ShowFlags) => {
        const filter: ShowFilter = {
          failuresOnly: raw.failuresOnly === true,
          target: raw.target ?? null,
          cls: raw.class ?? null,
        }
        const read = await readShowInput(file, process.stdin)
        const filtered = filter.failuresOnly || filter.target !== null || filter.cls !== null
        if (read.type === 'summary' && filtered)
          throw new OigError(
            'USAGE',
            `Failed to run show: --failures-only, --target and --class filter sequences.`,
            {
              hint: 'Pass a compare report, replay transcript or session fixture.',
            },
          )
        const input =
          read.type === 'summary'
            ? read
            : { ...read, docs: read.docs.map((d) => filterSequence(d, filter)) }
        if (filtered && input.type === 'sequence') {
          const before =
            read.type === 'sequence' ? read.docs.reduce((n, d) => n + sequenceSize(d), 0) : 0
          const after = input.docs.reduce((n, d) => n + sequenceSize(d), 0)
          output.info(
            `showing ${after} of ${before} rows (${[filter.failuresOnly ? '--failures-only' : null, filter.target ? `--target ${filter.target}` : null, filter.cls ? `--class ${filter.cls}` : null].filter(Boolean).join(' ')})`,
          )
        }
        if (input.type === 'summary') output.result(input.doc, (_d, c) => renderSummary(input, c))
        // An export of several sessions: one document under --json, like replay's batch.
        else
          printResults(
            output,
            input.docs,
            { kind: 'session-batch', field: 'sessions' },
            renderSequence,
          )
        return ExitCode.Ok
      }),
    )
}
