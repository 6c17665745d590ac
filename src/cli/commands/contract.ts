/** `oigctl contract derive | validate | diff | merge` (derive and validate: contract-derive.ts). */
import type { Command } from 'commander'
import { diffContracts } from '../../contract/diff.js'
import { mergeContracts } from '../../contract/run-derive.js'
import { readContract } from '../../contract/files.js'
import { checkOutputFile } from '../../evidence/files.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import { outFileOption } from '../options.js'
import { renderContractDiff } from '../render/contract.js'
import { addDerive, addValidate } from './contract-derive.js'
import { versionOption, writeAndShow } from '../contract-common.js'

export function registerContract(program: Command, ctx: CommandContext): void {
  const contract = program
    .command('contract')
    .description('derive, validate, diff and merge the protocol contract')
  addDerive(contract, ctx)
  addValidate(contract, ctx)

  contract
    .command('diff')
    .description(
      'rows added, removed and changed between two contracts; exit 1 on a breaking change',
    )
    .argument('<old>', 'the older contract')
    .argument('<new>', 'the newer contract')
    .action(
      ctx.action((output, oldFile: string, newFile: string) => {
        const d = diffContracts(readContract(oldFile).contract, readContract(newFile).contract)
        output.result(d, renderContractDiff)
        return d.breaking ? ExitCode.Findings : ExitCode.Ok
      }),
    )

  contract
    .command('merge')
    .description(
      'merge contracts derived separately (one per DB or month) into the contract of all their inputs',
    )
    .argument('<contracts...>', 'contract files')
    .addOption(outFileOption('merged contract file to write'))
    .addOption(versionOption('semantic version written into the merged contract'))
    .action(
      ctx.action((output, files: string[], opts: { out: string; contractVersion: string }) => {
        checkOutputFile(opts.out, '--out')
        const contracts = files.map((f) => readContract(f).contract)
        return writeAndShow(
          output,
          opts.out,
          'merged contract',
          mergeContracts(contracts, opts.contractVersion),
        )
      }),
    )
}
