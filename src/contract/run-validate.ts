/** `contract validate` at the I/O edge: contract + captures in, validation evidence out. */
import type { OnProgress } from '../progress.js'
import { GENERATOR } from '../version.js'
import type { LoadedContract } from './files.js'
import { deriveState } from './run-derive.js'
import {
  citedFrames,
  collectFacts,
  validateContract,
  type FactKey,
  type FrameFact,
} from './validate.js'
import type { ContractValidation } from './validation-schema.js'

export type { ContractValidation }

export interface ValidateOptions {
  /** The contract validated (its file and sha256 go into the evidence). */
  readonly contract: LoadedContract
  readonly dbs: readonly string[]
  readonly sessionFiles: readonly string[]
  /** Pairs files that resolve the contract's pair citations. */
  readonly pairs?: readonly string[]
  readonly strict: boolean
}

/** Validates a contract against captures; unreadable captures throw (exit 2), findings are values. */
export async function runValidate(
  opts: ValidateOptions,
  onProgress?: OnProgress,
): Promise<ContractValidation> {
  const { contract, sha256, file } = opts.contract
  const wanted = citedFrames(contract)
  const facts = new Map<FactKey, FrameFact>()
  const ledger = new Map<string, string>()
  const observed = await deriveState(
    {
      dbs: opts.dbs,
      sessionFiles: opts.sessionFiles,
      pairs: opts.pairs ?? [],
      maxCitations: contract.rules.maxCitations,
    },
    {
      onSession: (session, file) => collectFacts(session, file, wanted, facts),
      ledger,
      task: 'contract validate',
      ...(onProgress ? { onProgress } : {}),
    },
  )
  {
    const key = (xs: ReadonlyArray<{ file: string; sha256: string }>): string =>
      xs
        .map((x) => `${x.file}:${x.sha256}`)
        .sort()
        .join('|')
    const sameInputs = key(observed.inputs) === key(contract.inputs)
    const outcome = validateContract(contract, observed, facts, {
      strict: opts.strict,
      sameInputs,
      ledger,
    })
    const errors = outcome.problems.filter((p) => p.severity === 'error').length
    return {
      kind: 'contract-validation',
      schemaVersion: 1,
      generator: GENERATOR,
      generatedAt: new Date().toISOString(),
      contract: {
        file,
        version: contract.version,
        sha256,
        inputs: contract.inputs.map((i) => ({ file: i.file, sha256: i.sha256 })),
      },
      inputs: observed.inputs.map((i) => ({
        file: i.file,
        sha256: i.sha256,
        synthetic: i.synthetic,
        frames: i.frames,
      })),
      sameInputs,
      strict: opts.strict,
      verdict: errors > 0 ? 'invalid' : 'valid',
      counts: {
        rows: outcome.rows.length,
        supported: outcome.rows.filter((r) => r.status === 'supported').length,
        unsupported: outcome.rows.filter((r) => r.status === 'unsupported').length,
        badCitations: outcome.rows.filter((r) => r.status === 'bad-citation').length,
        unresolved: outcome.rows.filter((r) => r.status === 'unresolved').length,
        missing: outcome.missing.length,
        errors,
        warnings: outcome.problems.filter((p) => p.severity === 'warning').length,
      },
      rows: outcome.rows,
      missing: outcome.missing,
      problems: outcome.problems,
    }
  }
}
