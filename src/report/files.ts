/**
 * The edge of `oigctl report`: reads every JSON file of an evidence folder through the one
 * registry (src/formats) and writes the HTML report atomically.
 */
import fs from 'node:fs'
import path from 'node:path'
import { OigError } from '../errors.js'
import { ensureWritableDir, writeFileAtomic } from '../evidence/files.js'
import { PACK_INDEX_SUFFIX, packSessions } from '../evidence/fixture-files.js'
import { makeYielder } from '../evidence/interrupt-cleanup.js'
import { readJson } from '../evidence/read-document.js'
import { SESSION_PACK_SCHEMA_VERSION } from '../evidence/schemas/session-fixture.js'
import {
  checkKnownJson,
  type EvidenceDoc,
  type EvidenceKind,
  type KnownDocument,
} from '../formats/document-kinds.js'
import { renderReport } from './render-report.js'
import {
  replayKey,
  type EvidenceEntry,
  type EvidenceFileStatus,
  type ReportInput,
} from './report-input.js'

type Doc<K extends EvidenceKind> = EvidenceDoc<K>

function jsonFiles(dir: string, rel = ''): string[] {
  const out: string[] = []
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name
    if (e.isDirectory()) out.push(...jsonFiles(dir, r))
    else if (e.isFile() && e.name.endsWith('.json')) out.push(r)
  }
  return out.sort()
}

function readOne(dir: string, file: string): { entry: EvidenceEntry; doc: KnownDocument | null } {
  const read = readJson(path.join(dir, file))
  if (!read.ok) {
    const status: EvidenceFileStatus = read.problem.code === 'not-json' ? 'not-json' : 'unreadable'
    const entry = { file, kind: null, schemaVersion: null, status, problem: read.problem.message }
    return { entry, doc: null }
  }
  const head = (
    typeof read.json.value === 'object' && read.json.value !== null ? read.json.value : {}
  ) as Record<string, unknown>
  const base = {
    file,
    kind: typeof head.kind === 'string' ? head.kind : null,
    schemaVersion: head.schemaVersion,
  }
  const r = checkKnownJson(read.json)
  if (r.ok) return { entry: { ...base, status: 'ok', problem: null }, doc: r }
  const status: EvidenceFileStatus =
    r.problem.code === 'unknown-kind' || r.problem.code === 'unknown-schema-version'
      ? r.problem.code
      : 'invalid'
  return { entry: { ...base, status, problem: r.problem.message }, doc: null }
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
  const first: Partial<{ [K in EvidenceKind]: Doc<K> }> = {}
  const soaks: Doc<'soak'>[] = []
  const fixtures = new Map<string, Doc<'session'>>()
  const replays = new Map<string, Doc<'replay'>>()
  const yieldNow = makeYielder(50, 1)
  for (const file of jsonFiles(dir)) {
    // Thousands of fixtures take seconds to read: yield so that Ctrl-C is handled.
    await yieldNow()
    if (file.endsWith(PACK_INDEX_SUFFIX)) {
      // A pack of session fixtures (version 2): its sessions, read one at a time.
      const entry = { file, kind: 'session-pack', schemaVersion: SESSION_PACK_SCHEMA_VERSION }
      try {
        for (const f of packSessions({ index: path.join(dir, file), ref: null })) {
          fixtures.set(f.session.id, f)
          await yieldNow()
        }
        entries.push({ ...entry, status: 'ok', problem: null })
      } catch (error) {
        if (!(error instanceof OigError)) throw error
        entries.push({ ...entry, status: 'invalid', problem: error.message })
      }
      continue
    }
    const { entry, doc: read } = readOne(dir, file)
    entries.push(entry)
    if (!read) continue
    if (read.kind === 'soak') soaks.push(read.doc)
    else if (read.kind === 'session') fixtures.set(read.doc.session.id, read.doc)
    else if (read.kind === 'replay')
      replays.set(replayKey(read.doc.session.id, read.doc.target.name), read.doc)
    else if (first[read.kind] === undefined)
      (first as Record<string, unknown>)[read.kind] = read.doc
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

/** Reads the evidence in `evidenceDir`, writes the HTML report to `out` atomically, returns the input. */
export async function writeReport(
  evidenceDir: string,
  out: string,
  now: Date = new Date(),
): Promise<ReportInput> {
  ensureWritableDir(path.dirname(path.resolve(out)))
  const input = await loadReportInput(evidenceDir, out)
  writeFileAtomic(out, renderReport(input, now.toISOString()))
  return input
}
