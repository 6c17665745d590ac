import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CompareReportSchema } from '../../src/compare/report-schema.js'
import type { Contract } from '../../src/contract/schema.js'
import { ReplayTranscriptSchema } from '../../src/replay/transcript-schema.js'
import { boxOnlyBatchDb } from '../helpers/box-only-batch.js'
import { captureDbPath, capturesDir } from '../helpers/captures.js'
import { json, oigctl, REPO_ROOT } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'

const SESSION_2026 = (): string => join(capturesDir(), 'session-2026-02-17-conn2315.json')

/** Extracts the real 2025-12-10 handshake into a fixture and returns its path. */
function handshakeFixture(dir: string): string {
  const r = oigctl([
    'extract',
    '--db',
    captureDbPath('setting-handshake-2025-12-10.db'),
    '--out',
    dir,
    '--json',
  ])
  expect(r.code).toBe(0)
  return join(dir, json<{ sessions: Array<{ fixture: string }> }>(r).sessions[0]!.fixture)
}

describe('oigctl replay and compare (built CLI, real sessions, targets on loopback)', () => {
  it('replays the real 2026 session against the mock, one reply per frame, and writes a transcript', () => {
    const out = tempDir()
    const r = oigctl([
      'replay',
      '--session',
      SESSION_2026(),
      '--target',
      'mock',
      '--max-speed',
      '--out',
      out,
      '--json',
    ])
    expect(r.code).toBe(0)
    const t = ReplayTranscriptSchema.parse(json(r))
    expect(t.counts).toMatchObject({ sent: 12, replies: 12, noReply: 0, closed: 0, extra: 0 })
    expect(t.steps.map((s) => s.reply?.class)).toEqual([
      'cloud.end-time',
      ...Array.from({ length: 10 }, () => 'cloud.ack-getactual'),
      'cloud.ack',
    ])
    expect(
      existsSync(join(out, 'replay', 'session-2026-02-17-conn2315_0001-conn2315.mock.replay.json')),
    ).toBe(true)
  })

  it('passes the contract-aligned targets and shows legacy differences as explicit lines', () => {
    const out = tempDir()
    const fixture = handshakeFixture(join(out, 'x'))
    const aligned = oigctl([
      'compare',
      '--session',
      SESSION_2026(),
      '--session',
      fixture,
      '--targets',
      'online,mock,offline,hybrid',
      '--max-speed',
      '--out',
      out,
      '--json',
    ])
    expect(aligned.code).toBe(0)
    const report = CompareReportSchema.parse(json(aligned))
    for (const t of report.targets) expect(t.criticalMismatches).toBe(0)
    // The verdicts the report carries (show and the report draw them): no target fails the run.
    expect(report.verdict).toBe('PASS')
    expect(report.targets.map((t) => [t.name, t.verdict])).toEqual([
      ['online', 'PASS'],
      ['mock', 'PASS'],
      ['offline', 'PASS'],
      ['hybrid', 'PASS'],
    ])
    const byName = Object.fromEntries(report.targets.map((t) => [t.name, t]))
    // The setting handshake: Setting at the same poll, the BOX ACK answered with the END family.
    expect(byName.mock!.handshakes).toEqual({ expected: 2, passed: 2 })
    expect(byName.offline!.handshakes).toEqual({ expected: 2, passed: 2 })

    const junit = join(out, 'compare.junit.xml')
    const legacy = oigctl([
      'compare',
      '--session',
      SESSION_2026(),
      '--session',
      fixture,
      '--targets',
      'online,legacy',
      '--max-speed',
      '--out',
      out,
      '--junit',
      junit,
    ])
    expect(legacy.code).toBe(1)
    // The pairs show bare ACK to tbl_dc_in uploads, so only tables whose evidence lacks it differ.
    expect(legacy.stdout).toContain(
      'seq 7 box.upload[tbl_ac_in_b]: online=cloud.ack-getactual legacy=cloud.ack (contract: cloud.ack-getactual) MISMATCH (non-critical) legacy:',
    )
    expect(legacy.stdout).not.toContain(
      'seq 2 box.upload[tbl_dc_in]: online=cloud.ack-getactual legacy=cloud.ack',
    )
    expect(legacy.stdout).toContain(
      "seq 2 box.setting-ack: online=cloud.end-time-getactual legacy=cloud.ack (contract: cloud.end-getactual|cloud.end-time|cloud.end-time-getactual|cloud.setting) MISMATCH legacy: the BOX's setting ACK got cloud.ack",
    )
    const xml = readFileSync(junit, 'utf8')
    expect(xml).toMatch(/<testsuites name="oigctl compare" tests="30" failures="\d+">/)
    expect(xml).toContain('<failure message="the BOX&apos;s setting ACK'.replace('&apos;', "'"))
  })

  it('fails with an explicit line when the contract expects a different class for one sequence', () => {
    const dir = tempDir()
    const c = JSON.parse(
      readFileSync(join(REPO_ROOT, 'contracts', 'oig-cloud.contract.json'), 'utf8'),
    ) as Contract
    const row = c.transitions.find(
      (t) => t.id === 'box.poll.isnewset(merged) @normal -> cloud.end-time',
    )!
    // A class a captured frame shows (edge-cases-2025-12.db), so the targets can build it; the
    // form-unknown IsNewSet rows of the pairs are dropped so that only the altered row applies.
    row.response = 'cloud.end-getactual'
    row.id = 'box.poll.isnewset(merged) @normal -> cloud.end-getactual'
    c.transitions = c.transitions.filter(
      (t) => !(t.request.class === 'box.poll.isnewset' && t.request.pollForm === null),
    )
    const altered = join(dir, 'altered.json')
    writeFileSync(altered, JSON.stringify(c))
    const r = oigctl([
      'compare',
      '--session',
      SESSION_2026(),
      '--targets',
      'online,offline',
      '--contract',
      altered,
      '--max-speed',
      '--out',
      dir,
    ])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(
      'seq 1 box.poll.isnewset: online=cloud.end-time offline=cloud.end-getactual (contract: cloud.end-getactual) MISMATCH',
    )
    const report = CompareReportSchema.parse(
      JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')),
    )
    expect(report.verdict).toBe('FAIL')
    // Judged against the captured reply: offline follows the altered contract and fails; the
    // recorded cloud passes and the contract's disagreement with it is a contradiction line.
    expect(report.targets.map((t) => [t.name, t.verdict])).toEqual([
      ['online', 'PASS'],
      ['offline', 'FAIL'],
    ])
    const poll = report.sessions[0]!.rows.find((row) => row.seq === 1)!
    expect([poll.cells.online!.verdict, poll.cells.offline!.verdict]).toEqual(['PASS', 'MISMATCH'])
    expect(r.stdout).toContain(
      'CONTRADICTION seq 1 box.poll.isnewset: the session shows box.poll.isnewset (normal) -> cloud.end-time',
    )
  })

  it('says in one line that a target cannot be reached (exit 2), not a row per frame', () => {
    const dir = tempDir()
    const r = oigctl([
      'replay',
      '--session',
      SESSION_2026(),
      '--target',
      'tcp://127.0.0.1:9',
      '--max-speed',
      '--out',
      dir,
      '--json',
    ])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'error', code: 'TARGET_UNREACHABLE' })
    expect(r.stderr).toMatch(
      /^Failed to replay to tcp:\/\/127\.0\.0\.1:9: cannot connect to 127\.0\.0\.1:9: /m,
    )
  })

  it('refuses a remote target without --allow-remote (exit 2) before sending anything', () => {
    const r = oigctl([
      'replay',
      '--session',
      SESSION_2026(),
      '--target',
      'tcp://192.0.2.10:5710',
      '--out',
      tempDir(),
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /Failed to use target tcp:\/\/192\.0\.2\.10:5710: it is not on this machine \(loopback\)\./,
    )
    expect(r.stderr).toMatch(/Hint: .*--allow-remote/)
  })
})

