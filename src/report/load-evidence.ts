/** Reads every JSON evidence file of a folder through its zod schema (the edge of `oigctl report`). */
import { makeYielder } from '../evidence/interrupt-cleanup.js'
import fs from 'node:fs'
import path from 'node:path'
import { OigError } from '../errors.js'
import {
  parseEvidenceDocument,
  type EvidenceDoc,
  type EvidenceKind,
} from '../formats/document-kinds.js'
import { replayKey, type EvidenceEntry, type ReportInput } from './report-input.js'

type Kind = EvidenceKind
type Doc<K extends Kind> = EvidenceDoc<K>

function jsonFiles(dir: string, rel = ''): string[] {
  const out: string[] = []
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name
    if (e.isDirectory()) out.push(...jsonFiles(dir, r))
    else if (e.isFile() && e.name.endsWith('.json')) out.push(r)
  }
  return out.sort()
}

interface Read {
  entry: EvidenceEntry
  doc: { kind: Kind } | null
}

function readOne(dir: string, file: string): Read {
  let value: unknown
  try {
    value = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error)
    return {
      entry: { file, kind: null, schemaVersion: null, status: 'not-json', problem },
      doc: null,
    }
  }
  const obj = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  const base = {
    file,
    kind: typeof obj.kind === 'string' ? obj.kind : null,
    schemaVersion: obj.schemaVersion,
  }
  const r = parseEvidenceDocument(value)
  if (r.status !== 'ok') {
    const problem =
      r.status === 'unknown-kind'
        ? `kind ${JSON.stringify(base.kind)} is not one this report reads`
        : r.problem
    return { entry: { ...base, status: r.status, problem }, doc: null }
  }
  return { entry: { ...base, status: 'ok', problem: null }, doc: r.doc }
}

/** Loads the evidence folder `dir` for a report written to `out`; throws OigError if `dir` is not a folder. */
export async function loadReportInput(dir: string, out: string): Promise<ReportInput> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new OigError(
      'EVIDENCE_NOT_FOUND',
      `Failed to read evidence folder ${dir}: it does not exist or is not a folder.`,
      {
        hint: 'Run oigctl pipeline --out DIR first, then oigctl report --evidence DIR.',
      },
    )
  }
  const entries: EvidenceEntry[] = []
  const first: Partial<{ [K in Kind]: Doc<K> }> = {}
  const soaks: Doc<'soak'>[] = []
  const fixtures = new Map<string, Doc<'session'>>()
  const replays = new Map<string, Doc<'replay'>>()
  const yieldNow = makeYielder(50, 1)
  for (const file of jsonFiles(dir)) {
    // Thousands of fixtures take seconds to read: yield so that Ctrl-C is handled.
    await yieldNow()
    const { entry, doc } = readOne(dir, file)
    entries.push(entry)
    if (!doc) continue
    if (doc.kind === 'soak') soaks.push(doc as Doc<'soak'>)
    else if (doc.kind === 'session') {
      const f = doc as Doc<'session'>
      fixtures.set(f.session.id, f)
    } else if (doc.kind === 'replay') {
      const r = doc as Doc<'replay'>
      replays.set(replayKey(r.session.id, r.target.name), r)
    } else if (first[doc.kind] === undefined) (first as Record<string, unknown>)[doc.kind] = doc
  }
  const rel = path
    .relative(path.dirname(path.resolve(out)), path.resolve(dir))
    .split(path.sep)
    .join('/')
  return {
    evidenceDir: dir,
    linkBase: rel === '' ? '.' : rel,
    entries,
    extract: first['extract-result'] ?? null,
    contract: first.contract ?? null,
    compare: first.compare ?? null,
    gate: first.gate ?? null,
    rehearsal: first['rollback-rehearsal'] ?? null,
    soaks,
    fixtures,
    replays,
  }
}
