import { describe, expect, it } from 'vitest'
import {
  compareDoc,
  CONTRACT_REF,
  extractDoc,
  FOREIGN_SHA,
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
  reasonsOf,
  type MaybeSet,
} from '../helpers/gate-evidence.js'

describe('evaluateGate: stale and mismatched evidence always yields KEEP', () => {
  const OLD = new Date(NOW.getTime() - 40 * 86_400_000).toISOString()
  it.each<[string, (s: MaybeSet) => void, string]>([
    [
      'contract-validation',
      (s) => (s['contract-validation'] = validationDoc({ generatedAt: OLD })),
      '/ev/contract-validation.json',
    ],
    ['compare', (s) => (s.compare = compareDoc({ generatedAt: OLD })), '/ev/compare.json'],
    [
      'soak',
      (s) => (s.soak![4] = soakDoc('slow', { generatedAt: OLD })),
      '/ev/soak/slow.soak.json',
    ],
    [
      'extract-result',
      (s) => (s['extract-result'] = extractDoc({ generatedAt: OLD })),
      '/ev/extract-result.json',
    ],
    [
      'rollback-rehearsal',
      (s) => (s['rollback-rehearsal'] = rehearsalDoc({ generatedAt: OLD })),
      '/ev/rollback-rehearsal.json',
    ],
  ])('decides KEEP when the %s evidence is stale', (_kind, change, file) => {
    const d = decide(changed(change))
    expect(blocking(d)).toEqual({ 'evidence-fresh': 'FAIL' })
    expect(reasonsOf(d, 'evidence-fresh')).toMatch(
      new RegExp(`^${file}: stale, generated ${OLD} \\(40.0 days ago, limit 30\\)$`),
    )
    // --max-age-days overrides the checklist's limit.
    expect(decide(changed(change), { maxAgeDays: 45 }).decision).toBe('REMOVE')
    expect(decide(completeSet(), { maxAgeDays: 0.5 }).decision).toBe('KEEP')
  })

  it('decides KEEP on evidence generated in the future or with an unreadable time', () => {
    const future = decide(
      changed((s) => (s.compare = compareDoc({ generatedAt: '2026-04-01T00:00:00Z' }))),
    )
    expect(reasonsOf(future, 'evidence-fresh')).toMatch(/compare.json: generated in the future/)
    const garbled = decide(changed((s) => (s.compare = compareDoc({ generatedAt: 'yesterday' }))))
    expect(reasonsOf(garbled, 'evidence-fresh')).toMatch(
      /compare.json: no readable generation time/,
    )
  })

  const otherContract = { version: CONTRACT_REF.version, sha256: 'a'.repeat(64) }
  it.each<[string, (s: MaybeSet) => void, RegExp]>([
    [
      'compare of another contract',
      (s) => (s.compare = compareDoc({ contract: { file: 'x.json', ...otherContract } })),
      /compare.json: contract 1.0.0 sha256 aaaaaaaaaaaa… differs from .*oig-cloud.contract.json|compare.json: contract 1.0.0 sha256 aaaaaaaaaaaa… differs/,
    ],
    [
      'soak of another contract version',
      (s) =>
        (s.soak![2] = soakDoc('intermittent', { contract: { ...CONTRACT_REF, version: '1.1.0' } })),
      /intermittent.soak.json: contract 1.1.0 .* differs/,
    ],
    [
      'rehearsal of another contract',
      (s) =>
        (s['rollback-rehearsal'] = rehearsalDoc({ contract: { file: 'x', ...otherContract } })),
      /rollback-rehearsal.json: contract .* differs/,
    ],
    [
      'validation of another contract',
      (s) =>
        (s['contract-validation'] = validationDoc({
          contract: { ...validationDoc().contract, sha256: otherContract.sha256 },
        })),
      /contract-validation.json: contract .* differs/,
    ],
    [
      'a compared session from a foreign capture',
      (s) => {
        const c = compareDoc()
        c.sessions[0]!.sha256 = FOREIGN_SHA
        s.compare = c
      },
      /compare.json: compared session from capture not among the contract inputs: session-2026-02-17-conn2315.db .*sha256 ffffffffffff…/,
    ],
    [
      'an extract of a foreign capture',
      (s) => {
        const x = extractDoc()
        x.sources[0]!.sha256 = FOREIGN_SHA
        s['extract-result'] = x
      },
      /extract-result.json: extracted capture not among the contract inputs/,
    ],
    [
      'a rehearsal of a foreign capture',
      (s) =>
        (s['rollback-rehearsal'] = rehearsalDoc({
          session: { ...rehearsalDoc().session, sha256: FOREIGN_SHA },
        })),
      /rollback-rehearsal.json: rehearsed session from capture not among the contract inputs/,
    ],
    [
      'a validation against other captures',
      (s) => {
        const v = validationDoc()
        v.inputs = v.inputs.slice(1)
        s['contract-validation'] = v
      },
      /the contract was not validated against its input\(s\) box-uploads-2025-12-07.db/,
    ],
  ])('decides KEEP on hash-mismatched evidence: %s', (_name, change, reason) => {
    const d = decide(changed(change))
    expect(d.decision).toBe('KEEP')
    expect(blocking(d)).toEqual({ 'same-contract-and-captures': 'FAIL' })
    expect(reasonsOf(d, 'same-contract-and-captures')).toMatch(reason)
  })
})
