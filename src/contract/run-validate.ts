/** `contract validate` at the I/O edge: contract + captures in, validation evidence out. */
import { createHash } from 'node:crypto'
import { openSources, streamSessions } from '../capture/sources.js'
import { DEFAULT_SESSION_GAP_MS } from '../capture/sessions.js'
import { GENERATOR } from '../version.js'
import { addSession } from './derive.js'
import { readContract } from './run-derive.js'
import { emptyState } from './state.js'
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
  readonly contract: string
  readonly dbs: readonly string[]
  readonly sessionFiles: readonly string[]
  readonly strict: boolean
}

/** Validates a contract file against captures; schema problems throw (exit 2), findings are values. */
export async function runValidate(opts: ValidateOptions): Promise<ContractValidation> {
  const { contract, text } = readContract(opts.contract)
  const sources = openSources(opts.dbs, opts.sessionFiles)
  try {
    const observed = emptyState(contract.rules.maxCitations)
    const wanted = citedFrames(contract)
    const facts = new Map<FactKey, FrameFact>()
    for (const source of sources) {
      const stats = await streamSessions(source, {
        sessionGapMs: DEFAULT_SESSION_GAP_MS,
        onSession: (session) => {
          addSession(observed, session, source.ref.file)
          collectFacts(session, source.ref.file, wanted, facts)
        },
      })
      observed.inputs.push({
        ...source.ref,
        frames: stats.rows,
        sessions: stats.sessions,
        firstTs: stats.firstTs,
        lastTs: stats.lastTs,
      })
    }
    const key = (xs: ReadonlyArray<{ file: string; sha256: string }>): string =>
      xs
        .map((x) => `${x.file}:${x.sha256}`)
        .sort()
        .join('|')
    const sameInputs = key(observed.inputs) === key(contract.inputs)
    const outcome = validateContract(contract, observed, facts, { strict: opts.strict, sameInputs })
    const errors = outcome.problems.filter((p) => p.severity === 'error').length
    return {
      kind: 'contract-validation',
      schemaVersion: 1,
      generator: GENERATOR,
      generatedAt: new Date().toISOString(),
      contract: {
        file: opts.contract,
        version: contract.version,
        sha256: createHash('sha256').update(text).digest('hex'),
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
        missing: outcome.missing.length,
        errors,
        warnings: outcome.problems.filter((p) => p.severity === 'warning').length,
      },
      rows: outcome.rows,
      missing: outcome.missing,
      problems: outcome.problems,
    }
  } finally {
    for (const s of sources) s.close()
  }
}