describe('oigctl compare: issue-5 acceptance and negative paths (built CLI)', () => {
  it('passes mock and offline on the 2026 session and the 2025-12-18 handshake whose poll was not captured', () => {
    const out = tempDir()
    const x = oigctl([
      'extract',
      '--db',
      captureDbPath('setting-handshake-2025-12-18-conn1.db'),
      '--out',
      join(out, 'x'),
      '--json',
    ])
    const fixture = join(
      out,
      'x',
      json<{ sessions: Array<{ fixture: string }> }>(x).sessions[0]!.fixture,
    )
    const r = oigctl([
      'compare',
      '--session',
      SESSION_2026(),
      '--session',
      fixture,
      '--targets',
      'online,mock,offline,legacy',
      '--max-speed',
      '--out',
      out,
      '--json',
    ])
    const report = CompareReportSchema.parse(json(r))
    const byName = Object.fromEntries(report.targets.map((t) => [t.name, t]))
    expect(byName.mock!.criticalMismatches).toBe(0)
    expect(byName.offline!.criticalMismatches).toBe(0)
    expect(byName.legacy!.mismatches).toBeGreaterThan(0)
    // An unjudged ACK is a warning: mock and offline differ, legacy fails the run.
    expect(report.targets.map((t) => [t.name, t.verdict])).toEqual([
      ['online', 'PASS'],
      ['mock', 'DIFFERS'],
      ['offline', 'DIFFERS'],
      ['legacy', 'FAIL'],
    ])
    expect(report.verdict).toBe('FAIL')
    expect(r.code).toBe(1)
    const ack = report.sessions[1]!.rows.find((row) => row.requestClass === 'box.setting-ack')!
    expect(ack.cells.mock).toMatchObject({ verdict: 'WARN', outcome: 'skipped' })
    expect(ack.cells.mock!.reason).toMatch(
      /^unjudged: the poll that carried the Setting is not in the capture/,
    )
  })

  it('fails on a contract altered on a non-critical row, as a contradiction', () => {
    const dir = tempDir()
    const c = JSON.parse(
      readFileSync(join(REPO_ROOT, 'contracts', 'oig-cloud.contract.json'), 'utf8'),
    ) as Contract
    const row = c.transitions.find((t) => t.id === 'box.end @normal -> cloud.ack')!
    row.response = 'cloud.end'
    row.id = 'box.end @normal -> cloud.end'
    const altered = join(dir, 'altered.json')
    writeFileSync(altered, JSON.stringify(c))
    const r = oigctl([
      'compare',
      '--session',
      SESSION_2026(),
      '--targets',
      'online,mock',
      '--contract',
      altered,
      '--max-speed',
      '--out',
      dir,
    ])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(
      'CONTRADICTION seq 12 box.end: the session shows box.end (normal) -> cloud.ack',
    )
  })

  it('refuses a remote target before replaying anything (exit 2, no output)', () => {
    const out = join(tempDir(), 'out')
    const r = oigctl([
      'compare',
      '--session',
      SESSION_2026(),
      '--targets',
      'online,mock,tcp://192.0.2.10:5710',
      '--out',
      out,
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).not.toContain('WARNING')
    expect(existsSync(out)).toBe(false)
  })

  it('rejects a malformed --queue-setting and an empty session file with exit 2', () => {
    const dir = tempDir()
    const bad = oigctl([
      'replay',
      '--session',
      SESSION_2026(),
      '--target',
      'mock',
      '--queue-setting',
      'tbl_box_prms/MODE=a<b',
      '--out',
      dir,
    ])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(
      /Failed to read --queue-setting tbl_box_prms\/MODE=a<b: must not contain <, >, & or line breaks\./,
    )
    const empty = join(dir, 'empty.json')
    writeFileSync(empty, JSON.stringify({ conn_id: 1, frames: [] }))
    const r = oigctl(['replay', '--session', empty, '--target', 'mock', '--out', dir])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/holds no session/)
  })

  it('writes JUnit failures only for what fails the run (every mismatch, or critical ones)', () => {
    const dir = tempDir()
    const junit = join(dir, 'j.xml')
    const args = ['compare', '--session', SESSION_2026(), '--targets', 'online,legacy']
    const any = oigctl([...args, '--max-speed', '--out', dir, '--junit', junit])
    expect(any.code).toBe(1)
    expect(readFileSync(junit, 'utf8')).toMatch(
      /<testsuites name="oigctl compare" tests="24" failures="4">/,
    )
    const r = oigctl([
      ...args,
      '--fail-on',
      'critical',
      '--max-speed',
      '--out',
      dir,
      '--junit',
      junit,
    ])
    expect(r.code).toBe(0)
    const xml = readFileSync(junit, 'utf8')
    expect(xml).toContain('failures="0"')
    expect(xml).toContain(
      '<system-out>non-critical mismatch: cloud.ack is not a reply the contract shows',
    )
  })
})

