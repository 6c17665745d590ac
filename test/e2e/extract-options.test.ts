import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { ExtractResult } from '../../src/evidence/schemas/extract-result.js'
import { captureDbPath } from '../helpers/captures.js'
import { json, oigctl } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'

const TWO = [
  '--db',
  captureDbPath('session-2026-02-17-conn2315.db'),
  '--db',
  captureDbPath('setting-handshake-2025-12-10.db'),
]
const ids = (r: { stdout: string }): string[] =>
  json<ExtractResult>(r as never).sessions.map((s) => s.id)

describe('oigctl extract selection options (built CLI, real captures)', () => {
  it('keeps sessions overlapping --from/--to (a time without zone is UTC)', () => {
    const out = tempDir()
    const r = oigctl([
      'extract',
      ...TWO,
      '--out',
      out,
      '--json',
      '--from',
      '2026-02-17T08:05:00',
      '--to',
      '2026-02-17T08:05:30Z',
    ])
    expect(r.code).toBe(0)
    expect(ids(r)).toEqual(['session-2026-02-17-conn2315#0001-conn2315'])
    const none = oigctl([
      'extract',
      ...TWO,
      '--out',
      tempDir(),
      '--json',
      '--to',
      '2025-12-01T00:00:00Z',
    ])
    expect(ids(none)).toEqual([])
  })

  it('keeps one connection with --conn and poll sessions with --select polls', () => {
    expect(ids(oigctl(['extract', ...TWO, '--out', tempDir(), '--json', '--conn', '1']))).toEqual([
      'setting-handshake-2025-12-10#0001-conn1',
    ])
    const polls = oigctl([
      'extract',
      '--db',
      captureDbPath('box-uploads-2025-12-07.db'),
      ...TWO,
      '--out',
      tempDir(),
      '--json',
      '--select',
      'polls',
    ])
    expect(ids(polls)).toEqual([
      'session-2026-02-17-conn2315#0001-conn2315',
      'setting-handshake-2025-12-10#0001-conn1',
    ])
    const setting = oigctl([
      'extract',
      '--db',
      captureDbPath('session-2026-02-17-conn2315.db'),
      '--out',
      tempDir(),
      '--json',
      '--select',
      'setting',
    ])
    expect(setting.code).toBe(0)
    expect(ids(setting)).toEqual([])
  })

  it.each([
    [['--from', 'yesterday'], /Failed to read --from yesterday: not an ISO-8601 UTC time\./],
    [['--from', '12'], /Failed to read --from 12/],
    [
      ['--from', '2026-03-01T00:00:00Z', '--to', '2026-01-01T00:00:00Z'],
      /--from 2026-03-01T00:00:00Z is after --to/,
    ],
    [['--select', 'everything'], /invalid --select/],
  ])('rejects %j with exit 2 and no output', (args, message) => {
    const out = join(tempDir(), 'out')
    const r = oigctl(['extract', ...TWO, '--out', out, ...args])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(existsSync(out)).toBe(false)
  })
})

describe('oigctl extract output safety', () => {
  it('refuses to replace a sessions folder holding files it did not write, and keeps them', () => {
    const out = tempDir()
    mkdirSync(join(out, 'sessions'))
    writeFileSync(join(out, 'sessions', 'notes.txt'), 'precious')
    const r = oigctl(['extract', ...TWO, '--out', out])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /Failed to replace .*sessions: it holds files oigctl did not write \(notes\.txt\)/,
    )
    expect(readFileSync(join(out, 'sessions', 'notes.txt'), 'utf8')).toBe('precious')
    expect(readdirSync(out)).toEqual(['sessions'])
  })

  it('replaces the fixtures of an earlier run (no stale session files)', () => {
    const out = tempDir()
    expect(oigctl(['extract', ...TWO, '--out', out]).code).toBe(0)
    expect(readdirSync(join(out, 'sessions')).sort()).toEqual([
      'session-2026-02-17-conn2315.sessions.json',
      'session-2026-02-17-conn2315.sessions.ndjson',
      'setting-handshake-2025-12-10.sessions.json',
      'setting-handshake-2025-12-10.sessions.ndjson',
    ])
    expect(
      oigctl(['extract', '--db', captureDbPath('setting-handshake-2025-12-10.db'), '--out', out])
        .code,
    ).toBe(0)
    expect(readdirSync(join(out, 'sessions')).sort()).toEqual([
      'setting-handshake-2025-12-10.sessions.json',
      'setting-handshake-2025-12-10.sessions.ndjson',
    ])
  })

  it('removes the output folder it created when reading fails half-way (frames is a view)', () => {
    const dir = tempDir()
    const file = join(dir, 'view.db')
    const db = new Database(file)
    db.exec(
      "CREATE TABLE t (id INTEGER, raw TEXT); CREATE VIEW frames AS SELECT id, raw FROM t; INSERT INTO t VALUES (1, 'x')",
    )
    db.close()
    const out = join(dir, 'deep', 'a', 'b')
    const r = oigctl(['extract', '--db', file, '--out', out])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Failed to read capture DB .*view\.db/)
    expect(r.stderr).not.toMatch(/internal error/)
    expect(existsSync(join(dir, 'deep'))).toBe(false)
  })

  it('exits 2 with a hint when no command is given', () => {
    const r = oigctl([])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Failed to run oigctl: no command given\.\nHint: /)
  })
})
