/**
 * The extract pipeline at the I/O edge: open every input first (so bad input fails before any
 * output exists), stream each into sessions, write selected fixtures and the summary atomically.
 */
import { parseCaptureTs } from '../capture/rows.js'
import { openSources, rowProgress, streamSessions } from '../capture/sources.js'
import { OigError } from '../errors.js'
import type { OnProgress } from '../progress.js'
import { findSettingHandshakes } from '../capture/handshakes.js'
import { StagedOutput, type StagedLineFile } from '../evidence/files.js'
import {
  EXTRACT_RESULT_SCHEMA_VERSION,
  type ExtractResult,
} from '../evidence/schemas/extract-result.js'
import type { ItemList } from '../evidence/item-list.js'
import { openTextSpool } from '../evidence/text-spool.js'
import { EVIDENCE_NAMES } from '../evidence/layout.js'
import { GENERATOR } from '../version.js'
import {
  packFileNames,
  packIndex,
  packLinePieces,
  sessionId,
  sessionInfo,
  sessionRef,
} from './fixture.js'
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

export const SESSIONS_DIR = EVIDENCE_NAMES.sessionsDir
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

/** Pack file names of a source, made unique among the sources of one extract. */
function uniquePackNames(label: string, used: Set<string>): { index: string; lines: string } {
  let n = 1
  let names = packFileNames(label)
  while (used.has(names.index)) names = packFileNames(`${label}-${++n}`)
  used.add(names.index)
  return names
}

/**
 * What runExtract returns: the summary written to `<out>/extract-result.json`, its long lists read
 * back one item at a time from the spool they were kept in while the capture was read.
 */
export type ExtractOutcome = Omit<ExtractResult, 'sessions' | 'findings' | 'settingHandshakes'> & {
  readonly sessions: ItemList<ExtractResult['sessions'][number]>
  readonly findings: ItemList<ExtractResult['findings'][number]>
  readonly settingHandshakes: ItemList<ExtractResult['settingHandshakes'][number]>
}

/** Runs extract; returns the summary that was also written to `<out>/extract-result.json`. */
export async function runExtract(
  opts: ExtractOptions,
  onProgress?: OnProgress,
): Promise<ExtractOutcome> {
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
  // Sessions, findings and handshakes of the summary: on disk, not in memory, until written.
  const spool = openTextSpool()
  let done = false
  try {
    output = new StagedOutput(opts.out)
    const staged = output
    const summary = new ExtractSummary(spool)
    const sourceReports: ExtractResult['sources'] = []
    const progress = rowProgress('extract', sources, onProgress)
    const packNames = new Set<string>()
    for (const source of sources) {
      const names = uniquePackNames(source.label, packNames)
      // The lines do not cite the source: the index, written last, does (the DB is hashed on a
      // worker thread while it is read), so nothing waits for the hash.
      let lines: StagedLineFile | null = null
      // Numbers only: the index is written at the end, and a capture has tens of thousands of
      // sessions. A session's id and ref follow from its index and conn id.
      const entries: Array<{
        readonly index: number
        readonly connId: number | null
        readonly line: number
        readonly offset: number
        readonly bytes: number
        readonly frameCount: number
      }> = []
      /** An index entry (its line's sha256 from the pack's lines), fields in the schema's order. */
      const entryOf = (e: (typeof entries)[number], sha256: string) => ({
        id: sessionId(source.label, e),
        ref: sessionRef(e),
        offset: e.offset,
        bytes: e.bytes,
        sha256,
        frameCount: e.frameCount,
      })
      const fixtureBase = `${SESSIONS_DIR}/${names.index}#`
      const stats = await streamSessions(source, {
        sessionGapMs: opts.sessionGapS * 1000,
        onSession: (session) => {
          const handshakes = findSettingHandshakes(session.frames)
          const info = sessionInfo(session, source.label)
          let written: string | null = null
          if (isSelected(session, handshakes, filter)) {
            lines ??= staged.openLines(`${SESSIONS_DIR}/${names.lines}`)
            const offset = lines.size
            let bytes = 0
            lines.startLine()
            for (const piece of packLinePieces(info, session, handshakes))
              bytes += lines.append(piece)
            const line = lines.endLine()
            const { index, connId, frameCount } = info
            entries.push({ index, connId, line, offset, bytes, frameCount })
            written = `${fixtureBase}${sessionRef(session)}`
          }
          summary.add(info, session, handshakes, source.label, written)
        },
        onProgress: progress.of(source),
        // Only some sessions wanted: the lean first pass reads in full only those that may be.
        ...(isRestrictive(filter)
          ? {
              lean: {
                flag: leanFlagOf(filter),
                mayKeep: (session) => mayBeSelected(session, filter),
                onSkipped: (session) => summary.skip(session),
                until: filter.toMs,
              },
            }
          : {}),
      })
      // Rows after the end of the window that were counted, not read, are frames all the same.
      const { rowsNotRead, ...read } = stats
      summary.framesRead += rowsNotRead
      await source.hashed()
      if (lines !== null) {
        const hashes = (lines as StagedLineFile).close()
        // Sessions close out of order when connections overlap: the index lists them in order.
        entries.sort((x, y) => x.index - y.index)
        staged.writeJson(
          `${SESSIONS_DIR}/${names.index}`,
          packIndex(
            source.ref,
            GENERATOR,
            entries.map((e) => entryOf(e, hashes[e.line]!)),
          ),
        )
      }
      sourceReports.push({
        ...source.ref,
        path: source.path,
        ...read,
        columns: [...source.columns],
        missingColumns: [...source.missingColumns],
        extraColumns: [...source.extraColumns],
      })
    }
    const result: ExtractOutcome = {
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
        sessionsSelected: summary.sessionCount,
        framesSelected: summary.framesSelected,
        findings: summary.findingCounts,
      },
      classCounts: summary.classCounts,
      originCounts: summary.originCounts,
      tableCounts: Object.fromEntries(
        Object.entries(summary.tableCounts).sort(([a], [b]) => a.localeCompare(b)),
      ),
      sessions: summary.sortedSessions(),
      findings: summary.findings(),
      settingHandshakes: summary.settingHandshakes(),
      outputs: { dir: opts.out, summary: EXTRACT_SUMMARY_FILE, fixtures: summary.sessionCount },
    }
    staged.writeJson(EXTRACT_SUMMARY_FILE, result)
    staged.commit([SESSIONS_DIR])
    output = null
    done = true
    return result
  } finally {
    output?.abort()
    if (!done) spool.close()
    for (const s of sources) s.close()
  }
}
