import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Contract } from '../../src/contract/schema.js'
import { ContractValidationSchema } from '../../src/contract/validation-schema.js'
import { capturesDir } from '../helpers/captures.js'
import { json, oigctl, REPO_ROOT } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'

const SHIPPED = join(REPO_ROOT, 'contracts', 'oig-cloud.contract.json')
const dbArgs = (): string[] =>
  readdirSync(capturesDir())
    .filter((f) => f.endsWith('.db'))
    .sort()
    .flatMap((f) => ['--db', join(capturesDir(), f)])

const pairsArgs = (): string[] => ['--pairs', join(capturesDir(), 'pairs-2025-12-ha-full.json')]

describe('oigctl contract (built CLI)', () => {
  it('derives a contract equal to the shipped one and validates it, writing evidence', () => {
    const dir = tempDir()
    const out = join(dir, 'c.json')
    const d = oigctl(['contract', 'derive', ...dbArgs(), ...pairsArgs(), '--out', out, '--json'])
    expect(d.code).toBe(0)
    expect(json<Contract>(d).kind).toBe('contract')
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(SHIPPED, 'utf8'))
    const evidence = join(dir, 'validation.json')
    const v = oigctl([
      'contract',
      'validate',
      '--contract',
      out,
      ...dbArgs(),
      ...pairsArgs(),
      '--strict',
      '--out',
      evidence,
    ])
    expect(v.code).toBe(0)
    expect(v.stdout).toContain('VALID')
    const doc = ContractValidationSchema.parse(JSON.parse(readFileSync(evidence, 'utf8')))
    expect(doc.contract.version).toBe('1.0.0')
    expect(doc.inputs.every((i) => /^[0-9a-f]{64}$/.test(i.sha256))).toBe(true)
  })

  it('validate --pairs fails (exit 1) naming a cited pair that the pairs file lacks', () => {
    const dir = tempDir()
    const shipped = JSON.parse(readFileSync(SHIPPED, 'utf8')) as Contract
    const row = shipped.transitions.find(
      (t) => t.id === 'box.poll.isnewfw @normal -> cloud.setting',
    )!
    const cited = row.pairCitations[0]!
    const source = join(capturesDir(), 'pairs-2025-12-ha-full.json')
    const doc = JSON.parse(readFileSync(source, 'utf8')) as { pairs: Array<{ request_id: number }> }
    doc.pairs = doc.pairs.filter((p) => p.request_id !== cited.requestId)
    const edited = join(dir, 'pairs-2025-12-ha-full.json')
    writeFileSync(edited, JSON.stringify(doc))
    const r = oigctl([
      'contract',
      'validate',
      '--contract',
      SHIPPED,
      ...dbArgs(),
      '--pairs',
      edited,
      '--out',
      join(dir, 'v.json'),
    ])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(
      `row ${row.id}: pair pairs-2025-12-ha-full.json ${cited.requestId}→${cited.responseId} is not in the pairs file`,
    )
  })

  it('fails (exit 1) on an injected row with a line naming it and what the captures show', () => {
    const dir = tempDir()
    const c = JSON.parse(readFileSync(SHIPPED, 'utf8')) as Contract
    const fake = structuredClone(
      c.transitions.find((t) => t.id === 'box.end @normal -> cloud.ack')!,
    )
    fake.id = 'box.end @normal -> cloud.end'
    fake.response = 'cloud.end'
    c.transitions.push(fake)
    const file = join(dir, 'injected.json')
    writeFileSync(file, JSON.stringify(c))
    const r = oigctl([
      'contract',
      'validate',
      '--contract',
      file,
      ...dbArgs(),
      '--out',
      join(dir, 'v.json'),
    ])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(
      'FAIL row box.end @normal -> cloud.end: no captured sequence supports it; the captures show for box.end @normal: cloud.ack ×1',
    )
    expect(r.stdout).toMatch(
      /FAIL row box\.end @normal -> cloud\.end: citation session-2026-02-17-conn2315\.db rows 13816→13817 show box\.end @normal -> cloud\.ack/,
    )
  })

  it('reports schema errors as path: message with exit 2 and writes nothing', () => {
    const dir = tempDir()
    const c = JSON.parse(readFileSync(SHIPPED, 'utf8')) as Record<string, unknown> & Contract
    ;(c.transitions[0] as unknown as Record<string, unknown>).count = 'many'
    delete (c as Partial<Contract>).version
    const file = join(dir, 'broken.json')
    writeFileSync(file, JSON.stringify(c))
    const out = join(dir, 'v.json')
    const r = oigctl(['contract', 'validate', '--contract', file, ...dbArgs(), '--out', out])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('does not match the contract schema')
    expect(r.stderr).toContain('  version: Invalid input: expected string, received undefined')
    expect(r.stderr).toContain(
      '  transitions.0.count: Invalid input: expected number, received string',
    )
    expect(existsSync(out)).toBe(false)
  })

  it('exits 2 without output on a missing capture DB', () => {
    const dir = tempDir()
    const out = join(dir, 'c.json')
    const r = oigctl(['contract', 'derive', '--db', join(dir, 'nope.db'), '--out', out])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Failed to open capture DB .*nope\.db: file does not exist\./)
    expect(existsSync(out)).toBe(false)
    const v = oigctl([
      'contract',
      'validate',
      '--contract',
      SHIPPED,
      '--db',
      join(dir, 'nope.db'),
      '--out',
      join(dir, 'v.json'),
    ])
    expect(v.code).toBe(2)
    expect(readdirSync(dir)).toEqual([])
  })

  it('diffs contracts: a removed row is breaking (exit 1), an added row compatible (exit 0)', () => {
    const dir = tempDir()
    const c = JSON.parse(readFileSync(SHIPPED, 'utf8')) as Contract
    const smaller = join(dir, 'smaller.json')
    writeFileSync(
      smaller,
      JSON.stringify({
        ...c,
        version: '1.1.0',
        transitions: c.transitions.filter((t) => t.id !== 'box.end @normal -> cloud.ack'),
      }),
    )
    const removed = oigctl(['contract', 'diff', SHIPPED, smaller])
    expect(removed.code).toBe(1)
    expect(removed.stdout).toContain(
      'breaking removed box.end @normal -> cloud.ack: row removed (was 1×)',
    )
    const added = oigctl(['contract', 'diff', smaller, SHIPPED, '--json'])
    expect(added.code).toBe(0)
    expect(json<{ breaking: boolean; changes: unknown[] }>(added)).toMatchObject({
      breaking: false,
      changes: [{ kind: 'added', row: 'box.end @normal -> cloud.ack' }],
    })
  })

  it('merges per-DB contracts into the contract of one derive over all DBs', () => {
    const dir = tempDir()
    const parts = readdirSync(capturesDir())
      .filter((f) => f.endsWith('.db'))
      .map((f, i) => {
        const out = join(dir, `p${i}.json`)
        expect(
          oigctl(['contract', 'derive', '--db', join(capturesDir(), f), '--out', out, '--quiet'])
            .code,
        ).toBe(0)
        return out
      })
    const merged = join(dir, 'merged.json')
    expect(oigctl(['contract', 'merge', ...parts, '--out', merged, '--quiet']).code).toBe(0)
    // Pairs are joined with the frames of the DBs they were cut from, so the shipped contract
    // (DBs + pairs) is one derive; the frames tier merges exactly.
    const whole = join(dir, 'whole.json')
    expect(oigctl(['contract', 'derive', ...dbArgs(), '--out', whole, '--quiet']).code).toBe(0)
    expect(readFileSync(merged, 'utf8')).toBe(readFileSync(whole, 'utf8'))
  })
})
