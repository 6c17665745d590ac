/** The contract file at the I/O edge: read once into a LoadedContract, written atomically. */
import { OigError } from '../errors.js'
import { writeJsonAtomic } from '../evidence/files.js'
import { issueText, readJsonOrThrow } from '../evidence/read-document.js'
import { ContractSchema, type Contract } from './schema.js'

/** A contract with the file it came from: what compare, soak, rehearse, validate and serve take. */
export interface LoadedContract {
  readonly contract: Contract
  readonly file: string
  /** The file's text, as read (its sha256 is the contract's identity in evidence). */
  readonly text: string
  readonly sha256: string
}

const CODES = ['CONTRACT_UNREADABLE', 'CONTRACT_INVALID'] as const
const HINT = 'Pass --contract with a file written by `oigctl contract derive`.'

/** Reads and validates a contract file; schema problems are listed as `path: message`. */
export function readContract(file: string): LoadedContract {
  const { text, sha256, value } = readJsonOrThrow(file, 'contract', CODES, HINT)
  const parsed = ContractSchema.safeParse(value)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${issueText(i)}`)
    throw new OigError(
      'CONTRACT_INVALID',
      `Failed to read contract ${file}: it does not match the contract schema:\n${lines.join('\n')}`,
      { hint: 'Compare it with contracts/schemas/contract.schema.json, or derive it again.' },
    )
  }
  return { contract: parsed.data, file, text, sha256 }
}

/** Writes a contract file atomically (temp file + rename). */
export function writeContract(file: string, contract: Contract): void {
  writeJsonAtomic(file, contract)
}
