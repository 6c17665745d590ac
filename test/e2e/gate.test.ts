import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { GateDecisionSchema, type GateDecision } from '../../src/gate/gate-schema.js'
import { RollbackRehearsalSchema } from '../../src/rehearse/rehearsal-schema.js'
import { SOAK_SCENARIOS } from '../../src/soak/report-schema.js'
import { capturesDir } from '../helpers/captures.js'
import { json, oigctl, REPO_ROOT } from '../helpers/cli.js'
import { soakDoc } from '../helpers/gate-docs.js'
import { completeSet, writeEvidence } from '../helpers/gate-evidence.js'
import { tempDir } from '../helpers/make-db.js'

const CHECKLIST = join(REPO_ROOT, 'contracts', 'gate.checklist.json')
const SHIPPED = join(REPO_ROOT, 'contracts', 'oig-cloud.contract.json')
const now = (): string => new Date().toISOString()

function checklistWithout(dir: string, id: string): string {
  const c = JSON.parse(readFileSync(CHECKLIST, 'utf8')) as { criteria: Array<{ id: string }> }
  c.criteria = c.criteria.filter((k) => k.id !== id)
  const file = join(dir, 'weak.checklist.json')
  writeFileSync(file, JSON.stringify(c))
  return file
}

describe('oigctl gate (built CLI)', () => {
  it('exits 0 with REMOVE on complete evidence, writing gate.json and one JUnit case per criterion', () => {
    const dir = tempDir()
    writeEvidence(dir, completeSet(now()))
    const junit = join(dir, 'gate.junit.xml')
    const r = oigctl(['gate', '--evidence', dir, '--junit', junit, '--json'])
    expect(r.stderr).toBe(`wrote ${join(dir, 'gate.json')} and ${junit}\n`)
    expect(r.code).toBe(0)
    const d = GateDecisionSchema.parse(json(r))
    expect(d.decision).toBe('REMOVE')
    expect(d.checklist.file).toBe(CHECKLIST)
    expect(JSON.parse(readFileSync(join(dir, 'gate.json'), 'utf8'))).toEqual(d)
    const xml = readFileSync(junit, 'utf8')
    expect(xml).toContain('<testsuites name="oigctl gate: REMOVE" tests="10" failures="0">')
    expect(xml.match(/<testcase /g)).toHaveLength(10)
  })

  it('exits 1 with KEEP on an empty evidence folder, listing each absent file and the rollback steps', () => {
    const dir = tempDir()
    const junit = join(dir, 'gate.junit.xml')
    const r = oigctl(['gate', '--evidence', dir, '--junit', junit])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(
      'decision: KEEP — 9 mandatory criterion(s) did not pass (contract-validates, compare-no-critical, handshake-passed, soak-all-pass, rollback-rehearsed, same-contract-and-captures, evidence-fresh, real-captures, coverage): keep the legacy backup path',
    )
    expect(r.stdout).toContain('  MISSING soak-all-pass\n    soak/stable.soak.json: absent\n')
    // Every missing criterion says which command would produce its evidence.
    expect(r.stdout).toContain(
      `    to fix, run: oigctl gate --evidence ${dir} --contract ${SHIPPED} --rehearse-rollback\n`,
    )
    expect(r.stdout).toContain(
      `curl -X POST http://127.0.0.1:5711/local-replies -H 'content-type: application/json' -d '{"set":"legacy"}'`,
    )
    expect(r.stdout).toContain(
      'oigctl serve proxy --mode hybrid --upstream HOST:PORT --local-replies legacy',
    )
    const d = GateDecisionSchema.parse(JSON.parse(readFileSync(join(dir, 'gate.json'), 'utf8')))
    expect(d.blocking.find((b) => b.id === 'contract-validates')!.files).toEqual([
      {
        kind: 'contract-validation',
        file: join(dir, 'contract-validation.json'),
        status: 'missing',
      },
    ])
    const xml = readFileSync(junit, 'utf8')
    expect(xml).toContain('tests="10" failures="10"')
    expect(xml).toContain('to fix, run: oigctl compare --session')
  })

  it('exits 1 with KEEP on stale evidence (--max-age-days)', () => {
    const dir = tempDir()
    writeEvidence(dir, completeSet(new Date(Date.now() - 3 * 86_400_000).toISOString()))
    const r = oigctl(['gate', '--evidence', dir, '--max-age-days', '2', '--json'])
    expect(r.code).toBe(1)
    const d = json<GateDecision>(r)
    expect(d.blocking.map((b) => b.id)).toEqual(['evidence-fresh'])
    expect(d.blocking[0]!.reasons[0]).toMatch(
      /contract-validation.json: stale, generated .* \(3.0 days ago, limit 2\)$/,
    )
  })

  it('exits 2 naming the mandatory criterion a checklist lacks, and writes nothing', () => {
    const dir = tempDir()
    writeEvidence(dir, completeSet(now()))
    const r = oigctl([
      'gate',
      '--evidence',
      dir,
      '--checklist',
      checklistWithout(dir, 'rollback-rehearsed'),
    ])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(
      'missing mandatory criterion "rollback-rehearsed" (rehearsal-passed on rollback-rehearsal)',
    )
    expect(r.stderr).toMatch(/^Hint: /m)
    expect(existsSync(join(dir, 'gate.json'))).toBe(false)
  })

  it('exits 2 on a checklist whose coverage thresholds are below the floors, and writes nothing', () => {
    const dir = tempDir()
    writeEvidence(dir, completeSet(now()))
    const c = JSON.parse(readFileSync(CHECKLIST, 'utf8')) as {
      criteria: Array<{ id: string; condition: Record<string, unknown> }>
    }
    c.criteria.find((k) => k.id === 'coverage')!.condition.minJudged = 0
    writeFileSync(join(dir, 'low.json'), JSON.stringify(c))
    const r = oigctl(['gate', '--evidence', dir, '--checklist', join(dir, 'low.json')])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      'mandatory criterion "coverage" is weaker than required: minJudged 0 is below the floor 1',
    )
    expect(existsSync(join(dir, 'gate.json'))).toBe(false)
  })

  it('exits 2 on a checklist with an unknown evidence kind, on a missing folder and on bad options', () => {
    const dir = tempDir()
    const c = JSON.parse(readFileSync(CHECKLIST, 'utf8')) as {
      criteria: Array<{ evidence: unknown }>
    }
    c.criteria[8]!.evidence = 'telemetry'
    writeFileSync(join(dir, 'c.json'), JSON.stringify(c))
    const unknown = oigctl(['gate', '--evidence', dir, '--checklist', join(dir, 'c.json')])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain(
      'criteria.8 ("captures-intact").evidence: unknown evidence kind "telemetry"',
    )
    const missing = oigctl(['gate', '--evidence', join(dir, 'nope')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain(
      `Failed to read evidence folder ${join(dir, 'nope')}: no such folder.`,
    )
    const session = oigctl(['gate', '--evidence', dir, '--session', 'x.json'])
    expect(session.code).toBe(2)
    expect(session.stderr).toContain('invalid --session: only used with --rehearse-rollback')
  })

  it('decides KEEP on evidence the real CLI produced from the real captures: only coverage blocks, naming each uncovered key (issue 11)', () => {
    const dir = tempDir()
    const dbs = readdirSync(capturesDir())
      .filter((f) => f.endsWith('.db'))
      .sort()
      .flatMap((f) => ['--db', join(capturesDir(), f)])
    // Extract finds the deliberate CRC failure of the real nack-wc capture: exit 1 by design.
    expect(oigctl(['extract', ...dbs, '--out', dir, '--quiet']).code).toBe(1)
    const pairs = ['--pairs', join(capturesDir(), 'pairs-2025-12-ha-full.json')]
    const validate = ['contract', 'validate', '--contract', SHIPPED, ...dbs, ...pairs]
    expect(
      oigctl([...validate, '--out', join(dir, 'contract-validation.json'), '--quiet']).code,
    ).toBe(0)
    const fixture = (ref: string): string => join(dir, 'sessions', ref)
    const compare = oigctl([
      'compare',
      '--session',
      fixture('session-2026-02-17-conn2315.sessions.json#0001-conn2315'),
      '--session',
      fixture('setting-handshake-2025-12-10.sessions.json#0001-conn1'),
      '--targets',
      'online,mock,offline,hybrid',
      '--max-speed',
      '--out',
      dir,
      '--quiet',
    ])
    expect(compare.code).toBe(0)
    // The soak reports (another command) are written here as schema-valid passing documents.
    writeEvidence(dir, {
      contract: null,
      'contract-validation': null,
      compare: null,
      'extract-result': null,
      'rollback-rehearsal': null,
      soak: SOAK_SCENARIOS.map((s) => soakDoc(s, { generatedAt: now() })),
    })
    const r = oigctl(['gate', '--evidence', dir, '--rehearse-rollback', '--json'])
    expect(r.stderr).toContain(
      'rollback rehearsal on box-uploads-2025-12-07#0001 (57 BOX frames, one live connection): PASS',
    )
    const d = GateDecisionSchema.parse(json(r))
    // Every other mandatory criterion passes: without coverage this evidence read REMOVE.
    expect(d.blocking.map((b) => b.id)).toEqual(['coverage'])
    expect(d.decision).toBe('KEEP')
    expect(r.code).toBe(1)
    const reasons = d.blocking[0]!.reasons
    // The IsNewFW probe session was not compared: named, with the compare command that adds it.
    expect(reasons).toContainEqual(
      expect.stringMatching(
        /^uncovered box\.poll\.isnewfw: judged mock 0, offline 0, hybrid 0 of 5 needed per target; the evidence shows it 1 time\(s\) in frames and \d+ in class-level pairs, 0 real cloud replies in frames and \d+ in pairs, 0 compared; the captures hold a box\.poll\.isnewfw frame in session\(s\) not compared yet: probe-isnewfw-2025-12-11#0001$/,
      ),
    )
    expect(d.blocking[0]!.fix).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^oigctl compare --session '\\S+session-2026-02-17-conn2315\\.sessions\\.json#0001-conn2315' --session '\\S+setting-handshake-2025-12-10\\.sessions\\.json#0001-conn1' --session '${dir}/sessions/probe-isnewfw-2025-12-11\\.sessions\\.json#0001' --targets online,mock,offline,hybrid --max-speed --out ${dir}$`,
        ),
      ),
    )
    expect(reasons).toContainEqual(
      expect.stringMatching(
        /^uncovered box\.poll\.isnewset\(merged\): judged mock 1, offline 1, hybrid 1 of 5 needed per target; the evidence shows it 1 time\(s\) in frames and \d+ in class-level pairs, 1 real cloud reply in frames and \d+ in pairs, 1 compared; the frame captures hold no more of it than was compared; a capture of your own with at least 5 of them is needed$/,
      ),
    )
    expect(reasons.at(-1)).toMatch(
      /^uncovered setting handshake: judged passing batches mock 1 \(largest 1 Setting\(s\)\), offline 1 .*hybrid 1 .*needed 3 per target, one of them with 2 or more Settings/,
    )
    expect(d.blocking[0]!.fix).toContain(
      "oigctl pipeline --db /share/oig-proxy/payloads.db  # your own add-on capture, with the cloud's replies recorded",
    )
    const text = oigctl(['gate', '--evidence', dir])
    expect(text.code).toBe(1)
    expect(text.stdout).toContain('  FAIL coverage\n    uncovered box.')
    expect(text.stdout).toContain(
      '    to fix, run: oigctl pipeline --db /share/oig-proxy/payloads.db',
    )
    // Not blocking: the real captures hold a deliberate CRC failure.
    expect(d.criteria.find((c) => c.id === 'captures-intact')!.status).toBe('FAIL')
    const rehearsal = RollbackRehearsalSchema.parse(
      JSON.parse(readFileSync(join(dir, 'rollback-rehearsal.json'), 'utf8')),
    )
    expect(rehearsal.pass).toBe(true)

    // The same evidence against a contract that is not the one it was produced with: KEEP.
    const other = join(dir, 'other.contract.json')
    writeFileSync(
      other,
      readFileSync(SHIPPED, 'utf8').replace('"version": "1.0.0"', '"version": "1.0.1"'),
    )
    const mismatch = oigctl(['gate', '--evidence', dir, '--contract', other, '--json'])
    expect(mismatch.code).toBe(1)
    expect(json<GateDecision>(mismatch).blocking.map((b) => b.id)).toEqual([
      'same-contract-and-captures',
      'coverage',
    ])
  })
})
