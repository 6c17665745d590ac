import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Contract } from '../../src/contract/schema.js'
import { GateDecisionSchema } from '../../src/gate/gate-schema.js'
import { capturesDir } from '../helpers/captures.js'
import { json, oigctl } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'

interface PipelineDoc {
  kind: string
  synthetic: boolean
  decision: string
  blocking: string[]
  steps: Array<{ name: string; ok: boolean }>
}

const EVIDENCE = [
  'extract-result.json',
  'contract.json',
  'contract-validation.json',
  'compare.json',
  'rollback-rehearsal.json',
  'gate.json',
]

describe('oigctl pipeline (built CLI, end to end)', () => {
  it('runs the main job on the built-in synthetic capture (npm start): every step passes, the gate keeps the backup path', () => {
    const out = join(tempDir(), 'evidence')
    const r = oigctl(['pipeline', '--out', out, '--days', '0.5', '--json'])
    expect(r.code).toBe(0)
    const doc = json<PipelineDoc>(r)
    expect(doc).toMatchObject({
      kind: 'pipeline',
      synthetic: true,
      decision: 'KEEP',
      blocking: ['real-captures'],
    })
    expect(doc.steps.map((s) => [s.name, s.ok])).toEqual([
      ['simulate', true],
      ['extract', true],
      ['contract derive', true],
      ['contract validate', true],
      ['compare', true],
      ['soak', true],
      ['gate', false],
      ['report', true],
    ])
    expect(existsSync(join(out, 'report.html'))).toBe(true)
    for (const f of EVIDENCE) expect(existsSync(join(out, f)), f).toBe(true)
    expect(readdirSync(join(out, 'soak')).sort()).toEqual([
      'flapping.soak.json',
      'intermittent.soak.json',
      'outage.soak.json',
      'slow.soak.json',
      'stable.soak.json',
    ])
  })

  it('runs the same pipeline over the real captures: REMOVE, with the deliberate bad-CRC probe as an extract finding (exit 1)', () => {
    const out = join(tempDir(), 'evidence')
    const dbs = readdirSync(capturesDir())
      .filter((f) => f.endsWith('.db'))
      .flatMap((f) => ['--db', join(capturesDir(), f)])
    const pairs = join(capturesDir(), 'pairs-2025-12-ha-full.json')
    const r = oigctl(['pipeline', ...dbs, '--pairs', pairs, '--out', out, '--json'])
    const doc = json<PipelineDoc>(r)
    expect(doc.synthetic).toBe(false)
    // --pairs reaches derive and validate: the contract has the pairs tier, and validate resolved it.
    const derived = JSON.parse(readFileSync(join(out, 'contract.json'), 'utf8')) as Contract
    expect(derived.inputs.filter((i) => i.format === 'pairs').map((i) => i.file)).toEqual([
      'pairs-2025-12-ha-full.json',
    ])
    expect(derived.transitions.some((t) => t.request.class === 'box.poll.isnewfw')).toBe(true)
    const validation = JSON.parse(readFileSync(join(out, 'contract-validation.json'), 'utf8')) as {
      verdict: string
      counts: { unresolved: number }
    }
    expect(validation).toMatchObject({ verdict: 'valid', counts: { unresolved: 0 } })
    expect(doc.steps.find((s) => s.name === 'extract')!.ok).toBe(false)
    expect(doc.steps.filter((s) => s.name !== 'extract').every((s) => s.ok)).toBe(true)
    expect(r.stdout).toContain('"report": ')
    expect(r.code).toBe(1)
    const gate = GateDecisionSchema.parse(JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')))
    expect(gate.decision).toBe('REMOVE')
    expect(gate.criteria.find((c) => c.id === 'captures-intact')?.status).toBe('FAIL')
  })
})
