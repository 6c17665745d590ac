/**
 * The extract pipeline at the I/O edge: open every input first (so bad input fails before any
 * output exists), stream each into sessions, write selected fixtures and the summary atomically.
 */
import path from 'node:path'
import { CaptureDb } from '../capture/db.js'
import { sha256File } from '../capture/file-hash.js'
import { readSessionExport, sessionExportRows } from '../capture/session-file.js'
import { SessionBuilder, type Session } from '../capture/sessions.js'
import type { CaptureRow } from '../capture/rows.js'
import { OigError } from '../errors.js'
import { StagedOutput } from '../evidence/files.js'
import {
  EXTRACT_RESULT_SCHEMA_VERSION,
  type ExtractResult,
} from '../evidence/schemas/extract-result.js'
import { GENERATOR } from '../version.js'
import { fixtureFileName, sourceLabel, toFixture, type SourceRef } from './fixture.js'
import { ExtractSummary, isSelected, type SelectMode, type SessionFilter } from './summary.js'

export interface ExtractOptions {
  readonly dbs: readonly string[]
  readonly sessionFiles: readonly string[]
  readonly out: string
  readonly select: SelectMode
  readonly from: string | null
  readonly to: string | null
  readonly conn: number | null
  readonly sessionGapS: number
}

export interface ExtractProgress {
  readonly source: string
  readonly rows: number
  readonly sessions: number
}

interface OpenedSource {
  readonly ref: SourceRef
  /** Unique label of this input in session ids (file stem, numbered when two inputs share one). */
  label: string
  readonly path: string
  readonly columns: string[]
  readonly missingColumns: string[]
  readonly extraColumns: string[]
  readonly idsOrdered: boolean
  readonly rows: () => Iterable<CaptureRow>
  readonly close: () => void
}

export const SESSIONS_DIR = 'sessions'
export const EXTRACT_SUMMARY_FILE = 'extract-result.json'

function parseTime(label: string, value: string | null): number | null {
  if (value === null) return null
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) {
    throw new OigError('USAGE', `Failed to read --${label} ${value}: not an ISO-8601 time.`, {
      hint: 'Use e.g. 2026-02-17T08:00:00Z.',
    })
  }
  return ms
}

function openSources(opts: ExtractOptions): OpenedSource[] {
  const opened: OpenedSource[] = []
  try {
    for (const file of opts.dbs) {
      const db = CaptureDb.open(file)
      opened.push({
        label: '',
        ref: {
          file: db.info.file,
          sha256: sha256File(file),
          format: 'sqlite',
          synthetic: db.isSynthetic(),
        },
        path: file,
        columns: [...db.info.columns],
        missingColumns: [...db.info.missingColumns],
        extraColumns: [...db.info.extraColumns],
        idsOrdered: true,
        rows: () => db.rows(),
        close: () => db.close(),
      })
    }
    for (const file of opts.sessionFiles) {
      const data = readSessionExport(file)
      const rows = sessionExportRows(data)
      const columns = ['id', 'ts', 'direction', 'table_name', 'raw', 'length']
      opened.push({
        label: '',
        ref: {
          file: path.basename(file),
          sha256: sha256File(file),
          format: 'session-export',
          synthetic: rows.length > 0 && rows.every((r) => r.peer === 'synthetic'),
        },
        path: file,
        columns,
        missingColumns: ['device_id', 'raw_b64', 'parsed', 'conn_id', 'peer'],
        extraColumns: [],
        idsOrdered: false,
        rows: () => rows,
        close: () => undefined,
      })
    }
  } catch (error) {
    for (const s of opened) s.close()
    throw error
  }
  const used = new Map<string, number>()
  for (const s of opened) {
    const stem = sourceLabel(s.ref.file)
    const n = (used.get(stem) ?? 0) + 1
    used.set(stem, n)
    s.label = n === 1 ? stem : `${stem}-${n}`
  }
  return opened
}

/** Runs extract; returns the summary that was also written to `<out>/extract-result.json`. */
export function runExtract(
  opts: ExtractOptions,
  onProgress?: (p: ExtractProgress) => void,
): ExtractResult {
  if (opts.dbs.length + opts.sessionFiles.length === 0) {
    throw new OigError('USAGE', 'Failed to extract: no input given.', {
      hint: 'Pass --db payloads.db or --session-file export.json.',
    })
  }
  const filter: SessionFilter = {
    select: opts.select,
    fromMs: parseTime('from', opts.from),
    toMs: parseTime('to', opts.to),
    conn: opts.conn,
  }
  const sources = openSources(opts)
  let output: StagedOutput | null = null
  try {
    output = new StagedOutput(opts.out)
    const staged = output
    const summary = new ExtractSummary()
    const sourceReports: ExtractResult['sources'] = []
    for (const source of sources) {
      let rows = 0
      let sessions = 0
      let firstTs: string | null = null
      let lastTs: string | null = null
      const onSession = (session: Session): void => {
        sessions++
        const fixture = toFixture(session, source.ref, GENERATOR, source.label)
        let written: string | null = null
        if (isSelected(fixture, session, filter)) {
          const relative = `${SESSIONS_DIR}/${fixtureFileName(fixture.session.id)}`
          staged.writeJson(relative, fixture)
          written = relative
        }
        summary.add(fixture, source.ref.file, written)
      }
      const builder = new SessionBuilder({
        sessionGapMs: opts.sessionGapS * 1000,
        idsOrdered: source.idsOrdered,
        onSession,
      })
      for (const row of source.rows()) {
        builder.push(row)
        rows++
        if (row.ts !== null) {
          firstTs ??= row.ts
          lastTs = row.ts
        }
        if (onProgress && rows % 50_000 === 0)
          onProgress({ source: source.ref.file, rows, sessions })
      }
      builder.finish()
      onProgress?.({ source: source.ref.file, rows, sessions })
      sourceReports.push({
        ...source.ref,
        path: source.path,
        rows,
        sessions,
        columns: source.columns,
        missingColumns: source.missingColumns,
        extraColumns: source.extraColumns,
        firstTs,
        lastTs,
      })
    }
    const result: ExtractResult = {
      kind: 'extract-result',
      schemaVersion: EXTRACT_RESULT_SCHEMA_VERSION,
      generator: GENERATOR,
      generatedAt: new Date().toISOString(),
      synthetic: sources.some((s) => s.ref.synthetic),
      options: {
        select: opts.select,
        from: opts.from,
        to: opts.to,
        conn: opts.conn,
        sessionGapS: opts.sessionGapS,
      },
      sources: sourceReports,
      totals: {
        framesRead: summary.framesRead,
        sessionsRead: summary.sessionsRead,
        sessionsSelected: summary.sessions.length,
        framesSelected: summary.framesSelected,
        findings: summary.findingCounts,
      },
      classCounts: summary.classCounts,
      originCounts: summary.originCounts,
      tableCounts: Object.fromEntries(
        Object.entries(summary.tableCounts).sort(([a], [b]) => a.localeCompare(b)),
      ),
      sessions: summary.sortedSessions(),
      findings: summary.findings,
      settingHandshakes: summary.settingHandshakes,
      outputs: { dir: opts.out, summary: EXTRACT_SUMMARY_FILE, fixtures: summary.sessions.length },
    }
    staged.writeJson(EXTRACT_SUMMARY_FILE, result)
    staged.commit([SESSIONS_DIR])
    output = null
    return result
  } finally {
    output?.abort()
    for (const s of sources) s.close()
  }
}
