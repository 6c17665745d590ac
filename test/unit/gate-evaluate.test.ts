import { describe, expect, it } from 'vitest'
import { evaluateGate } from '../../src/gate/evaluate.js'
import type { GateEvidence } from '../../src/gate/evidence.js'
import { GateDecisionSchema } from '../../src/gate/gate-schema.js'
import { gateToJunit } from '../../src/gate/junit.js'
import {
  compareDoc,
  extractDoc,
  NOW,
  rehearsalDoc,
  soakDoc,
  validationDoc,
} from '../helpers/gate-docs.js'
import {
  blocking,
  changed,
  completeSet,
  decide,
  memoryEvidence,
  reasonsOf,
  shippedChecklist,
  type MaybeSet,
} from '../helpers/gate-evidence.js'

describe('evaluateGate', () => {
  it('decides REMOVE when every mandatory criterion passes on complete evidence', () => {
    const d = decide(completeSet())
    expect(d.decision).toBe('REMOVE')
    expect(d.blocking).toEqual([])
    expect(d.criteria.map((c) => [c.id, c.status])).toEqual(
      shippedChecklist().criteria.map((c) => [c.id, 'PASS']),
    )
    expect(d.generatedAt).toBe(NOW.toISOString())
  })

  it('keeps REMOVE when only a non-mandatory criterion fails, and lists it', () => {
    const d = decide(
      changed((s) => {
        s['extract-result'] = extractDoc({
          totals: { ...extractDoc().totals, findings: { error: 1, warning: 0, info: 0 } },
        })
      }),
    )
    expect(d.decision).toBe('REMOVE')
    expect(d.criteria.find((c) => c.id === 'captures-intact')!.status).toBe('FAIL')
  })

  it.each([
    [
      'contract-validation',
      ['contract-validates', 'same-contract-and-captures', 'evidence-fresh', 'real-captures'],
    ],
    [
      'compare',
      [
        'compare-no-critical',
        'handshake-passed',
        'same-contract-and-captures',
        'evidence-fresh',
        'coverage',
      ],
    ],
    ['soak', ['soak-all-pass', 'same-contract-and-captures', 'evidence-fresh']],
    [
      'extract-result',
      ['same-contract-and-captures', 'evidence-fresh', 'real-captures', 'coverage'],
    ],
    ['rollback-rehearsal', ['rollback-rehearsed', 'same-contract-and-captures', 'evidence-fresh']],
    ['contract', ['same-contract-and-captures', 'real-captures', 'coverage']],
  ] as const)('decides KEEP when %s evidence is missing, naming the absent file', (kind, ids) => {
    const d = decide(changed((s) => (s[kind] = null)))
    expect(d.decision).toBe('KEEP')
    expect(blocking(d)).toEqual(Object.fromEntries(ids.map((id) => [id, 'MISSING'])))
    const file = kind === 'soak' ? '/ev/soak/stable.soak.json' : `/ev/${kind}.json`
    expect(d.blocking[0]!.reasons.join('\n')).toContain(`${file}: absent`)
    expect(d.blocking[0]!.files.some((f) => f.status === 'missing')).toBe(true)
  })

  it('decides KEEP naming the soak scenario whose report is missing', () => {
    const d = decide(changed((s) => (s.soak = s.soak!.filter((x) => x.scenario !== 'flapping'))))
    expect(blocking(d)).toEqual({ 'soak-all-pass': 'MISSING' })
    expect(reasonsOf(d, 'soak-all-pass')).toBe('/ev/soak/flapping.soak.json: absent')
  })

  it.each<[string, (s: MaybeSet) => void, string, RegExp, string[]?]>([
    [
      'an unsupported contract row',
      (s) =>
        (s['contract-validation'] = validationDoc({
          verdict: 'invalid',
          counts: { ...validationDoc().counts, unsupported: 1, errors: 1 },
          rows: [{ id: 'row-x', support: 0, citations: 1, citationsOk: 0, status: 'unsupported' }],
        })),
      'contract-validates',
      /1 unsupported row\(s\): row-x/,
    ],
    [
      'a bad citation',
      (s) =>
        (s['contract-validation'] = validationDoc({
          counts: { ...validationDoc().counts, badCitations: 1 },
          rows: [{ id: 'row-y', support: 1, citations: 1, citationsOk: 0, status: 'bad-citation' }],
        })),
      'contract-validates',
      /bad citation: row-y/,
    ],
    [
      'a critical mismatch of offline',
      (s) => {
        const c = compareDoc()
        c.targets[2]!.criticalMismatches = 1
        c.sessions[0]!.rows[0]!.cells.offline = {
          ...c.sessions[0]!.rows[0]!.cells.offline!,
          verdict: 'MISMATCH',
          classMatch: false,
          class: 'cloud.end-time',
          reason: 'no Setting at the poll where the real cloud delivered one',
        }
        s.compare = c
      },
      'compare-no-critical',
      /offline has 1 critical mismatch\(es\): session .* seq 1 box.poll.isnewset: no Setting at the poll/,
    ],
    [
      'a target that was not compared',
      (s) => {
        const c = compareDoc()
        c.targets = c.targets.filter((t) => t.name !== 'mock')
        for (const r of c.sessions[0]!.rows) delete r.cells.mock
        s.compare = c
      },
      'compare-no-critical',
      /target mock was not compared/,
      ['handshake-passed', 'coverage'],
    ],
    [
      'a compare without sessions',
      (s) => (s.compare = compareDoc({ sessions: [] })),
      'compare-no-critical',
      /no session was compared/,
      // A compare that names no capture cannot show it used the contract's captures either.
      ['same-contract-and-captures', 'coverage'],
    ],
    [
      'no passed handshake for mock',
      (s) => {
        const c = compareDoc()
        c.targets[1]!.handshakes = { expected: 1, passed: 0 }
        s.compare = c
      },
      'handshake-passed',
      /mock passed the setting handshake 0 of 1/,
    ],
    [
      'a failed soak verdict',
      (s) =>
        (s.soak![1] = soakDoc('outage', {
          verdict: {
            pass: false,
            expectation: 'one switch each way',
            reasons: ['2 switches to offline'],
          },
        })),
      'soak-all-pass',
      /outage.soak.json: outage verdict FAIL \(2 switches to offline\)/,
    ],
    [
      'a soak oscillation',
      (s) => (s.soak![3] = soakDoc('flapping', { oscillations: 2 })),
      'soak-all-pass',
      /flapping.soak.json: 2 oscillation/,
    ],
    [
      'a lost soak frame',
      (s) =>
        (s.soak![0] = soakDoc('stable', {
          conservation: { boxFrames: 10, replies: 9, lost: 1, duplicated: 0, ok: false },
        })),
      'soak-all-pass',
      /1 lost and 0 duplicated of 10/,
    ],
    [
      'a failed rehearsal',
      (s) =>
        (s['rollback-rehearsal'] = rehearsalDoc({
          pass: false,
          checks: [{ id: 'legacy-served', pass: false, detail: 'seq 2 expected cloud.ack' }],
        })),
      'rollback-rehearsed',
      /legacy-served: seq 2 expected cloud.ack/,
    ],
    [
      'a synthetic extract',
      (s) => (s['extract-result'] = extractDoc({ synthetic: true })),
      'real-captures',
      /extracted from synthetic captures/,
    ],
  ])('decides KEEP on %s', (_name, change, id, reason, also = []) => {
    const d = decide(changed(change))
    expect(d.decision).toBe('KEEP')
    expect(blocking(d)).toEqual(Object.fromEntries([id, ...also].map((x) => [x, 'FAIL'])))
    expect(reasonsOf(d, id)).toMatch(reason)
  })

  it.each([
    'contract',
    'contract-validation',
    'compare',
    'soak',
    'extract-result',
    'rollback-rehearsal',
  ] as const)(
    'decides KEEP when the %s file has an unknown schemaVersion (or is unreadable)',
    (kind) => {
      const e = memoryEvidence(completeSet())
      const problem = {
        code: 'unknown-schema-version' as const,
        message: 'unknown schemaVersion 2 (this oigctl reads 1)',
      }
      const bad = { kind, file: `/ev/${kind}.json`, ok: false as const, problem }
      const broken: GateEvidence =
        kind === 'soak'
          ? {
              ...e,
              soak: [...e.soak.slice(1), { ...bad, kind, file: '/ev/soak/stable.soak.json' }],
            }
          : { ...e, files: { ...e.files, [kind]: bad } }
      const d = GateDecisionSchema.parse(evaluateGate(shippedChecklist(), broken, NOW))
      expect(d.decision).toBe('KEEP')
      expect(d.blocking.length).toBeGreaterThan(0)
      for (const b of d.blocking) {
        expect(b.status).toBe('FAIL')
        expect(b.reasons.join('\n')).toContain('unknown schemaVersion 2')
      }
      expect(d.evidence.find((f) => f.status === 'unknown-schema-version')).toBeDefined()
    },
  )

  it('never decides REMOVE with a checklist that has no mandatory criterion', () => {
    const c = shippedChecklist()
    const optional = { ...c, criteria: c.criteria.map((k) => ({ ...k, mandatory: false })) }
    expect(evaluateGate(optional, memoryEvidence(completeSet()), NOW).decision).toBe('KEEP')
  })

  it('always lists the exact rollback steps: the control-API call and the restart flag', () => {
    const d = decide(changed((s) => (s.compare = null)))
    const commands = d.rollback.map((s) => s.command)
    expect(commands[0]).toBe(
      `curl -X POST http://127.0.0.1:5711/local-replies -H 'content-type: application/json' -d '{"set":"legacy"}'`,
    )
    expect(commands).toContain(
      'oigctl serve proxy --mode hybrid --upstream HOST:PORT --local-replies legacy',
    )
  })

  it('writes one JUnit test case per criterion, failures for FAIL and MISSING', () => {
    const d = decide(changed((s) => (s.soak = null)))
    const xml = gateToJunit(d)
    expect(xml.match(/<testcase /g)).toHaveLength(d.criteria.length)
    expect(xml).toContain(
      `<testsuites name="oigctl gate: KEEP" tests="${d.criteria.length}" failures="3">`,
    )
    expect(xml).toContain(
      '<testcase classname="gate.mandatory" name="soak-all-pass"><failure type="MISSING"',
    )
  })
})
