/**
 * The gate's coverage criterion and the soak's real-lanes rule, on hand-built evidence documents
 * (TEST FIXTURES from gate-docs.ts, not oigctl output): REMOVE only when every request key and the
 * setting handshake are covered; KEEP names each uncovered key with its counts and what would
 * cover it; a checklist below the floors is refused.
 */
import { describe, expect, it } from 'vitest'
import type { CompareReport } from '../../src/compare/report-schema.js'
import type { Contract } from '../../src/contract/schema.js'
import { checkChecklist } from '../../src/gate/checklist.js'
import { checkCoverage, coverageKey } from '../../src/gate/coverage.js'
import { gateToJunit } from '../../src/gate/junit.js'
import { compareDoc, CONTRACT, extractDoc, ROWS_PER_KEY, soakDoc } from '../helpers/gate-docs.js'
import {
  blocking,
  changed,
  completeSet,
  decide,
  reasonsOf,
  shippedChecklistJson,
} from '../helpers/gate-evidence.js'

const OPTS = { targets: ['mock', 'offline', 'hybrid'], minJudged: 5, minHandshakes: 3 }
type Row = CompareReport['sessions'][number]['rows'][number]
const rowsOf = (c: CompareReport, key: string): Row[] =>
  c.sessions[0]!.rows.filter((r) => coverageKey({ ...r, class: r.requestClass }) === key)
const fixCoverage = (c: CompareReport, contract: Contract = CONTRACT) =>
  checkCoverage(
    {
      compare: { file: '/ev/compare.json', doc: c },
      contract: { file: '/ev/contract.json', doc: contract },
      extract: { file: '/ev/extract-result.json', doc: extractDoc() },
      evidenceDir: '/ev',
    },
    OPTS,
  )

