/**
 * Issue 14: `replay` of a file that holds several sessions prints one `replay-batch` document,
 * checked here against the checked-in JSON Schema file itself (contracts/schemas/), not only the
 * zod schema it is generated from.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { json, oigctl, REPO_ROOT } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'

const batchSchema = (): z.ZodType =>
  z.fromJSONSchema(
    JSON.parse(
      readFileSync(join(REPO_ROOT, 'contracts', 'schemas', 'replay-batch.schema.json'), 'utf8'),
    ) as Parameters<typeof z.fromJSONSchema>[0],
  )

/** A SYNTHETIC session export (the add-on's format) of the simulator's first `sessions` sessions. */
function syntheticExport(dir: string, sessions: number): string {
  const db = join(dir, 'synthetic.db')
  expect(oigctl(['simulate', '--out', db, '--sessions', String(sessions), '-q']).code).toBe(0)
  const conn = new Database(db, { readonly: true })
  const rows = conn
    .prepare('SELECT id, ts, direction, table_name, raw, conn_id, peer FROM frames ORDER BY id')
    .all()
  conn.close()
  const file = join(dir, 'synthetic-export.json')
  writeFileSync(file, JSON.stringify({ source: 'SYNTHETIC simulator', frames: rows }))
  return file
}

describe('replay batch output (kind replay-batch)', () => {
  it('replays every session of a file holding several, one document matching contracts/schemas/replay-batch.schema.json', () => {
    const dir = tempDir()
    const file = syntheticExport(dir, 3)
    const out = join(dir, 'ev')
    const r = oigctl(['replay', '--session', file, '--target', 'mock', '--max-speed', '--out', out, '--json'])
    expect(r.code).toBe(0)
    const doc = json<{ kind: string; transcripts: Array<{ kind: string; session: { id: string } }> }>(r)
    const check = batchSchema().safeParse(doc)
    expect(check.error?.issues ?? []).toEqual([])
    expect(doc.kind).toBe('replay-batch')
    expect(doc.transcripts.length).toBe(3)
    expect(new Set(doc.transcripts.map((t) => t.session.id)).size).toBe(3)
    expect(doc.transcripts.every((t) => t.kind === 'replay')).toBe(true)
    // One transcript file per session next to the batch on stdout.
    expect(r.stderr.match(/^wrote .*\.replay\.json$/gm)?.length).toBe(3)
    // The schema check can fail: a transcript without its steps is refused.
    const broken = { ...doc, transcripts: [{ ...doc.transcripts[0], steps: undefined }] }
    expect(batchSchema().safeParse(broken).success).toBe(false)
  }) // prettier-ignore

  it('a file with one session prints a plain replay transcript, not a batch', () => {
    const dir = tempDir()
    const file = syntheticExport(dir, 1)
    const r = oigctl(['replay', '--session', file, '--target', 'mock', '--max-speed', '--out', join(dir, 'ev'), '--json'])
    expect(r.code).toBe(0)
    expect(json<{ kind: string }>(r).kind).toBe('replay')
  }) // prettier-ignore
})
