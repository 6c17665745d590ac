/** `contract derive` and `contract merge` at the I/O edge: captures in, contract file out. */
import fs from 'node:fs'
import { openSources, streamSessions } from '../capture/sources.js'
import { DEFAULT_SESSION_GAP_MS } from '../capture/sessions.js'
import { OigError, reasonOf } from '../errors.js'
import { writeJsonAtomic } from '../evidence/files.js'
import { GENERATOR } from '../version.js'
import { buildContract, contractToState } from './build.js'
import { addSession } from './derive.js'
import { ContractSchema, type Contract } from './schema.js'
import { emptyState, mergeStates, type ContractState } from './state.js'

export const DEFAULT_MAX_CITATIONS = 5

export interface DeriveOptions {
  readonly dbs: readonly string[]
  readonly sessionFiles: readonly string[]
  readonly version: string
  readonly maxCitations: number
  readonly sessionGapS?: number
}

/** Derives a contract from captures (streaming, constant memory in their size). */
export async function deriveContract(
  opts: DeriveOptions,
  onProgress?: (file: string, rows: number) => void,
): Promise<Contract> {
  const sources = openSources(opts.dbs, opts.sessionFiles)
  try {
    const state: ContractState = emptyState(opts.maxCitations)
    for (const source of sources) {
      const stats = await streamSessions(source, {
        sessionGapMs: (opts.sessionGapS ?? DEFAULT_SESSION_GAP_MS / 1000) * 1000,
        onSession: (session) => addSession(state, session, source.ref.file),
        onProgress: (rows) => onProgress?.(source.ref.file, rows),
      })
      state.inputs.push({
        ...source.ref,
        frames: stats.rows,
        sessions: stats.sessions,
        firstTs: stats.firstTs,
        lastTs: stats.lastTs,
      })
    }
    return buildContract(state, { version: opts.version, generator: GENERATOR })
  } finally {
    for (const s of sources) s.close()
  }
}

/** Merges contracts derived separately (e.g. one per DB) into the contract of all their inputs. */
export function mergeContracts(contracts: readonly Contract[], version: string): Contract {
  const [first, ...rest] = contracts
  if (!first)
    throw new OigError('USAGE', 'Failed to merge contracts: none given.', {
      hint: 'Pass two or more contract files.',
    })
  let state = contractToState(first)
  for (const c of rest) {
    try {
      state = mergeStates(state, contractToState(c))
    } catch (error) {
      throw new OigError(
        'CONTRACT_MERGE_FAILED',
        `Failed to merge contracts: ${reasonOf(error)}.`,
        {
          hint: 'Derive every part with the same --max-citations.',
        },
      )
    }
  }
  return buildContract(state, { version, generator: GENERATOR })
}

/** Reads and validates a contract file; schema problems are listed as `path: message`. */
export function readContract(file: string): { contract: Contract; text: string } {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    const reason =
      (error as { code?: string }).code === 'ENOENT' ? 'file does not exist' : reasonOf(error)
    throw new OigError('CONTRACT_UNREADABLE', `Failed to read contract ${file}: ${reason}.`, {
      hint: 'Pass --contract with a file written by `oigctl contract derive`.',
    })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new OigError(
      'CONTRACT_INVALID',
      `Failed to read contract ${file}: not JSON (${reasonOf(error)}).`,
      {
        hint: 'Pass --contract with a file written by `oigctl contract derive`.',
      },
    )
  }
  const parsed = ContractSchema.safeParse(json)
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`,
    )
    throw new OigError(
      'CONTRACT_INVALID',
      `Failed to read contract ${file}: it does not match the contract schema:\n${lines.join('\n')}`,
      {
        hint: 'Compare it with contracts/schemas/contract.schema.json, or derive it again.',
      },
    )
  }
  return { contract: parsed.data, text }
}

export function writeContract(file: string, contract: Contract): void {
  writeJsonAtomic(file, contract)
}
