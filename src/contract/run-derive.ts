/** `contract derive` and `contract merge` at the I/O edge: captures in, contract file out. */
import { openSources, rowProgress, streamSessions } from '../capture/sources.js'
import { DEFAULT_SESSION_GAP_MS } from '../capture/sessions.js'
import { OigError, reasonOf } from '../errors.js'
import type { OnProgress } from '../progress.js'
import { issueText, readJsonOrThrow } from '../evidence/read-document.js'
import { GENERATOR } from '../version.js'
import { buildContract, contractToState } from './build.js'
import { addSession, requestKeyOf } from './derive.js'
import {
  addPairs,
  FrameJoin,
  pairTimestamps,
  PairsFileSchema,
  type PairsFile,
  type PairsRef,
} from './pairs.js'
import type { Contract } from './schema.js'
import { sha256File } from '../capture/file-hash.js'
import { detached } from '../capture/lean-scan.js'
import type { Session } from '../capture/sessions.js'
import path from 'node:path'
import { emptyState, mergeStates, type ContractState } from './state.js'

export const DEFAULT_MAX_CITATIONS = 5

export interface DeriveOptions {
  readonly dbs: readonly string[]
  readonly sessionFiles: readonly string[]
  /** Pairs files of the upstream pairing engine (PROTOCOL.md §8): the class-level tier. */
  readonly pairs?: readonly string[]
  readonly version: string
  readonly maxCitations: number
  readonly sessionGapS?: number
}

export interface DeriveHooks {
  /** Rows read of all inputs, under `task` (`contract derive` or `contract validate`). */
  readonly onProgress?: OnProgress
  readonly task?: string
  /** Called with every session after it was added (validate collects facts of cited frames). */
  readonly onSession?: (session: Session, file: string) => void
  /** Filled with what each pair became (see addPairs). */
  readonly ledger?: Map<string, string>
  /**
   * Parse every row in full (CRC included) instead of the classifying lean scan: the reference
   * the lean scan is tested against. The contract is the same either way.
   */
  readonly readAll?: boolean
}

/** The mergeable state of captures and pairs files (streaming, constant memory in their size). */
export async function deriveState(
  opts: Omit<DeriveOptions, 'version'>,
  hooks: DeriveHooks = {},
): Promise<ContractState> {
  const pairs = (opts.pairs ?? []).map(readPairsFile)
  const sources =
    opts.dbs.length + opts.sessionFiles.length === 0 && pairs.length > 0
      ? []
      : openSources(opts.dbs, opts.sessionFiles)
  try {
    const state: ContractState = emptyState(opts.maxCitations)
    const join = new FrameJoin(pairTimestamps(pairs.map((p) => p.doc)))
    const progress = rowProgress(hooks.task ?? 'contract derive', sources, hooks.onProgress)
    for (const source of sources) {
      const stats = await streamSessions(source, {
        sessionGapMs: (opts.sessionGapS ?? DEFAULT_SESSION_GAP_MS / 1000) * 1000,
        classesOnly: hooks.readAll !== true,
        onSession: (session) => {
          addSession(state, session, source.ref.file)
          if (join.wanted.size > 0) indexFrames(join, session, source.ref.file)
          hooks.onSession?.(session, source.ref.file)
        },
        onProgress: progress.of(source),
      })
      await source.hashed()
      state.inputs.push({
        ...source.ref,
        frames: stats.rows,
        pairs: 0,
        sessions: stats.sessions,
        firstTs: stats.firstTs,
        lastTs: stats.lastTs,
      })
    }
    for (const p of pairs) addPairs(state, p.doc, p.ref, join, hooks.ledger)
    return state
  } finally {
    for (const s of sources) s.close()
  }
}

/** Derives a contract from captures and pairs files. */
export async function deriveContract(
  opts: DeriveOptions,
  onProgress?: OnProgress,
): Promise<Contract> {
  const state = await deriveState(opts, onProgress ? { onProgress } : {})
  return buildContract(state, { version: opts.version, generator: GENERATOR })
}

/** Frames of a session that a pairs file may name, for the ts join. */
function indexFrames(join: FrameJoin, session: Session, file: string): void {
  for (const f of session.frames) {
    if (f.ts === null || !join.wanted.has(f.ts)) continue
    // A copy of the ts: the frame's may be a slice of a page of the capture scan (see detached).
    join.add(detached(f.ts), f.connId, {
      file,
      id: f.id,
      class: f.class,
      request: f.origin === 'box' ? requestKeyOf(f) : null,
      replyId: f.replyId,
    })
  }
}

const PAIRS_HINT = "Pass --pairs with the upstream pairing engine's JSON output (PROTOCOL.md §8)."

/** Reads a pairs file (PROTOCOL.md §8); problems are OigErrors naming the file. */
export function readPairsFile(file: string): { doc: PairsFile; ref: PairsRef } {
  const { value } = readJsonOrThrow(file, 'pairs file', ['PAIRS_INVALID'], PAIRS_HINT)
  const parsed = PairsFileSchema.safeParse(value)
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    throw new OigError(
      'PAIRS_INVALID',
      `Failed to read pairs file ${file}: it does not match the pairs format (${first ? issueText(first) : 'invalid'}).`,
      { hint: PAIRS_HINT },
    )
  }
  return { doc: parsed.data, ref: { file: path.basename(file), sha256: sha256File(file) } }
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
