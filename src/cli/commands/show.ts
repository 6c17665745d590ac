/**
 * `oigctl show FILE|-`: a fixture, replay transcript, compare report or the add-on's session export
 * as a text sequence diagram; extract-result, gate, soak, rehearsal, contract and validation
 * documents as the summary their command prints.
 */
import type { Command } from 'commander'
import type { SessionFixture } from '../../evidence/schemas/session-fixture.js'
import { readShowInput } from '../../show/files.js'
import { renderSequence } from '../../show/render-sequence.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import { renderSummary } from '../render/show.js'

export function registerShow(program: Command, ctx: CommandContext): void {
  program
    .command('show')
    .description(
      "draw a session fixture, replay transcript, compare report or the add-on's session export as a text sequence diagram; summarise extract-result, gate, soak, rollback-rehearsal, contract and contract-validation documents",
    )
    .argument(
      '<file>',
      'sessions/*.session.json, replay/*.replay.json, compare.json, a session export, extract-result.json, gate.json, soak/*.soak.json, … or - (standard input)',
    )
    .action(async (file: string, _raw: unknown, command: Command) => {
      const output = ctx.open(command)
      const input = await readShowInput(file, process.stdin)
      if (input.type === 'summary') output.result(input.doc, (_d, c) => renderSummary(input, c))
      else if (input.docs.length === 1) output.result(input.docs[0]!, renderSequence)
      else {
        // An export of several sessions: one document under --json, like replay's batch.
        const batch = {
          kind: 'session-batch',
          schemaVersion: 1,
          sessions: input.docs as SessionFixture[],
        }
        output.result(batch, (b, c) => b.sessions.map((d) => renderSequence(d, c)).join('\n\n'))
      }
      ctx.setExitCode(ExitCode.Ok)
    })
}
