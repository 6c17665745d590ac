/** Reads the add-on's own session export JSON (`{source, conn_id, frame_count, exported_at, frames}`). */
import path from 'node:path'
import { z } from 'zod'
import { OigError } from '../errors.js'
import { fixturesOfDocument, packAddress, readPack } from '../evidence/fixture-files.js'
import { readJsonOrThrow } from '../evidence/read-document.js'
import type { SessionFixture } from '../evidence/schemas/session-fixture.js'
import { parseCaptureTs, type CaptureRow } from './rows.js'

const ExportFrameSchema = z.object({
  id: z.number().int(),
  ts: z.string().nullable().optional(),
  direction: z.string().nullable().optional(),
  table_name: z.string().nullable().optional(),
  raw: z.string().nullable().optional(),
  raw_b64: z.string().nullable().optional(),
  conn_id: z.number().int().nullable().optional(),
  device_id: z.string().nullable().optional(),
  peer: z.string().nullable().optional(),
  length: z.number().int().nullable().optional(),
})

const ExportFrameWithText = ExportFrameSchema.refine(
  (f) => typeof f.raw === 'string' || typeof f.raw_b64 === 'string',
  {
    message: 'a frame needs raw or raw_b64',
  },
)

export const SessionExportSchema = z.object({
  source: z.string().optional(),
  conn_id: z.number().int().nullable().optional(),
  frame_count: z.number().int().optional(),
  exported_at: z.string().optional(),
  frames: z.array(ExportFrameWithText),
})

export type SessionExport = z.infer<typeof SessionExportSchema>

const CODES = ['SESSION_FILE_UNREADABLE', 'SESSION_FILE_INVALID'] as const
const HINT =
  'Pass a session export JSON written by the oig-proxy add-on, or session fixtures written by oigctl extract (extract --session, replay --session).'

/**
 * Reads a session file: the add-on's export, or extract's fixtures (either version, or one
 * session of a pack); throws OigError naming the file and the problem.
 */
export function readSessionFile(
  file: string,
): { kind: 'export'; data: SessionExport } | { kind: 'fixtures'; fixtures: SessionFixture[] } {
  const address = packAddress(file)
  if (address) return { kind: 'fixtures', fixtures: readPack(address) }
  const { value: json } = readJsonOrThrow(file, 'session file', CODES, HINT)
  const fixtures = fixturesOfDocument(file, json)
  if (fixtures !== null) return { kind: 'fixtures', fixtures }
  return { kind: 'export', data: checkSessionExport(file, json) }
}

/** Reads and validates a session export; throws OigError naming the file and the problem. */
export function readSessionExport(file: string): SessionExport {
  const { value: json } = readJsonOrThrow(file, 'session file', CODES, HINT)
  return checkSessionExport(file, json)
}

function checkSessionExport(file: string, json: unknown): SessionExport {
  const parsed = SessionExportSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown shape'
    throw new OigError(
      'SESSION_FILE_INVALID',
      `Failed to read session file ${file}: not a session export (${where}).`,
      { hint: HINT },
    )
  }
  return parsed.data
}

/** Converts export frames to capture rows; the export's `conn_id` fills rows that lack one. */
export function sessionExportRows(data: SessionExport): CaptureRow[] {
  return data.frames.map((f) => {
    const raw = f.raw ?? (f.raw_b64 ? Buffer.from(f.raw_b64, 'base64').toString('utf8') : '')
    const ts = f.ts ?? null
    return {
      id: f.id,
      ts,
      tsMs: parseCaptureTs(ts),
      tableName: f.table_name ?? null,
      raw,
      direction: f.direction ?? null,
      connId: f.conn_id ?? data.conn_id ?? null,
    }
  })
}

export function sessionFileName(file: string): string {
  return path.basename(file)
}
