/** Recognises the evidence files `oigctl show` and `oigctl report` draw as sequences (pure). */
import type { CompareReport } from '../compare/report-schema.js'
import type { SessionFixture } from '../evidence/schemas/session-fixture.js'
import { EVIDENCE_SCHEMAS } from '../formats/document-kinds.js'
import type { ReplayTranscript } from '../replay/transcript-schema.js'

export type SequenceDoc = SessionFixture | ReplayTranscript | CompareReport
export type SequenceKind = SequenceDoc['kind']

/** The sequence kinds of the one registry, with the version each schema declares. */
const SCHEMAS = {
  session: {
    version: EVIDENCE_SCHEMAS.session.shape.schemaVersion.value,
    schema: EVIDENCE_SCHEMAS.session,
  },
  replay: {
    version: EVIDENCE_SCHEMAS.replay.shape.schemaVersion.value,
    schema: EVIDENCE_SCHEMAS.replay,
  },
  compare: {
    version: EVIDENCE_SCHEMAS.compare.shape.schemaVersion.value,
    schema: EVIDENCE_SCHEMAS.compare,
  },
} satisfies Record<SequenceKind, { version: number; schema: unknown }>

export type SequenceProblem =
  | { code: 'UNKNOWN_KIND'; kind: string | null }
  | { code: 'UNKNOWN_SCHEMA_VERSION'; kind: SequenceKind; found: unknown; supported: number }
  | { code: 'INVALID'; kind: SequenceKind; detail: string }

export type SequenceDocResult =
  { ok: true; doc: SequenceDoc } | { ok: false; problem: SequenceProblem }

function isKind(k: unknown): k is SequenceKind {
  return typeof k === 'string' && Object.hasOwn(SCHEMAS, k)
}

/** Validates a parsed JSON value as a session fixture, replay transcript or compare report. */
export function parseSequenceDoc(value: unknown): SequenceDocResult {
  const obj = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  const kind = obj.kind
  if (!isKind(kind)) {
    return {
      ok: false,
      problem: { code: 'UNKNOWN_KIND', kind: typeof kind === 'string' ? kind : null },
    }
  }
  const entry = SCHEMAS[kind]
  if (obj.schemaVersion !== entry.version) {
    return {
      ok: false,
      problem: {
        code: 'UNKNOWN_SCHEMA_VERSION',
        kind,
        found: obj.schemaVersion,
        supported: entry.version,
      },
    }
  }
  const parsed = entry.schema.safeParse(value)
  if (parsed.success) return { ok: true, doc: parsed.data }
  const issue = parsed.error.issues[0]
  const where = issue?.path.length ? issue.path.join('.') : '(root)'
  return {
    ok: false,
    problem: { code: 'INVALID', kind, detail: `${where}: ${issue?.message ?? 'invalid'}` },
  }
}

/** One sentence for a problem, for the error message of `show` and the report's evidence list. */
export function describeSequenceProblem(p: SequenceProblem): string {
  switch (p.code) {
    case 'UNKNOWN_KIND':
      return `unknown kind ${JSON.stringify(p.kind)} (expected session, replay or compare)`
    case 'UNKNOWN_SCHEMA_VERSION':
      return `unknown schemaVersion ${JSON.stringify(p.found)} of kind "${p.kind}" (this oigctl reads ${p.supported})`
    case 'INVALID':
      return `not a valid "${p.kind}" document: ${p.detail}`
  }
}
