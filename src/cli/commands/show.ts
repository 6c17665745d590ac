/** `oigctl show FILE`: a fixture, replay transcript or compare report as a text sequence diagram. */
import type { Command } from 'commander'
import { renderSequence } from '../../show/render-sequence.js'
import { readSequenceDoc } from '../../show/files.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'

export function registerShow(program: Command, ctx: CommandContext): void {
  program
    .command('show')
    .description(
      'draw a session fixture, replay transcript or compare report as a text sequence diagram',
    )
    .argument('<file>', 'sessions/*.session.json, replay/*.replay.json or compare.json')
    .action((file: string, _raw: unknown, command: Command) => {
      const output = ctx.open(command)
      const doc = readSequenceDoc(file)
      output.result(doc, renderSequence)
      ctx.setExitCode(ExitCode.Ok)
    })
}
