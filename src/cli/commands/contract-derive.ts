/** `oigctl contract derive` and `oigctl contract validate`: a contract from / against captures. */
import path from 'node:path'
import type { Command } from 'commander'
import { DEFAULT_SESSION_GAP_MS } from '../../capture/sessions.js'
import { DEFAULT_MAX_CITATIONS, deriveContract } from '../../contract/run-derive.js'
import { readContract } from '../../contract/files.js'
import { runValidate } from '../../contract/run-validate.js'
import { checkOutputFile, writeJsonAtomic } from '../../evidence/files.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import { addOptions, numberOption, outFileOption, sessionGapOptions } from '../options.js'
import { renderValidation } from '../render/contract.js'
import {
  inputOptions,
  inputs,
  versionOption,
  writeAndShow,
  type Inputs,
} from '../contract-common.js'

interface DeriveOptions extends Inputs {
  readonly contractVersion: string
  readonly maxCitations: number
  readonly sessionGap: number
}

export function addDerive(contract: Command, ctx: CommandContext): void {
  const derive = contract
    .command('derive')
    .description(
      'derive the transition table of the real cloud from captures; every row cites captured frames',
    )
  addOptions(
    derive,
    inputOptions(
      "class-level evidence: the upstream pairing engine's request → reply pairs (PROTOCOL.md §8)",
    ),
    outFileOption('contract file to write', path.join('evidence', 'contract.json')),
    versionOption('semantic version written into the contract'),
    numberOption(
      '--max-citations <n>',
      'example citations kept per row',
      { int: true, above: 0, max: 1000 },
      DEFAULT_MAX_CITATIONS,
    ),
    sessionGapOptions(DEFAULT_SESSION_GAP_MS),
  ).action(
    ctx.action(async (output, opts: DeriveOptions) => {
      checkOutputFile(opts.out, '--out')
      const c = await deriveContract(
        {
          ...inputs(opts),
          version: opts.contractVersion,
          maxCitations: opts.maxCitations,
          sessionGapS: opts.sessionGap / 1000,
        },
        output.onProgress,
      )
      return writeAndShow(output, opts.out, 'contract', c)
    }),
  )
}

export function addValidate(contract: Command, ctx: CommandContext): void {
  const validate = contract
    .command('validate')
    .description(
      'check every row and citation of a contract against captures; reject rows no capture supports',
    )
    .requiredOption('--contract <file>', 'contract file')
  addOptions(
    validate,
    inputOptions(
      'pairs file that resolves the pair citations (FAIL on a missing pair or other classes)',
    ),
  )
    .option('--strict', 'also fail on transitions in the captures that the contract lacks')
    .addOption(
      outFileOption(
        'validation evidence file to write',
        path.join('evidence', 'contract-validation.json'),
      ),
    )
    .action(
      ctx.action(async (output, opts: Inputs & { contract: string; strict?: boolean }) => {
        checkOutputFile(opts.out, '--out')
        const v = await runValidate(
          { contract: readContract(opts.contract), ...inputs(opts), strict: opts.strict === true },
          output.onProgress,
        )
        writeJsonAtomic(opts.out, v)
        output.result(v, renderValidation)
        return v.verdict === 'valid' ? ExitCode.Ok : ExitCode.Findings
      }),
    )
}
