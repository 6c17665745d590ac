import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ExtractResult } from '../../src/evidence/schemas/extract-result.js'
import { json, oigctl } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'

const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex')

describe('oigctl simulate and demo (built CLI, synthetic data)', () => {
  it('writes the same DB for the same seed and a different one for another seed', () => {
    const dir = tempDir()
    const [a, b, c] = ['a.db', 'b.db', 'c.db'].map((f) => join(dir, f)) as [string, string, string]
    expect(oigctl(['simulate', '--out', a, '--sessions', '30', '--seed', '5', '--json']).code).toBe(
      0,
    )
    expect(oigctl(['simulate', '--out', b, '--sessions', '30', '--seed', '5', '--json']).code).toBe(
      0,
    )
    expect(oigctl(['simulate', '--out', c, '--sessions', '30', '--seed', '6', '--json']).code).toBe(
      0,
    )
    expect(sha(a)).toBe(sha(b))
    expect(sha(a)).not.toBe(sha(c))
  })

  it('is read back by extract as synthetic, with handshakes and no findings', () => {
    const dir = tempDir()
    const db = join(dir, 's.db')
    const sim = oigctl(['simulate', '--out', db, '--days', '2', '--seed', '2', '--json'])
    expect(sim.code).toBe(0)
    const simDoc = json<{
      kind: string
      synthetic: boolean
      rows: number
      settingHandshakes: number
    }>(sim)
    expect(simDoc).toMatchObject({ kind: 'simulate-result', synthetic: true })
    const r = oigctl(['extract', '--db', db, '--out', join(dir, 'out'), '--json'])
    expect(r.code).toBe(0)
    const doc = json<ExtractResult>(r)
    expect(doc.synthetic).toBe(true)
    expect(doc.sources[0]!.synthetic).toBe(true)
    expect(doc.totals.framesRead).toBe(simDoc.rows)
    expect(doc.totals.findings).toEqual({ error: 0, warning: 0, info: 0 })
    expect(doc.settingHandshakes.filter((h) => h.complete)).toHaveLength(simDoc.settingHandshakes)
    const human = oigctl(['extract', '--db', db, '--out', join(dir, 'out2')])
    expect(human.stdout).toContain(
      '[SYNTHETIC DATA: written by oigctl simulate, not a real capture]',
    )
  })

  it('refuses to overwrite an existing file without --force (exit 2)', () => {
    const dir = tempDir()
    const db = join(dir, 's.db')
    expect(oigctl(['simulate', '--out', db, '--sessions', '2']).code).toBe(0)
    const r = oigctl(['simulate', '--out', db, '--sessions', '2'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Failed to write synthetic capture DB .*s\.db/)
    expect(oigctl(['simulate', '--out', db, '--sessions', '2', '--force']).code).toBe(0)
  })

  it('rejects contradictory size options as a usage error', () => {
    const r = oigctl(['simulate', '--out', join(tempDir(), 'x.db'), '--days', '1', '--rows', '10'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/give only one of --days, --sessions, --rows/)
  })
})
