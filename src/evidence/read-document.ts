/**
 * The one way oigctl reads a JSON document it (or the add-on) wrote: the text, its sha256 and the
 * parsed value, then the zod schema of its format. Problems are values (`readDocument`); readers
 * that cannot go on without the document use the throwing variants, which name the file.
 * Lower than every domain folder: formats pass their own schema in (src/formats lists them all).
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import type { z } from 'zod'
import { OigError, reasonOf } from '../errors.js'

/** A JSON file's text, sha256 and parsed value. */
export interface JsonText {
  readonly text: string
  readonly sha256: string
  readonly value: unknown
}

export type DocumentProblemCode =
  'missing' | 'unreadable' | 'not-json' | 'wrong-kind' | 'unknown-schema-version' | 'invalid'

export interface DocumentProblem {
  readonly code: DocumentProblemCode
  /** Short reason, e.g. `absent`, `not JSON: Unexpected token`, `does not match the … schema: …`. */
  readonly message: string
}

/** A zod object schema whose `kind` and `schemaVersion` are literals: the format of one document kind. */
export type KindSchema = z.ZodObject<{
  kind: z.ZodLiteral<string>
  schemaVersion: z.ZodLiteral<number>
}>

export type ReadDocument<T> =
  | { readonly ok: true; readonly doc: T; readonly text: string; readonly sha256: string }
  | { readonly ok: false; readonly problem: DocumentProblem }

const sha256Of = (text: string): string => createHash('sha256').update(text).digest('hex')

/** `(root): message` or `a.b: message` for a zod issue. */
export function issueText(issue: z.core.$ZodIssue): string {
  return `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`
}

/** The one document standard input held, once a command read it for `-` (useStdinDocument). */
let stdinText: string | null = null

/** Makes `-` name `text` (standard input, read once by the command) for every reader below. */
export function useStdinDocument(text: string): void {
  stdinText = text
}

interface Stdin extends NodeJS.ReadableStream {
  readonly isTTY?: boolean
}

/**
 * Reads standard input to the end, asynchronously (a blocking read of a pipe would keep Ctrl-C
 * from being handled). A terminal is refused: `-` means a piped document.
 */
export async function readStdin(stdin: Stdin, hint: string): Promise<string> {
  if (stdin.isTTY === true)
    throw new OigError('USAGE', 'Failed to read -: standard input is a terminal, not a document.', {
      hint,
    })
  const chunks: Buffer[] = []
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
  return Buffer.concat(chunks).toString('utf8')
}

/** A file's text (`-`: standard input, once a command read it); never throws. */
export function readText(
  file: string,
): { ok: true; text: string } | { ok: false; problem: DocumentProblem } {
  if (file === '-' && stdinText !== null) return { ok: true, text: stdinText }
  try {
    return { ok: true, text: fs.readFileSync(file, 'utf8') }
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT')
      return { ok: false, problem: { code: 'missing', message: 'absent' } }
    return { ok: false, problem: { code: 'unreadable', message: `unreadable: ${reasonOf(error)}` } }
  }
}

/** Parses JSON text (a file's or standard input's); never throws. */
export function parseJson(
  text: string,
): { ok: true; json: JsonText } | { ok: false; problem: DocumentProblem } {
  try {
    return { ok: true, json: { text, sha256: sha256Of(text), value: JSON.parse(text) } }
  } catch (error) {
    return { ok: false, problem: { code: 'not-json', message: `not JSON: ${reasonOf(error)}` } }
  }
}

/** Reads and parses a JSON file; never throws. */
export function readJson(
  file: string,
): { ok: true; json: JsonText } | { ok: false; problem: DocumentProblem } {
  const read = readText(file)
  return read.ok ? parseJson(read.text) : read
}

/** Checks a parsed value against a kind's schema: its kind, then its schemaVersion, then the rest. */
export function checkDocument<S extends KindSchema>(
  value: unknown,
  schema: S,
): { ok: true; doc: z.infer<S> } | { ok: false; problem: DocumentProblem } {
  const kind = schema.shape.kind.value
  const version = schema.shape.schemaVersion.value
  const head = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
  const problem = (code: DocumentProblemCode, message: string) =>
    ({ ok: false, problem: { code, message } }) as const
  if (head.kind !== kind)
    return problem('wrong-kind', `kind is ${JSON.stringify(head.kind)}, expected "${kind}"`)
  if (head.schemaVersion !== version)
    return problem(
      'unknown-schema-version',
      `unknown schemaVersion ${JSON.stringify(head.schemaVersion)} (this oigctl reads ${version})`,
    )
  const parsed = schema.safeParse(value)
  if (parsed.success) return { ok: true, doc: parsed.data }
  const issues = parsed.error.issues
  const more = issues.length > 3 ? ` (+${issues.length - 3} more)` : ''
  return problem(
    'invalid',
    `does not match the ${kind} schema: ${issues.slice(0, 3).map(issueText).join('; ')}${more}`,
  )
}

/** Reads `file` as a document of `schema`'s kind; every problem is a value, never an exception. */
export function readDocument<S extends KindSchema>(
  file: string,
  schema: S,
): ReadDocument<z.infer<S>> {
  const read = readText(file)
  return read.ok ? documentOfText(read.text, schema) : read
}

/** JSON text (a file's, or one about to be written) as a document of `schema`'s kind; never throws. */
export function documentOfText<S extends KindSchema>(
  text: string,
  schema: S,
): ReadDocument<z.infer<S>> {
  const parsed = parseJson(text)
  if (!parsed.ok) return parsed
  const checked = checkDocument(parsed.json.value, schema)
  if (!checked.ok) return checked
  return { ok: true, doc: checked.doc, text, sha256: parsed.json.sha256 }
}

/**
 * Reads and parses a JSON file; throws OigError `Failed to read <what> <file>: <reason>.` with
 * code `unreadable`, or `notJson` (default: `unreadable`) when the text is not JSON.
 */
export function readJsonOrThrow(
  file: string,
  what: string,
  [unreadable, notJson = unreadable]: readonly [string, string?],
  hint: string,
): JsonText {
  const read = readJson(file)
  if (read.ok) return read.json
  const { code, message } = read.problem
  const reason =
    code === 'missing'
      ? 'file does not exist'
      : code === 'not-json'
        ? `not JSON (${message.slice('not JSON: '.length)})`
        : message.slice('unreadable: '.length)
  throw new OigError(
    code === 'not-json' ? notJson : unreadable,
    `Failed to read ${what} ${file}: ${reason}.`,
    {
      hint,
    },
  )
}