describe('oigctl compare: exit codes and --targets (issue 11, built CLI, real 2026 session)', () => {
  it('exits 1 when legacy differs from the real cloud only on non-critical frames; 0 under --fail-on critical', () => {
    const out = tempDir()
    const args = ['compare', '--session', SESSION_2026(), '--targets', 'online,legacy']
    const any = oigctl([...args, '--max-speed', '--out', out, '--json'])
    expect(any.code).toBe(1)
    const report = CompareReportSchema.parse(json(any))
    expect(report.failOn).toBe('any')
    const legacy = report.targets.find((t) => t.name === 'legacy')!
    expect(legacy).toMatchObject({ criticalMismatches: 0, mismatches: 4, verdict: 'FAIL' })
    expect(report.verdict).toBe('FAIL')

    const critical = oigctl([
      ...args,
      '--fail-on',
      'critical',
      '--max-speed',
      '--out',
      out,
      '--json',
    ])
    expect(critical.code).toBe(0)
    const kept = CompareReportSchema.parse(json(critical))
    expect(kept.failOn).toBe('critical')
    expect(kept.targets.find((t) => t.name === 'legacy')!.verdict).toBe('DIFFERS')
  })

  it.each([
    ['', 'it names no target'],
    [',', 'it names no target'],
    ['online', 'it names no target besides online'],
    ['mock,mock', 'target mock is listed twice'],
    ['online,mock,', 'target 3 is empty'],
    ['online,cloud', 'unknown target "cloud"'],
  ])('--targets %j is a usage error (exit 2) before anything runs', (targets, why) => {
    const out = join(tempDir(), 'out')
    const r = oigctl(['compare', '--session', SESSION_2026(), '--targets', targets, '--out', out])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`Failed to read --targets ${JSON.stringify(targets)}: ${why}`)
    expect(r.stderr).toMatch(/Hint: Pass a comma-separated list of online, mock, offline/)
    expect(existsSync(out)).toBe(false)
  })

  it('rejects an unknown --fail-on (exit 2)', () => {
    const r = oigctl([
      'compare',
      '--session',
      SESSION_2026(),
      '--fail-on',
      'some',
      '--out',
      tempDir(),
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('invalid --fail-on')
  })
})

describe('oigctl compare: not captured is not "no reply" (issue 11, built CLI)', () => {
  /** The BOX-only 3-Setting batch (real BOX frames, cloud rows dropped) as a fixture. */
  function batchFixture(dir: string): string {
    const db = boxOnlyBatchDb(join(dir, 'box-only-batch.db'))
    const x = oigctl(['extract', '--db', db, '--out', join(dir, 'x'), '--json'])
    expect(x.code).toBe(0)
    return join(dir, 'x', json<{ sessions: Array<{ fixture: string }> }>(x).sessions[0]!.fixture)
  }
  const THREE = [
    '--queue-setting',
    'tbl_box_prms/MODE=3',
    '--queue-setting',
    'tbl_box_prms/MODE=0',
    '--queue-setting',
    'tbl_batt_prms/BAT_MIN=20',
  ]

  it('passes mock and offline on a BOX-only 3-Setting batch with three Settings queued; online reads not-captured / cloud.setting (inferred)', () => {
    const dir = tempDir()
    const fixture = batchFixture(dir)
    const args = ['compare', '--session', fixture, '--targets', 'online,mock,offline', ...THREE]
    const r = oigctl([...args, '--max-speed', '--out', dir, '--json'])
    expect(r.code).toBe(0)
    const report = CompareReportSchema.parse(json(r))
    const s = report.sessions[0]!
    expect(s.boxOnly).toBe(true)
    expect(s.rows.map((row) => row.requestClass)).toEqual([
      'box.poll.isnewset',
      'box.setting-ack',
      'box.setting-ack',
      'box.setting-ack',
    ])
    expect(s.rows[0]!.pollForm).toBe('short')
    expect(s.rows.map((row) => [row.cells.online!.outcome, row.cells.online!.class])).toEqual([
      ['not-captured', 'cloud.setting'],
      ['not-captured', 'cloud.setting'],
      ['not-captured', 'cloud.setting'],
      ['not-captured', null],
    ])
    expect(
      s.rows
        .slice(0, 3)
        .every((row) => row.cells.online!.inferred === 'setting-ack-follows-setting'),
    ).toBe(true)
    for (const t of ['mock', 'offline']) {
      expect(s.rows.map((row) => row.cells[t]!.class)).toEqual([
        'cloud.setting',
        'cloud.setting',
        'cloud.setting',
        expect.stringMatching(/^cloud\.end/),
      ])
      expect(s.rows.every((row) => row.cells[t]!.verdict === 'PASS' && row.cells[t]!.judged)).toBe(
        true,
      )
    }
    expect(s.handshakes).toEqual([
      {
        firstSeq: 1,
        lastSeq: 4,
        settings: 3,
        complete: true,
        targets: { mock: 'PASS', offline: 'PASS' },
      },
    ])
    for (const t of ['mock', 'offline'])
      expect(report.targets.find((x) => x.name === t)!.verdict).toBe('PASS')

    const text = oigctl([...args, '--max-speed', '--out', dir])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('BOX-only: the capture holds no cloud side')
    expect(text.stdout).toContain('cloud.setting (inferred)')
    expect(text.stdout).toContain('not-captured')
    expect(text.stdout).toContain('setting batch seq 1–4: 3 Setting(s): mock PASS, offline PASS')

    const shown = oigctl(['show', join(dir, 'compare.json')])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain('BOX-only capture')
    expect(shown.stdout).toMatch(/online\s+cloud\.setting \(inferred\)/)
    expect(shown.stdout).toMatch(/online\s+\(not-captured\)/)
  })

  it('fails a target given one Setting for a batch the BOX acknowledged three times (exit 1)', () => {
    const dir = tempDir()
    const fixture = batchFixture(dir)
    const r = oigctl([
      'compare',
      '--session',
      fixture,
      '--targets',
      'online,mock',
      '--queue-setting',
      'tbl_box_prms/MODE=3',
      '--max-speed',
      '--out',
      dir,
    ])
    expect(r.code).toBe(1)
    expect(r.stdout).toContain(
      'seq 2 box.setting-ack: online=cloud.setting (inferred) mock=cloud.end-time',
    )
    expect(r.stdout).toContain('setting batch seq 1–4: 3 Setting(s): mock FAIL')
  })
})
