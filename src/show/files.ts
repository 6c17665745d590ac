/**
 * Reads what `oigctl show` renders — a file, or `-` for standard input — and says what it is:
 * a sequence (session fixture, replay transcript, compare report, or the add-on's session
 * export turned into fixtures) or a summary document (extract-result, gate, soak, …). Documents
 * are read through the one registry (src/formats); "could not run" problems become OigError
 * naming what show reads.
 */
import path from 'node:path'
import { SessionExportSchema } from '../capture/session-file.js'
import { sessionExportSource } from '../capture/sources.js'
import { OigError } from '../errors.js'
import { packAddress, readPack } from '../evidence/fixture-files.js'
import { parseJson, readStdin, readText, type JsonText } from '../evidence/read-document.js'
import type { SessionFixture } from '../evidence/schemas/session-fixture.js'
import {
  checkKnownJson,
  EVIDENCE_KINDS,
  type EvidenceDoc,
  type EvidenceKind,
  type ReadKnownDocument,
} from '../formats/document-kinds.js'
import { sourceFixtures } from '../replay/load-session.js'
import { SEQUENCE_KINDS, type SequenceDoc } from './sequence-doc.js'

/** Kinds show summarises with the renderer of the command that wrote them. */
export type SummaryKind = Exclude<EvidenceKind, SequenceDoc['kind']>

export type ShowInput =
  | { readonly type: 'sequence'; readonly docs: readonly SequenceDoc[] }
  | { readonly [K in SummaryKind]: { type: 'summary'; kind: K; doc: EvidenceDoc<K> } }[SummaryKind]

const isSequenceKind = (kind: string): boolean =>
  (SEQUENCE_KINDS as readonly string[]).includes(kind)

/** What show reads, for its errors and help. */
export const SHOW_READS = `session fixtures, replay transcripts and compare reports (drawn as sequences), the add-on's session export, and ${EVIDENCE_KINDS.filter(
  (k) => !isSequenceKind(k),
).join(', ')} documents (summarised)`

const HINT = `oigctl show reads ${SHOW_READS}, from a file or - (standard input).`

interface Stdin extends NodeJS.ReadableStream {
  readonly isTTY?: boolean
}

/** The text of `file`, or of standard input for `-` (read asynchronously, so Ctrl-C is handled). */
async function readInputText(file: string, stdin: Stdin): Promise<string> {
  if (file !== '-') {
    const read = readText(file)
    if (read.ok) return read.text
    const reason =
      read.problem.code === 'missing'
        ? 'file does not exist'
        : read.problem.message.replace(/^unreadable: /, '')
    throw new OigError('INPUT_NOT_FOUND', `Failed to read ${file}: ${reason}.`, { hint: HINT })
  }
  return readStdin(stdin, 'Pipe one in, e.g. oigctl compare … --json | oigctl show -')
}

/** The add-on's session export (no `kind`) as fixtures, or null when `json` is not one. */
async function exportFixtures(name: string, json: JsonText): Promise<SessionFixture[] | null> {
  const data = SessionExportSchema.safeParse(json.value)
  if (!data.success) return null
  return sourceFixtures(sessionExportSource(name, data.data, json.sha256))
}

/** Why show cannot render a document the registry refused. */
function refusal(r: Extract<ReadKnownDocument<EvidenceKind>, { ok: false }>): string {
  if (r.problem.code === 'unknown-kind')
    return r.kind === null
      ? 'no "kind", and not a session export of the add-on'
      : `unknown kind ${JSON.stringify(r.kind)}`
  const kind = `a ${JSON.stringify(r.kind)} document`
  return r.problem.code === 'invalid'
    ? `${kind} that ${r.problem.message}`
    : `${kind} of ${r.problem.message}`
}

function packInput(name: string, fixtures: SessionFixture[]): ShowInput {
  if (fixtures.length === 0)
    throw new OigError('SESSION_EMPTY', `Failed to show ${name}: the pack holds no session.`, {
      hint: HINT,
    })
  return { type: 'sequence', docs: fixtures }
}

/** Reads and recognises `file` (or stdin for `-`); throws OigError when show cannot render it. */
export async function readShowInput(file: string, stdin: Stdin): Promise<ShowInput> {
  const name = file === '-' ? 'stdin' : file
  // A pack of session fixtures (version 2), or one session of it (`<pack>#<ref>`).
  const address = file === '-' ? null : packAddress(file)
  if (address) return packInput(name, readPack(address))
  const parsed = parseJson(await readInputText(file, stdin))
  if (!parsed.ok)
    throw new OigError(
      'INPUT_NOT_JSON',
      `Failed to read ${name}: not JSON (${parsed.problem.message.replace(/^not JSON: /, '')}).`,
      { hint: HINT },
    )
  const head = parsed.json.value as { kind?: unknown } | null
  if (typeof head !== 'object' || head === null || head.kind === undefined) {
    const fixtures = await exportFixtures(path.basename(name), parsed.json)
    if (fixtures !== null && fixtures.length === 0)
      throw new OigError('SESSION_EMPTY', `Failed to show ${name}: the export holds no frame.`, {
        hint: HINT,
      })
    if (fixtures !== null) return { type: 'sequence', docs: fixtures }
  }
  if (head?.kind === 'session-pack' && file !== '-')
    return packInput(name, readPack({ index: file, ref: null }))
  const r = checkKnownJson(parsed.json)
  if (!r.ok)
    throw new OigError('INPUT_UNSUPPORTED', `Failed to show ${name}: ${refusal(r)}.`, {
      hint: HINT,
    })
  if (r.kind === 'session' || r.kind === 'replay' || r.kind === 'compare')
    return { type: 'sequence', docs: [r.doc] }
  return { type: 'summary', kind: r.kind, doc: r.doc } as ShowInput
}
