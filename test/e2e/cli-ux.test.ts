/**
 * Issue 14, the CLI as a user meets it: each item over the built CLI (bin/oigctl.js).
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { capturesDir } from '../helpers/captures.js'
import { oigctl } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'

function allCaptureDbs(): string[] {
  const dir = capturesDir()
  return readdirSync(dir)
    .filter((f) => f.endsWith('.db'))
    .sort()
    .map((f) => join(dir, f))
}

describe('errors first (issue 14 item 1)', () => {
  it('extract over every real DB shows the crc-failure error before any warning, uncut', () => {
    const out = tempDir()
    const r = oigctl(['extract', ...allCaptureDbs().flatMap((d) => ['--db', d]), '--out', out])
    expect(r.code).toBe(1)
    const lines = r.stdout.split('\n')
    const firstError = lines.findIndex((l) => /^\s+error crc-failure /.test(l))
    const firstWarning = lines.findIndex((l) => /^\s+warn /.test(l))
    expect(firstError).toBeGreaterThan(-1)
    expect(firstWarning).toBeGreaterThan(firstError)
    const summary = /findings: (\d+) error/.exec(r.stdout)
    expect(summary).not.toBeNull()
    expect(lines.filter((l) => /^\s+error /.test(l))).toHaveLength(Number(summary![1]))
    expect(r.stdout).toMatch(/… \d+ more warnings in extract-result\.json/)
  })
})
