/** `oigctl contract derive | validate | diff | merge`. */
import path from 'node:path'
import type { Command } from 'commander'
import { z } from 'zod'
import { DEFAULT_SESSION_GAP_MS } from '../../capture/sessions.js'
import { diffContracts } from '../../contract/diff.js'
import { DEFAULT_MAX_CITATIONS, deriveContract, mergeContracts } from '../../contract/run-derive.js'
import { readContract, writeContract } from '../../contract/files.js'
import { runValidate } from '../../contract/run-validate.js'
import { checkOutputFile, writeJsonAtomic } from '../../evidence/files.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import {
  collect,
  dbOption,
  parseOptions,
  sessionExports,
  sessionFileAlias,
  sessionOption,
} from '../options.js'
import { renderContract, renderContractDiff, renderValidation } from '../render/contract.js'

const SemVer = z.string().regex(/^\d+\.\d+\.\d+$/, 'expected a semantic version like 1.0.0')

const DeriveOptions = z.object({
  db: z.array(z.string()).default([]),
  session: z.array(z.string()).default([]),
  sessionFile: z.array(z.string()).default([]),
  pairs: z.array(z.string()).default([]),
  out: z.string().min(1).default(path.join('evidence', 'contract.json')),
  contractVersion: SemVer.default('1.0.0'),
  maxCitations: z.coerce.number().int().positive().max(1000).default(DEFAULT_MAX_CITATIONS),
  sessionGapS: z.coerce
    .number()
    .positive()
    .default(DEFAULT_SESSION_GAP_MS / 1000),
})

const ValidateOptions = z.object({
  contract: z.string().min(1),
  db: z.array(z.string()).default([]),
  session: z.array(z.string()).default([]),
  sessionFile: z.array(z.string()).default([]),
  pairs: z.array(z.string()).default([]),
  strict: z.boolean().default(false),
  out: z.string().min(1).default(path.join('evidence', 'contract-validation.json')),
})

const MergeOptions = z.object({ out: z.string().min(1), contractVersion: SemVer.default('1.0.0') })

export function registerContract(program: Command, ctx: CommandContext): void {
  const contract = program
    .command('contract')
    .description('derive, validate, diff and merge the protocol contract')

  contract
    .command('derive')
    .description(
      'derive the transition table of the real cloud from captures; every row cites captured frames',
    )
    .addOption(dbOption('capture DBs: repeatable, several after one --db, or a quoted glob'))
    .addOption(sessionOption())
    .addOption(sessionFileAlias())
    .option(
      '--pairs <file>',
      "class-level evidence: the upstream pairing engine's request → reply pairs (PROTOCOL.md §8); repeatable",
      collect,
    )
    .option('--out <file>', 'contract file to write', path.join('evidence', 'contract.json'))
    .option('--contract-version <semver>', 'semantic version written into the contract', '1.0.0')
    .option('--max-citations <n>', 'example citations kept per row', String(DEFAULT_MAX_CITATIONS))
    .option(
      '--session-gap-s <seconds>',
      'silence that ends a session when conn_id cannot tell',
      String(DEFAULT_SESSION_GAP_MS / 1000),
    )
    .action(async (raw: unknown, command: Command) => {
      const output = ctx.open(command)
      const opts = parseOptions(DeriveOptions, raw, 'contract derive')
      checkOutputFile(opts.out, '--out')
      const c = await deriveContract(
        {
          dbs: opts.db,
          sessionFiles: sessionExports(opts),
          pairs: opts.pairs,
          version: opts.contractVersion,
          maxCitations: opts.maxCitations,
          sessionGapS: opts.sessionGapS,
        },
        (file, rows) =>
          output.progress(`contract derive: ${file}: ${rows.toLocaleString('en')} rows`),
      )
      writeContract(opts.out, c)
      output.info(`wrote contract ${opts.out}`)
      output.result(c, renderContract)
      ctx.setExitCode(ExitCode.Ok)
    })

  contract
    .command('validate')
    .description(
      'check every row and citation of a contract against captures; reject rows no capture supports',
    )
    .requiredOption('--contract <file>', 'contract file')
    .addOption(dbOption('capture DBs: repeatable, several after one --db, or a quoted glob'))
    .addOption(sessionOption())
    .addOption(sessionFileAlias())
    .option(
      '--pairs <file>',
      'pairs file that resolves the pair citations (FAIL on a missing pair or other classes); repeatable',
      collect,
    )
    .option('--strict', 'also fail on transitions in the captures that the contract lacks')
    .option(
      '--out <file>',
      'validation evidence file to write',
      path.join('evidence', 'contract-validation.json'),
    )
    .action(async (raw: unknown, command: Command) => {
      const output = ctx.open(command)
      const opts = parseOptions(ValidateOptions, raw, 'contract validate')
      checkOutputFile(opts.out, '--out')
      const v = await runValidate({
        contract: opts.contract,
        dbs: opts.db,
        sessionFiles: sessionExports(opts),
        pairs: opts.pairs,
        strict: opts.strict,
      })
      writeJsonAtomic(opts.out, v)
      output.result(v, renderValidation)
      ctx.setExitCode(v.verdict === 'valid' ? ExitCode.Ok : ExitCode.Findings)
    })

  contract
    .command('diff')
    .description(
      'rows added, removed and changed between two contracts; exit 1 on a breaking change',
    )
    .argument('<old>', 'the older contract')
    .argument('<new>', 'the newer contract')
    .action((oldFile: string, newFile: string, _raw: unknown, command: Command) => {
      const output = ctx.open(command)
      const d = diffContracts(readContract(oldFile).contract, readContract(newFile).contract)
      output.result(d, renderContractDiff)
      ctx.setExitCode(d.breaking ? ExitCode.Findings : ExitCode.Ok)
    })

  contract
    .command('merge')
    .description(
      'merge contracts derived separately (one per DB or month) into the contract of all their inputs',
    )
    .argument('<contracts...>', 'contract files')
    .requiredOption('--out <file>', 'merged contract file to write')
    .option(
      '--contract-version <semver>',
      'semantic version written into the merged contract',
      '1.0.0',
    )
    .action((files: string[], raw: unknown, command: Command) => {
      const output = ctx.open(command)
      const opts = parseOptions(MergeOptions, raw, 'contract merge')
      checkOutputFile(opts.out, '--out')
      const merged = mergeContracts(
        files.map((f) => readContract(f).contract),
        opts.contractVersion,
      )
      writeContract(opts.out, merged)
      output.info(`wrote merged contract ${opts.out}`)
      output.result(merged, renderContract)
      ctx.setExitCode(ExitCode.Ok)
    })
}
