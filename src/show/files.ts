/**
 * Reads what `oigctl show` renders — a file, or `-` for standard input — and says what it is:
 * a sequence (session fixture, replay transcript, compare report, or the add-on's session
 * export turned into fixtures) or a summary document (extract-result, gate, soak, …).
 * "Could not run" problems become OigError naming what show reads.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { SessionExportSchema } from '../capture/session-file.js'
import { sessionExportSource } from '../capture/sources.js'
import { OigError, reasonOf } from '../errors.js'
import {
  EVIDENCE_SCHEMAS,
  parseEvidenceDocument,
  type EvidenceDoc,
  type EvidenceKind,
} from '../formats/document-kinds.js'
import type { SessionFixture } from '../evidence/schemas/session-fixture.js'
import { sourceFixtures } from '../replay/load-session.js'
import { describeSequenceProblem, parseSequenceDoc, type SequenceDoc } from './sequence-doc.js'

/** Kinds show summarises with the renderer of the command that wrote them. */
export type SummaryKind = Exclude<EvidenceKind, SequenceDoc['kind']>

export type ShowInput =
  | { readonly type: 'sequence'; readonly docs: readonly SequenceDoc[] }
  | { readonly [K in SummaryKind]: { type: 'summary'; kind: K; doc: EvidenceDoc<K> } }[SummaryKind]

const SEQUENCE_KINDS: ReadonlySet<string> = new Set(['session', 'replay', 'compare'])

/** What show reads, for its errors and help. */
export const SHOW_READS = `session fixtures, replay transcripts and compare reports (drawn as sequences), the add-on's session export, and ${Object.keys(
  EVIDENCE_SCHEMAS,
)
  .filter((k) => !SEQUENCE_KINDS.has(k))
  .join(', ')} documents (summarised)`

const HINT = `oigctl show reads ${SHOW_READS}, from a file or - (standard input).`

interface Stdin extends NodeJS.ReadableStream {
  readonly isTTY?: boolean
}

async function readText(file: string, stdin: Stdin): Promise<string> {
  if (file !== '-') {
    try {
      return fs.readFileSync(file, 'utf8')
    } catch (error) {
      const reason =
        (error as { code?: string }).code === 'ENOENT' ? 'file does not exist' : reasonOf(error)
      throw new OigError('INPUT_NOT_FOUND', `Failed to read ${file}: ${reason}.`, { hint: HINT })
    }
  }
  if (stdin.isTTY === true)
    throw new OigError('USAGE', 'Failed to read -: standard input is a terminal, not a document.', {
      hint: 'Pipe one in, e.g. oigctl compare … --json | oigctl show -',
    })
  // Read asynchronously: a blocking read of a pipe would keep Ctrl-C from being handled.
  const chunks: Buffer[] = []
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
  return Buffer.concat(chunks).toString('utf8')
}

async function exportFixtures(
  name: string,
  text: string,
  value: unknown,
): Promise<SessionFixture[]> {
  const data = SessionExportSchema.parse(value)
  const sha256 = createHash('sha256').update(text).digest('hex')
  return sourceFixtures(sessionExportSource(name, data, sha256))
}

/** Reads and recognises `file` (or stdin for `-`); throws OigError when show cannot render it. */
export async function readShowInput(file: string, stdin: Stdin): Promise<ShowInput> {
  const name = file === '-' ? 'stdin' : file
  const text = await readText(file, stdin)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new OigError('INPUT_NOT_JSON', `Failed to read ${name}: not JSON (${reasonOf(error)}).`, {
      hint: HINT,
    })
  }
  const kind = (value as { kind?: unknown } | null)?.kind
  if (typeof kind === 'string' && SEQUENCE_KINDS.has(kind)) {
    const r = parseSequenceDoc(value)
    if (!r.ok)
      throw new OigError(
        'INPUT_UNSUPPORTED',
        `Failed to show ${name}: ${describeSequenceProblem(r.problem)}.`,
        { hint: HINT },
      )
    return { type: 'sequence', docs: [r.doc] }
  }
  if (kind === undefined && SessionExportSchema.safeParse(value).success) {
    const fixtures = await exportFixtures(path.basename(name), text, value)
    if (fixtures.length === 0)
      throw new OigError('SESSION_EMPTY', `Failed to show ${name}: the export holds no frame.`, {
        hint: HINT,
      })
    return { type: 'sequence', docs: fixtures }
  }
  const r = parseEvidenceDocument(value)
  if (r.status === 'ok') return { type: 'summary', kind: r.kind, doc: r.doc } as ShowInput
  const why =
    r.status === 'unknown-kind'
      ? typeof kind === 'string'
        ? `unknown kind ${JSON.stringify(kind)}`
        : 'no "kind", and not a session export of the add-on'
      : `a "${r.kind}" document with ${r.problem}`
  throw new OigError('INPUT_UNSUPPORTED', `Failed to show ${name}: ${why}.`, { hint: HINT })
}