describe('gate coverage (issue 11)', () => {
  it('decides REMOVE when every key and the handshake thresholds are met', () => {
    const d = decide(completeSet())
    expect(d.decision).toBe('REMOVE')
    const c = d.criteria.find((x) => x.id === 'coverage')!
    expect(c).toMatchObject({ status: 'PASS', reasons: [], fix: [] })
    expect(c.files.map((f) => f.kind)).toEqual(['compare', 'contract', 'extract-result'])
  })

  it('decides KEEP when one key is one judged reply short, naming it with its counts', () => {
    const d = decide(
      changed((s) => {
        const c = compareDoc()
        // ROWS_PER_KEY (6) judged rows: two unjudged for mock leave 4 of the 5 needed.
        for (const r of rowsOf(c, 'box.upload[tbl_actual]').slice(0, ROWS_PER_KEY - 4))
          r.cells.mock = { ...r.cells.mock!, judged: false, verdict: 'WARN', reason: 'unjudged: x' }
        s.compare = c
      }),
    )
    expect(d.decision).toBe('KEEP')
    expect(blocking(d)).toEqual({ coverage: 'FAIL' })
    const reasons = reasonsOf(d, 'coverage')
    expect(reasons).toContain(
      'uncovered box.upload[tbl_actual]: judged mock 4, offline 6, hybrid 6 of 5 needed per target',
    )
    expect(reasons.split('\n')).toHaveLength(1)
    expect(d.blocking[0]!.fix.length).toBeGreaterThan(0)
  })

  it('keeps REMOVE at exactly minJudged judged replies (the threshold is inclusive)', () => {
    const d = decide(
      changed((s) => {
        const c = compareDoc()
        const r = rowsOf(c, 'box.upload[tbl_actual]')[0]!
        r.cells.mock = { ...r.cells.mock!, judged: false }
        s.compare = c
      }),
    )
    expect(d.decision).toBe('REMOVE')
  })

  it('does not count a mismatching reply, nor one judged against a reply the proxy built itself', () => {
    const c = compareDoc()
    const rows = rowsOf(c, 'box.end')
    rows[0]!.cells.offline = { ...rows[0]!.cells.offline!, classMatch: false, verdict: 'MISMATCH' }
    rows[1]!.reference = { ...rows[1]!.reference!, origin: 'proxy' }
    const r = fixCoverage(c)
    expect(r.keys.find((k) => k.key === 'box.end')!.judged).toEqual({
      mock: 5,
      offline: 4,
      hybrid: 5,
    })
    expect(r.reasons).toEqual([
      expect.stringMatching(/^uncovered box\.end: judged mock 5, offline 4, hybrid 5 of 5/),
    ])
  })

  it('decides KEEP when the soak ran on synthetic lanes only', () => {
    const d = decide(
      changed((s) => {
        s.soak = s.soak!.map((x) =>
          soakDoc(x.scenario, { sessions: { source: 'synthetic', count: 4 } }),
        )
      }),
    )
    expect(d.decision).toBe('KEEP')
    expect(blocking(d)).toEqual({ 'soak-all-pass': 'FAIL' })
    expect(reasonsOf(d, 'soak-all-pass')).toContain(
      'stable replayed synthetic BOX sessions; a soak counts toward REMOVE only when its BOX lanes replay real sessions',
    )
    expect(d.blocking[0]!.fix[0]).toMatch(
      /^for s in stable outage .*oigctl soak --scenario "\$s" --session /,
    )
  })

  it('decides KEEP without a passing batch of two or more Settings, or with too few batches', () => {
    const small = decide(
      changed((s) => {
        const c = compareDoc()
        c.sessions[0]!.handshakes = c.sessions[0]!.handshakes.map((h) => ({ ...h, settings: 1 }))
        s.compare = c
      }),
    )
    expect(blocking(small)).toEqual({ coverage: 'FAIL' })
    expect(reasonsOf(small, 'coverage')).toContain(
      'uncovered setting handshake: judged passing batches mock 3 (largest 1 Setting(s)), offline 3 (largest 1 Setting(s)), hybrid 3 (largest 1 Setting(s)); needed 3 per target, one of them with 2 or more Settings',
    )
    const few = decide(
      changed((s) => {
        const c = compareDoc()
        c.sessions[0]!.handshakes[0]!.targets.hybrid = 'UNJUDGED'
        s.compare = c
      }),
    )
    expect(reasonsOf(few, 'coverage')).toContain('hybrid 2 (largest 3 Setting(s))')
  })

  it('names a key only the class-level pairs show as uncovered, and what would cover it', () => {
    // The shipped contract shows IsNewWeather from the pairs file only; the compare lacks it.
    const c = compareDoc()
    c.sessions[0]!.rows = c.sessions[0]!.rows.filter(
      (r) => r.requestClass !== 'box.poll.isnewweather',
    )
    const r = fixCoverage(c)
    const weather = CONTRACT.transitions.filter((t) => t.request.class === 'box.poll.isnewweather')
    const pairs = weather.reduce((n, t) => n + t.support.pairs, 0)
    expect(pairs).toBeGreaterThan(0)
    expect(r.reasons).toEqual([
      expect.stringMatching(
        new RegExp(
          `^uncovered box\\.poll\\.isnewweather: judged mock 0, offline 0, hybrid 0 of 5 needed per target; the evidence shows it 0 time\\(s\\) in frames and \\d+ in class-level pairs, 0 real cloud replies in frames and ${pairs} in pairs, 0 compared; the frame captures hold no BOX frame of box\\.poll\\.isnewweather \\(only class-level pairs show its replies`,
        ),
      ),
    ])
    expect(r.fix).toEqual([expect.stringMatching(/^oigctl pipeline --db /)])
  })

  it('keys IsNewSet by its form when the contract request carries one', () => {
    expect(
      coverageKey({ class: 'box.poll.isnewset', table: null, eventType: null, pollForm: 'merged' }),
    ).toBe('box.poll.isnewset(merged)')
    expect(coverageKey({ class: 'box.poll.isnewset', table: null, eventType: null })).toBe(
      'box.poll.isnewset',
    )
    expect(coverageKey({ class: 'box.upload', table: 'tbl_batt', eventType: null })).toBe(
      'box.upload[tbl_batt]',
    )
    expect(coverageKey({ class: 'box.events', table: 'tbl_events', eventType: 'Change' })).toBe(
      'box.events[Change]',
    )
  })

  it('names a session of the captures that holds an uncovered key and was not compared, with the compare command', () => {
    const c = compareDoc()
    const keep = new Set(rowsOf(c, 'box.upload[tbl_actual]').slice(0, 4))
    c.sessions[0]!.rows = c.sessions[0]!.rows.filter(
      (r) =>
        keep.has(r) || coverageKey({ ...r, class: r.requestClass }) !== 'box.upload[tbl_actual]',
    )
    c.sessions[0]!.id = 'another#1'
    const cite = CONTRACT.transitions.find((t) => t.request.table === 'tbl_actual')!.citations[0]!
    const extract = extractDoc({
      sessions: [
        {
          id: 'session-2026-02-17-conn2315#0001-conn2315',
          source: cite.file.replace(/\.db$/, ''),
          index: 1,
          connId: cite.connId,
          boundary: { rule: 'start-of-capture', detail: 'first connection' },
          firstTs: '2026-02-17T08:05:13.198931+00:00',
          lastTs: '2026-02-17T08:06:00.629500+00:00',
          frameCount: 24,
          classes: [],
          fixture: 'sessions/s2026.session.json',
          settingHandshakes: 0,
        },
      ],
    })
    const actual = (t: { request: { table: string | null } }): boolean =>
      t.request.table === 'tbl_actual'
    const seen = CONTRACT.requests.filter(actual)[0]!.support
    const replies = CONTRACT.transitions.filter(actual).reduce((n, t) => n + t.support.pairs, 0)
    const r = checkCoverage(
      {
        compare: { file: '/ev/compare.json', doc: c },
        contract: { file: '/ev/contract.json', doc: CONTRACT },
        extract: { file: '/ev/extract-result.json', doc: extract },
        evidenceDir: '/ev',
      },
      OPTS,
    )
    expect(r.reasons).toEqual([
      `uncovered box.upload[tbl_actual]: judged mock 4, offline 4, hybrid 4 of 5 needed per target; the evidence shows it ${seen.frames} time(s) in frames and ${seen.pairs} in class-level pairs, 4 real cloud replies in frames and ${replies} in pairs, 4 compared; the captures hold it in session(s) not compared yet: session-2026-02-17-conn2315#0001-conn2315`,
    ])
    expect(r.fix).toEqual([
      `oigctl compare --session ${c.sessions[0]!.file} --session /ev/sessions/s2026.session.json --targets online,mock,offline,hybrid --max-speed --out /ev`,
    ])
  })

  it('fails with no key at all on a synthetic contract', () => {
    const r = fixCoverage(compareDoc({ sessions: [] }), { ...CONTRACT, synthetic: true })
    expect(r.reasons).toEqual([
      '/ev/contract.json: no request key with a real cloud reply in the evidence (the contract is synthetic)',
      expect.stringMatching(/^uncovered setting handshake: /),
    ])
  })

  it('puts "to fix, run" in the decision and the JUnit of every criterion that did not pass', () => {
    const d = decide(changed((s) => (s['rollback-rehearsal'] = null)))
    const c = d.criteria.find((x) => x.id === 'rollback-rehearsed')!
    expect(c.fix).toEqual([
      'oigctl gate --evidence /ev --contract /ev/contract.json --rehearse-rollback',
    ])
    expect(d.blocking.find((b) => b.id === 'rollback-rehearsed')!.fix).toEqual(c.fix)
    expect(d.criteria.filter((x) => x.status === 'PASS').every((x) => x.fix.length === 0)).toBe(
      true,
    )
    expect(gateToJunit(d)).toContain(
      'to fix, run: oigctl gate --evidence /ev --contract /ev/contract.json --rehearse-rollback',
    )
  })
})

