/** What `contract derive` and `contract validate` (and merge) share: inputs, version, writing. */
import { Option } from 'commander'
import { writeContract } from '../contract/files.js'
import type { Contract } from '../contract/schema.js'
import { ExitCode } from './exit-codes.js'
import type { Output } from './output.js'
import {
  dbOption,
  OptionValueError,
  pairsOption,
  SESSION_INPUT_HELP,
  sessionOptions,
} from './options.js'
import { renderContract } from './render/contract.js'

export interface Inputs {
  readonly db?: string[]
  readonly session?: string[]
  readonly pairs?: string[]
  readonly out: string
}

/** The capture inputs derive and validate share: --db, --session, --pairs. */
export function inputOptions(pairs: string): Option[] {
  return [
    dbOption('capture DBs: repeatable, several after one --db, or a quoted glob'),
    ...sessionOptions(SESSION_INPUT_HELP),
    pairsOption(pairs),
  ]
}

/** The inputs as the domain takes them. */
export function inputs(o: Inputs) {
  return { dbs: o.db ?? [], sessionFiles: o.session ?? [], pairs: o.pairs ?? [] }
}

/** `--contract-version X.Y.Z`, the semantic version written into a contract. */
export function versionOption(description: string): Option {
  return new Option('--contract-version <semver>', description)
    .default('1.0.0')
    .argParser((v: string) => {
      if (/^\d+\.\d+\.\d+$/.test(v)) return v
      throw new OptionValueError(
        `invalid --contract-version: expected a semantic version like 1.0.0 (got ${JSON.stringify(v)})`,
      )
    })
}

/** Writes a contract (atomically) and prints it. */
export function writeAndShow(output: Output, out: string, what: string, c: Contract): ExitCode {
  writeContract(out, c)
  output.info(`wrote ${what} ${out}`)
  output.result(c, renderContract)
  return ExitCode.Ok
}
