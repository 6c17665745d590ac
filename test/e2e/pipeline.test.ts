import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Contract } from '../../src/contract/schema.js'
import { GateDecisionSchema } from '../../src/gate/gate-schema.js'
import { PipelineDocSchema } from '../../src/formats/stdout-docs.js'
import { json, oigctl } from '../helpers/cli.js'
import { realPipeline } from '../helpers/real-pipeline.js'
import { tempDir } from '../helpers/make-db.js'

interface PipelineDoc {
  kind: string
  synthetic: boolean
  decision: string
  exitCode: number
  blocking: string[]
  gate: {
    blocking: Array<{ id: string; reasons: string[]; fix: string[] }>
    notBlocking: Array<{ id: string }>
  }
  steps: Array<{ name: string; ok: boolean; summary: string }>
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
    const doc = json<PipelineDoc>(r)
    PipelineDocSchema.parse(doc)
    // On failure, say which step did not pass (and why) before the exit code.
    expect(
      doc.steps.filter((s) => !s.ok && s.name !== 'gate').map((s) => `${s.name}: ${s.summary}`),
    ).toEqual([])
    expect(r.code).toBe(0)
    expect(doc).toMatchObject({
      kind: 'pipeline',
      synthetic: true,
      decision: 'KEEP',
      exitCode: 0,
    })
    // Synthetic evidence never removes the backup path: the synthetic contract shows no real
    // key, the soak replayed synthetic lanes.
    expect(doc.blocking).toEqual(['soak-all-pass', 'real-captures', 'coverage'])
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

  it("runs the same pipeline over the real captures: KEEP (exit 1, the gate's), naming every uncovered key with its counts and what would cover it", async () => {
    // The one run of the test run (test/global-setup.ts), shared with the report tests.
    const r = await realPipeline()
    const out = r.evidence
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
    // The failing line says why (issue 14): the error's code, session and row.
    expect(doc.steps.find((s) => s.name === 'extract')!.summary).toMatch(
      /findings 1 error .* — why: crc-failure \S+ row \d+/,
    )
    // Every other step passes (a failing one is named with its summary).
    expect(
      doc.steps
        .filter((s) => s.name !== 'extract' && s.name !== 'gate' && !s.ok)
        .map((s) => `${s.name}: ${s.summary}`),
    ).toEqual([])
    expect(r.stdout).toContain('"report": ')
    expect(r.code).toBe(1)
    expect(doc).toMatchObject({
      synthetic: false,
      decision: 'KEEP',
      exitCode: 1,
      blocking: ['coverage'],
    })
    // The deliberate bad-CRC probe is a non-mandatory finding: listed, it does not set the exit code.
    expect(doc.steps.find((s) => s.name === 'extract')!.ok).toBe(false)
    expect(doc.gate.notBlocking.map((k) => k.id)).toEqual(['captures-intact'])
    const reasons = doc.gate.blocking[0]!.reasons
    // IsNewFW: one real probe frame (no reply captured), its replies known from the pairs only;
    // IsNewWeather: in the pairs only, no frame to replay.
    expect(reasons).toContainEqual(
      expect.stringMatching(
        /^uncovered box\.poll\.isnewfw: judged mock 1, offline 1, hybrid 1 of 5 needed per target; the evidence shows it 1 time\(s\) in frames and \d+ in class-level pairs, 0 real cloud replies in frames and \d+ in pairs, 1 compared; the frame captures hold no more of it than was compared; a capture of your own with at least 5 of them is needed$/,
      ),
    )
    expect(reasons).toContainEqual(
      expect.stringMatching(
        /^uncovered box\.poll\.isnewweather: judged mock 0, offline 0, hybrid 0 of 5 needed per target; the evidence shows it 0 time\(s\) in frames and \d+ in class-level pairs, 0 real cloud replies in frames and \d+ in pairs, 0 compared; the frame captures hold no BOX frame of box\.poll\.isnewweather .*a capture of your own with box\.poll\.isnewweather and the cloud's replies is needed$/,
      ),
    )
    expect(reasons.at(-1)).toMatch(/^uncovered setting handshake: /)
    expect(doc.gate.blocking[0]!.fix[0]).toMatch(/^oigctl pipeline --db /)
    const gate = GateDecisionSchema.parse(JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')))
    expect(gate.decision).toBe('KEEP')
    expect(gate.criteria.find((c) => c.id === 'captures-intact')?.status).toBe('FAIL')
    // The soak replayed the real compared sessions, so it counts (it passes here).
    expect(gate.criteria.find((c) => c.id === 'soak-all-pass')?.status).toBe('PASS')
    const soak = JSON.parse(readFileSync(join(out, 'soak', 'outage.soak.json'), 'utf8')) as {
      sessions: { source: string }
    }
    expect(soak.sessions.source).toContain(
      'session-2026-02-17-conn2315.sessions.json#0001-conn2315',
    )
  })
})