describe('checklist floors of the coverage criterion', () => {
  const withCoverage = (condition: Record<string, unknown>): string[] => {
    const json = shippedChecklistJson()
    const c = (json.criteria as Array<Record<string, unknown>>).find((x) => x.id === 'coverage')!
    c.condition = {
      type: 'coverage',
      targets: ['mock', 'offline', 'hybrid'],
      minJudged: 5,
      minHandshakes: 3,
      ...condition,
    }
    const r = checkChecklist(json)
    return r.ok ? [] : r.problems
  }

  it('accepts the shipped thresholds and the floor itself', () => {
    expect(withCoverage({})).toEqual([])
    expect(withCoverage({ minJudged: 1, minHandshakes: 1 })).toEqual([])
  })

  it.each([
    [{ minJudged: 0 }, 'minJudged 0 is below the floor 1'],
    [{ minHandshakes: 0 }, 'minHandshakes 0 is below the floor 1'],
    [{ targets: ['mock', 'offline'] }, 'targets must include hybrid'],
  ])('refuses %j below the floor', (condition, why) => {
    expect(withCoverage(condition)).toEqual([
      `mandatory criterion "coverage" is weaker than required: ${why}`,
    ])
  })

  it('refuses a checklist without the coverage criterion', () => {
    const json = shippedChecklistJson()
    json.criteria = (json.criteria as Array<{ id: string }>).filter((c) => c.id !== 'coverage')
    const r = checkChecklist(json)
    expect(r.ok ? [] : r.problems).toEqual([
      expect.stringMatching(
        /^missing mandatory criterion "coverage" \(coverage on compare, contract, targets mock, offline, hybrid, minJudged ≥ 1, minHandshakes ≥ 1\)/,
      ),
    ])
  })
})
