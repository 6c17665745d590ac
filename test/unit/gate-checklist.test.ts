import { describe, expect, it } from 'vitest'
import { checkChecklist, MANDATORY_CRITERIA } from '../../src/gate/checklist.js'
import { shippedChecklist, shippedChecklistJson } from '../helpers/gate-evidence.js'

describe('checkChecklist', () => {
  it('accepts the shipped checklist, which holds every mandatory criterion', () => {
    const ids = shippedChecklist()
      .criteria.filter((c) => c.mandatory)
      .map((c) => c.id)
    expect(ids).toEqual(MANDATORY_CRITERIA.map((m) => m.id))
  })

  it.each(MANDATORY_CRITERIA.map((m) => m.id))(
    'rejects a checklist without %s, naming it',
    (id) => {
      const json = shippedChecklistJson()
      json.criteria = (json.criteria as Array<{ id: string }>).filter((c) => c.id !== id)
      const r = checkChecklist(json)
      expect(r.ok).toBe(false)
      if (!r.ok)
        expect(r.problems).toEqual([
          expect.stringMatching(new RegExp(`^missing mandatory criterion "${id}" \\(`)),
        ])
    },
  )

  const edit = (change: (criteria: Array<Record<string, unknown>>) => void): string[] => {
    const json = shippedChecklistJson()
    change(json.criteria as Array<Record<string, unknown>>)
    const r = checkChecklist(json)
    return r.ok ? [] : r.problems
  }

  it.each<[string, (c: Array<Record<string, unknown>>) => void, string]>([
    [
      'a mandatory criterion made optional',
      (c) => (c[0]!.mandatory = false),
      'mandatory criterion "contract-validates" must have "mandatory": true',
    ],
    [
      'weakened targets',
      (c) => (c[1]!.condition = { type: 'compare-no-critical', targets: ['mock'] }),
      'mandatory criterion "compare-no-critical" is weaker than required: targets must include offline',
    ],
    [
      'a soak scenario left out',
      (c) => (c[3]!.condition = { type: 'soak-all-pass', scenarios: ['stable'] }),
      'is weaker than required: scenarios must include outage, intermittent, flapping, slow',
    ],
    [
      'an unknown evidence kind',
      (c) => (c[8]!.evidence = 'telemetry'),
      'criteria.8 ("captures-intact").evidence: unknown evidence kind "telemetry"',
    ],
    [
      'an unknown condition type',
      (c) => (c[8]!.condition = { type: 'vibes' }),
      'criteria.8 ("captures-intact").condition.type: unknown condition type "vibes"',
    ],
    [
      'a condition on the wrong evidence',
      (c) => (c[8]!.evidence = 'soak'),
      'criterion "captures-intact": condition extract-clean cannot read soak (it reads extract-result)',
    ],
    [
      'freshness of the contract',
      (c) => (c[6]!.evidence = ['contract', 'compare']),
      'criterion "evidence-fresh": condition fresh cannot read contract',
    ],
    [
      'a duplicate id',
      (c) => c.push({ ...c[8]! }),
      'criterion "captures-intact" appears more than once',
    ],
    [
      'a mandatory criterion reading less evidence',
      (c) => (c[5]!.evidence = ['contract', 'compare']),
      'mandatory criterion "same-contract-and-captures" must read evidence contract-validation, soak, extract-result, rollback-rehearsal',
    ],
  ])('rejects %s', (_name, change, problem) => {
    expect(edit(change).join('\n')).toContain(problem)
  })

  it('rejects an unknown schemaVersion and a foreign kind', () => {
    const r = checkChecklist({ ...shippedChecklistJson(), schemaVersion: 2, kind: 'contract' })
    expect(r.ok ? [] : r.problems).toEqual([
      expect.stringMatching(/^kind: /),
      'schemaVersion: unknown schemaVersion 2 (this oigctl reads 1)',
    ])
  })
})
