import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { ExtractResult } from '../../src/evidence/schemas/extract-result.js'
import { ExtractResultSchema } from '../../src/evidence/schemas/extract-result.js'
import { SessionFixtureSchema } from '../../src/evidence/schemas/session-fixture.js'
import { captureDbPath, capturesDir } from '../helpers/captures.js'
import { json, oigctl } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'
import { extractedFixtures } from '../helpers/fixtures.js'
import { readFixtures } from '../../src/evidence/fixture-files.js'

const CONN2315_CLASSES = [
  'box.poll.isnewset',
  'cloud.end-time',
  ...Array.from({ length: 9 }, () => ['box.upload', 'cloud.ack-getactual']).flat(),
  'box.upload',
  'cloud.ack',
  'box.end',
  'cloud.ack',
]

describe('oigctl extract (built CLI)', () => {
  it('prints help with every command', () => {
    const r = oigctl(['--help'])
    expect(r.code).toBe(0)
    for (const cmd of [
      'extract',
      'simulate',
      'contract',
      'serve',
      'replay',
      'compare',
      'soak',
      'gate',
      'pipeline',
    ])
      expect(r.stdout).toContain(cmd)
  })

  it('splits and pairs the real 2026-02-17 conn 2315 session', () => {
    const out = tempDir()
    const r = oigctl([
      'extract',
      '--db',
      captureDbPath('session-2026-02-17-conn2315.db'),
      '--out',
      out,
      '--json',
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = ExtractResultSchema.parse(json(r))
    expect(doc.synthetic).toBe(false)
    expect(doc.sessions).toHaveLength(1)
    expect(doc.sessions[0]!.connId).toBe(2315)
    expect(doc.sessions[0]!.classes).toEqual(CONN2315_CLASSES)
    expect(doc.classCounts['box.upload']).toBe(10)
    expect(doc.classCounts['cloud.ack-getactual']).toBe(9)
    expect(doc.findings).toEqual([])
    expect(doc.sessions[0]!.fixture).toBe(
      'sessions/session-2026-02-17-conn2315.sessions.json#0001-conn2315',
    )
    const fixture = SessionFixtureSchema.parse(
      readFixtures(join(out, doc.sessions[0]!.fixture!))![0],
    )
    const poll = fixture.frames[0]!
    expect(poll).toMatchObject({
      id: 13794,
      class: 'box.poll.isnewset',
      pollForm: 'merged',
      replyId: 13795,
      crcOk: true,
    })
    expect(poll.latencyMs).toBeCloseTo(28.199, 3)
    expect(fixture.frames[1]).toMatchObject({
      answers: 13794,
      class: 'cloud.end-time',
      tableName: 'IsNewSet',
    })
    expect(fixture.frames.every((f, i) => i === 0 || f.gapMs !== null)).toBe(true)
    expect(fixture.frames.filter((f) => f.origin === 'box').every((f) => f.replyId !== null)).toBe(
      true,
    )
    expect(fixture.source.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it('finds the real setting handshake of 2025-12-18 conn 1', () => {
    const out = tempDir()
    const r = oigctl([
      'extract',
      '--db',
      captureDbPath('setting-handshake-2025-12-18-conn1.db'),
      '--out',
      out,
      '--json',
      '--select',
      'setting',
    ])
    const doc = json<ExtractResult>(r)
    expect(doc.sessions.map((s) => s.classes)).toEqual([
      ['cloud.setting', 'box.setting-ack', 'cloud.end-time'],
    ])
    expect(doc.settingHandshakes).toHaveLength(1)
    expect(doc.settingHandshakes[0]).toMatchObject({
      table: 'tbl_box_prms',
      item: 'MODE',
      ackClass: 'box.setting-ack',
      closeClass: 'cloud.end-time',
      complete: true,
    })
    expect(doc.settingHandshakes[0]!.ackDelayMs).toBeCloseTo(6560.966, 3)
    // The poll before the Setting is not in this capture: reported, not invented.
    expect(doc.findings.map((f) => f.code)).toEqual(['reply-without-request'])
    expect(r.code).toBe(0)
  })

  it('reads every real capture and the session export, and flags the bad-CRC probe with exit 1', () => {
    const out = tempDir()
    const dbs = readdirSync(capturesDir()).filter((f) => f.endsWith('.db'))
    const args = dbs.flatMap((f) => ['--db', join(capturesDir(), f)])
    const r = oigctl([
      'extract',
      ...args,
      '--session-file',
      join(capturesDir(), 'session-2026-02-17-conn2315.json'),
      '--out',
      out,
      '--json',
    ])
    expect(r.code).toBe(1)
    const doc = json<ExtractResult>(r)
    expect(doc.totals.framesRead).toBe(124 + 24)
    expect(
      doc.findings.filter((f) => f.severity === 'error').map((f) => [f.code, f.frameId]),
    ).toEqual([['crc-failure', 871951]])
    const exported = doc.sessions.filter((s) => s.source === 'session-2026-02-17-conn2315-2')
    expect(exported.map((s) => s.classes)).toEqual([CONN2315_CLASSES])
    expect(doc.classCounts['cloud.nack-wc']).toBe(1)
    expect(doc.classCounts['box.unknown']).toBe(1)
    expect(doc.classCounts['cloud.unknown']).toBe(0)
    expect(
      extractedFixtures(out)
        .map((f) => f.session.id)
        .sort(),
    ).toEqual(doc.sessions.map((s) => s.id).sort())
  })

  it('renders a plain table under NO_COLOR', () => {
    const r = oigctl([
      'extract',
      '--db',
      captureDbPath('setting-handshake-2025-12-10.db'),
      '--out',
      tempDir(),
    ])
    expect(r.stdout.includes('\u001b[')).toBe(false)
    expect(r.stdout).toContain('cloud.end-time-getactual')
    expect(r.stdout).toContain('findings: 0 error, 1 warning')
  })

  describe('bad input: exit 2, a message naming the file, and no output file', () => {
    const cases: Array<[string, (dir: string) => string[], RegExp]> = [
      [
        'a missing DB',
        (d) => ['--db', join(d, 'missing.db')],
        /Failed to open capture DB .*missing\.db: file does not exist\./,
      ],
      [
        'a file that is not SQLite',
        (d) => (
          writeFileSync(join(d, 'text.db'), 'not sqlite at all '.repeat(300)),
          ['--db', join(d, 'text.db')]
        ),
        /Failed to open capture DB .*text\.db: file is not an SQLite database\./,
      ],
      [
        'an SQLite file without a frames table',
        (d) => {
          const f = join(d, 'empty.db')
          const db = new Database(f)
          db.exec('CREATE TABLE payloads (x TEXT)')
          db.close()
          return ['--db', f]
        },
        /Failed to open capture DB .*empty\.db: it has no `frames` table/,
      ],
      [
        'a session file that is not JSON',
        (d) => (writeFileSync(join(d, 's.json'), '{nope'), ['--session-file', join(d, 's.json')]),
        /Failed to read session file .*s\.json: not JSON/,
      ],
      ['no input at all', () => [], /Failed to read captures: no input given\./],
    ]
    it.each(cases)('rejects %s', (_name, args, message) => {
      const dir = tempDir()
      const out = join(dir, 'out')
      const r = oigctl(['extract', ...args(dir), '--out', out])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(message)
      expect(r.stderr).toMatch(/Hint: /)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(r.stdout).toBe('')
      expect(existsSync(out)).toBe(false)
    })

    it('rejects an unwritable --out', () => {
      const dir = tempDir()
      const notADir = join(dir, 'file.txt')
      writeFileSync(notADir, 'x')
      const r = oigctl([
        'extract',
        '--db',
        captureDbPath('probe-frames-2026-02.db'),
        '--out',
        join(notADir, 'sub'),
      ])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/Failed to use output folder .*file\.txt\/sub/)
      expect(readdirSync(dir)).toEqual(['file.txt'])
    })

    it('rejects an unknown option as a usage error', () => {
      const r = oigctl(['extract', '--bogus'])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/Failed to parse the command line: unknown option '--bogus'/)
    })
  })
})
