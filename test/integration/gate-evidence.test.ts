import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { evaluateGate } from '../../src/gate/evaluate.js'
import { contractFileFor, loadEvidence, readChecklist } from '../../src/pipeline/run-gate.js'
import { SHIPPED_CHECKLIST } from '../../src/shipped.js'
import { SHIPPED_CONTRACT_FILE } from '../helpers/box-frames.js'
import { CONTRACT_SHA, NOW } from '../helpers/gate-docs.js'
import { completeSet, writeEvidence } from '../helpers/gate-evidence.js'
import { tempDir } from '../helpers/make-db.js'

describe('loadEvidence (real files in temp folders)', () => {
  it('reads a complete folder with every document valid and the contract hashed', () => {
    const dir = tempDir()
    writeEvidence(dir, completeSet())
    const e = loadEvidence(dir, contractFileFor(dir, null, SHIPPED_CONTRACT_FILE))
    expect(Object.values(e.files).map((f) => [f.kind, f.ok])).toEqual([
      ['contract', true],
      ['contract-validation', true],
      ['compare', true],
      ['extract-result', true],
      ['rollback-rehearsal', true],
    ])
    expect(e.files.contract.ok && e.files.contract.sha256).toBe(CONTRACT_SHA)
    expect(e.soak.map((f) => f.ok && f.doc.scenario)).toEqual([
      'flapping',
      'intermittent',
      'outage',
      'slow',
      'stable',
    ])
    expect(evaluateGate(readChecklist(SHIPPED_CHECKLIST), e, NOW).decision).toBe('REMOVE')
  })

  it('falls back to the shipped contract when the folder has none', () => {
    const dir = tempDir()
    expect(contractFileFor(dir, null, SHIPPED_CONTRACT_FILE)).toBe(SHIPPED_CONTRACT_FILE)
    expect(contractFileFor(dir, '/x.json', SHIPPED_CONTRACT_FILE)).toBe('/x.json')
  })

  it.each<[string, (dir: string) => void, string, RegExp]>([
    [
      'not JSON',
      (d) => writeFileSync(join(d, 'compare.json'), '{"kind": "compare",'),
      'not-json',
      /^not JSON: /,
    ],
    [
      'another kind',
      (d) => writeFileSync(join(d, 'compare.json'), '{"kind": "replay", "schemaVersion": 1}'),
      'wrong-kind',
      /^kind is "replay", expected "compare"$/,
    ],
    [
      'an unknown schemaVersion',
      (d) => writeFileSync(join(d, 'compare.json'), '{"kind": "compare", "schemaVersion": 2}'),
      'unknown-schema-version',
      /^unknown schemaVersion 2 \(this oigctl reads 1\)$/,
    ],
    [
      'invalid',
      (d) =>
        writeFileSync(
          join(d, 'compare.json'),
          '{"kind": "compare", "schemaVersion": 1, "targets": 3}',
        ),
      'invalid',
      /^does not match the compare schema: generator: .*\(\+\d+ more\)$/,
    ],
    [
      'a folder in its place',
      (d) => mkdirSync(join(d, 'compare.json')),
      'unreadable',
      /^unreadable: EISDIR/,
    ],
  ])(
    'turns a compare.json that is %s into a problem value and a KEEP',
    (_name, spoil, code, message) => {
      const dir = tempDir()
      writeEvidence(dir, { ...completeSet(), compare: null })
      spoil(dir)
      const e = loadEvidence(dir, SHIPPED_CONTRACT_FILE)
      const f = e.files.compare
      expect(f.ok).toBe(false)
      if (!f.ok) {
        expect(f.problem.code).toBe(code)
        expect(f.problem.message).toMatch(message)
      }
      const d = evaluateGate(readChecklist(SHIPPED_CHECKLIST), e, NOW)
      expect(d.decision).toBe('KEEP')
      expect(d.blocking.find((b) => b.id === 'compare-no-critical')).toMatchObject({
        status: 'FAIL',
        files: [{ kind: 'compare', file: join(dir, 'compare.json'), status: code }],
      })
    },
  )

  it('reads an invalid soak report as a problem of that file, not as a missing scenario', () => {
    const dir = tempDir()
    writeEvidence(dir, completeSet())
    writeFileSync(join(dir, 'soak', 'slow.soak.json'), '{"kind": "soak", "schemaVersion": 9}')
    const d = evaluateGate(
      readChecklist(SHIPPED_CHECKLIST),
      loadEvidence(dir, SHIPPED_CONTRACT_FILE),
      NOW,
    )
    const soak = d.criteria.find((c) => c.id === 'soak-all-pass')!
    expect(soak.status).toBe('FAIL')
    expect(soak.reasons).toEqual([
      `${join(dir, 'soak', 'slow.soak.json')}: unknown schemaVersion 9 (this oigctl reads 1)`,
    ])
  })

  it('refuses a folder that does not exist (could not run)', () => {
    expect(() => loadEvidence('/nonexistent/evidence', SHIPPED_CONTRACT_FILE)).toThrow(
      'Failed to read evidence folder /nonexistent/evidence: no such folder.',
    )
  })
})
