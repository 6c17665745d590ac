/**
 * Access to the real captures in `../shared/captures` (see its README). Tests never skip when they
 * are missing: every accessor throws a clear error instead, so a CI without the captures fails.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'

/** Capture files the tests rely on; a missing one means a broken checkout, not a skipped test. */
export const EXPECTED_CAPTURE_FILES = [
  'box-uploads-2025-12-07.db',
  'cloud-settings-2025-12.db',
  'edge-cases-2025-12.db',
  'events-change-2026-03-02.db',
  'nack-wc-2026-02-01.db',
  'probe-frames-2026-02.db',
  'session-2026-02-17-conn2315.db',
  'session-2026-02-17-conn2315.json',
  'setting-handshake-2025-12-10.db',
  'setting-handshake-2025-12-18-conn1.db',
] as const

export type CaptureFileName = (typeof EXPECTED_CAPTURE_FILES)[number]

/** Which way a captured frame travelled: sent by the BOX, or sent to it. */
export type CaptureSide = 'box' | 'cloud'

export interface CaptureFrame {
  /** File name inside the captures directory, e.g. `nack-wc-2026-02-01.db`. */
  readonly file: string
  /** The row's `id` in that file. */
  readonly id: number
  /** The frame text exactly as captured (with its CRLF when the source had one). */
  readonly raw: string
  /** The row's `direction` column as stored. */
  readonly direction: string
  readonly side: CaptureSide
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

function notFound(where: string, detail: string): Error {
  return new Error(
    `Real captures not found at ${where} (${detail}); set OIGCTL_CAPTURES or place ../shared beside the checkout`,
  )
}

/** The real captures directory: `$OIGCTL_CAPTURES`, else `<repo>/../shared/captures`. Throws if absent. */
export function capturesDir(): string {
  const fromEnv = process.env.OIGCTL_CAPTURES
  const dir =
    fromEnv !== undefined && fromEnv !== ''
      ? resolve(fromEnv)
      : resolve(REPO_ROOT, '..', 'shared', 'captures')
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw notFound(dir, 'no such directory')
  const missing = EXPECTED_CAPTURE_FILES.filter((f) => !existsSync(join(dir, f)))
  if (missing.length > 0) throw notFound(dir, `missing ${missing.join(', ')}`)
  return dir
}

/** Absolute path of one capture file; throws if it does not exist. */
export function captureDbPath(name: string): string {
  const dir = capturesDir()
  const path = join(dir, name)
  if (!existsSync(path)) throw notFound(dir, `missing ${name}`)
  return path
}

/**
 * Side of a row from its `direction`: `box_to_*` (and `proxy_to_cloud`, BOX traffic passed on) is
 * the BOX's; anything going to the BOX is the cloud side (PROTOCOL.md §6).
 */
function sideOf(direction: string, where: string): CaptureSide {
  if (direction.startsWith('box_to_') || direction === 'proxy_to_cloud') return 'box'
  if (direction.endsWith('_to_box') || direction === 'cloud_to_proxy') return 'cloud'
  throw new Error(`${where}: unexpected direction ${JSON.stringify(direction)}`)
}

interface FrameRow {
  id: number
  raw: string
  direction: string | null
}

/** Every frame of every `*.db` in the captures directory, ordered by file name then row id. */
export function loadCaptureFrames(): CaptureFrame[] {
  const dir = capturesDir()
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.db'))
    .sort()
  const frames: CaptureFrame[] = []
  for (const file of files) {
    const db = new Database(join(dir, file), { readonly: true, fileMustExist: true })
    try {
      const rows = db
        .prepare('SELECT id, raw, direction FROM frames ORDER BY id')
        .all() as FrameRow[]
      for (const row of rows) {
        const where = `${file} row ${row.id}`
        if (row.direction === null) throw new Error(`${where}: direction is NULL`)
        frames.push({
          file,
          id: row.id,
          raw: row.raw,
          direction: row.direction,
          side: sideOf(row.direction, where),
        })
      }
    } finally {
      db.close()
    }
  }
  return frames
}

/** One captured frame by file and row id; throws if it is not there. */
export function captureFrame(
  frames: readonly CaptureFrame[],
  file: string,
  id: number,
): CaptureFrame {
  const frame = frames.find((f) => f.file === file && f.id === id)
  if (frame === undefined) throw new Error(`no captured frame ${file} row ${id}`)
  return frame
}
