/**
 * The extract pipeline at the I/O edge: open every input first (so bad input fails before any
 * output exists), stream each into sessions, write selected fixtures and the summary atomically.
 */
import { parseCaptureTs } from '../capture/rows.js'
import { openSources, rowProgress, streamSessions } from '../capture/sources.js'
import { OigError } from '../errors.js'
import type { OnProgress } from '../progress.js'
import { StagedOutput } from '../evidence/files.js'
import type { SessionFixture } from '../evidence/schemas/session-fixture.js'
import {
  EXTRACT_RESULT_SCHEMA_VERSION,
  type ExtractResult,
} from '../evidence/schemas/extract-result.js'
import { GENERATOR } from '../version.js'
import { fixtureFileName, toFixture } from './fixture.js'
import {
  ExtractSummary,
  isRestrictive,
  isSelected,
  leanFlagOf,
  mayBeSelected,
  type SelectMode,
  type SessionFilter,
} from './summary.js'

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

export const SESSIONS_DIR = 'sessions'
/** Frames of selected sessions kept in memory at most while the input's hash is computed. */
const MAX_WAITING_FRAMES = 20_000
export const EXTRACT_SUMMARY_FILE = 'extract-result.json'

function parseTime(label: string, value: string | null): number | null {
  if (value === null) return null
  const ms = parseCaptureTs(value)
  if (ms === null) {
    throw new OigError('USAGE', `Failed to read --${label} ${value}: not an ISO-8601 UTC time.`, {
      hint: 'Use e.g. 2026-02-17T08:00:00Z (a time without a zone is taken as UTC, like capture ts).',
    })
  }
  return ms
}

/** Runs extract; returns the summary that was also written to `<out>/extract-result.json`. */
export async function runExtract(
  opts: ExtractOptions,
  onProgress?: OnProgress,
): Promise<ExtractResult> {
  const filter: SessionFilter = {
    select: opts.select,
    fromMs: parseTime('from', opts.from),
    toMs: parseTime('to', opts.to),
    conn: opts.conn,
  }
  if (filter.fromMs !== null && filter.toMs !== null && filter.fromMs > filter.toMs) {
    throw new OigError(
      'USAGE',
      `Failed to extract: --from ${opts.from} is after --to ${opts.to}.`,
      {
        hint: 'Swap the two times.',
      },
    )
  }
  const sources = openSources(opts.dbs, opts.sessionFiles)
  let output: StagedOutput | null = null
  try {
    output = new StagedOutput(opts.out)
    const staged = output
    const summary = new ExtractSummary()
    const sourceReports: ExtractResult['sources'] = []
    const progress = rowProgress('extract', sources, onProgress)
    for (const source of sources) {
      // The DB is hashed on a worker thread while it is read: fixtures (which cite the hash) wait
      // in memory until it is known, a bounded amount, so that the reading thread never blocks.
      const waiting: Array<{ file: string; fixture: SessionFixture }> = []
      let waitingFrames = 0
      let hashKnown = false
      // Not a spread of source.ref: that would read its sha256 getter, which hashes the DB here.
      const unhashed = {
        file: source.ref.file,
        sha256: '',
        format: source.ref.format,
        synthetic: source.ref.synthetic,
      }
      const writeWaiting = (max: number): void => {
        const sha256 = source.ref.sha256
        for (const w of waiting.splice(0, max)) {
          ;(w.fixture.source as { sha256: string }).sha256 = sha256
          waitingFrames -= w.fixture.frames.length
          staged.writeJson(w.file, w.fixture)
        }
      }
      void source.hashed(false).then(() => (hashKnown = true))
      const stats = await streamSessions(source, {
        sessionGapMs: opts.sessionGapS * 1000,
        onSession: (session) => {
          const fixture = toFixture(
            session,
            hashKnown ? source.ref : unhashed,
            GENERATOR,
            source.label,
          )
          let written: string | null = null
          if (isSelected(fixture, session, filter)) {
            written = `${SESSIONS_DIR}/${fixtureFileName(fixture.session.id)}`
            if (hashKnown && waiting.length === 0) staged.writeJson(written, fixture)
            else {
              waiting.push({ file: written, fixture })
              waitingFrames += fixture.frames.length
            }
          }
          summary.add(fixture, source.label, written)
        },
        // Fixtures that waited for the hash are written one per row read, between the yields.
        throttle: () => {
          if (waiting.length === 0) return null
          if (hashKnown) writeWaiting(1)
          else if (waitingFrames > MAX_WAITING_FRAMES) return source.hashed()
          return null
        },
        onProgress: progress.of(source),
        // Only some sessions wanted: the lean first pass reads in full only those that may be.
        ...(isRestrictive(filter)
          ? {
              lean: {
                flag: leanFlagOf(filter),
                mayKeep: (session) => mayBeSelected(session, filter),
                onSkipped: (session) => summary.skip(session),
              },
            }
          : {}),
      })
      await source.hashed()
      writeWaiting(waiting.length)
      sourceReports.push({
        ...source.ref,
        path: source.path,
        ...stats,
        columns: [...source.columns],
        missingColumns: [...source.missingColumns],
        extraColumns: [...source.extraColumns],
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
