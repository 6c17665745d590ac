/**
 * `extract --from/--to` (built CLI, SYNTHETIC DBs from `oigctl simulate`): the window's end is
 * pushed into SQL (rows after it are counted, not read, once every session it can keep is closed),
 * and the output is what an unfiltered extract gives when filtered afterwards, sessions crossing
 * both edges included.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ExtractResult } from '../../src/evidence/schemas/extract-result.js'
import type { SessionFixture } from '../../src/evidence/schemas/session-fixture.js'
import { oigctl } from '../helpers/cli.js'
import { extractedFixtures } from '../helpers/fixtures.js'

let dir: string
let db: string
let full: ExtractResult
const START = '2025-12-01T00:00:00Z'

const sha256 = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex')

/** Runs extract (exit 0, or 1 for findings such as a ts out of order) and reads its summary. */
function extract(input: string, out: string, extra: string[] = []): ExtractResult {
  const r = oigctl(['extract', '--db', input, '--out', out, '--quiet', ...extra])
  expect([0, 1], r.stderr).toContain(r.code)
  return JSON.parse(readFileSync(join(out, 'extract-result.json'), 'utf8')) as ExtractResult
}

/** A session of the full extract that is under way at `ms` (its first frame before, last after). */
function crossing(result: ExtractResult, ms: number): ExtractResult['sessions'][number] {
  const s = result.sessions.find(
    (x) => Date.parse(x.firstTs!) < ms - 60_000 && Date.parse(x.lastTs!) > ms + 60_000,
  )
  expect(s, `a session crossing ${new Date(ms).toISOString()}`).toBeDefined()
  return s!
}

/** The selected part of a result: sessions, findings, handshakes, counts (not what was read). */
function selected(r: ExtractResult): unknown {
  return {
    sessions: r.sessions.map((s) => ({ ...s, fixture: s.fixture !== null })),
    findings: r.findings,
    settingHandshakes: r.settingHandshakes,
    classCounts: r.classCounts,
    originCounts: r.originCounts,
    tableCounts: r.tableCounts,
    framesSelected: r.totals.framesSelected,
    framesRead: r.totals.framesRead,
    rows: r.sources.map((s) => [s.rows, s.firstTs, s.lastTs]),
  }
}

/** The window [from, to] with both edges inside a session of the full extract. */
function windowOf(result: ExtractResult): { from: string; to: string } {
  const day2 = Date.parse(START) + 86_400_000
  const a = crossing(result, day2 + 6 * 3_600_000)
  const b = crossing(result, day2 + 20 * 3_600_000)
  const mid = (s: ExtractResult['sessions'][number]): number =>
    Math.round((Date.parse(s.firstTs!) + Date.parse(s.lastTs!)) / 2)
  return { from: new Date(mid(a)).toISOString(), to: new Date(mid(b)).toISOString() }
}

/** What the unfiltered extract keeps for the window: sessions whose time span overlaps it. */
function filteredAfterwards(out: string, from: string, to: string): SessionFixture[] {
  return extractedFixtures(out).filter((fx) => {
    const ms = fx.frames.flatMap((x) => (x.ts === null ? [] : [Date.parse(x.ts)]))
    return ms.length > 0 && Math.min(...ms) <= Date.parse(to) && Math.max(...ms) >= Date.parse(from)
  })
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oigctl-window-'))
  db = join(dir, 'week.db')
  const r = oigctl([
    'simulate',
    '--out',
    db,
    '--days',
    '10',
    '--start',
    START,
    '--connection-minutes',
    '30',
    '--seed',
    '3',
    '--quiet',
  ])
  expect(r.code, r.stderr).toBe(0)
  full = extract(db, join(dir, 'full'))
}, 120_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('extract --from/--to: the end of the window in SQL, same output as filtering afterwards (SYNTHETIC)', () => {
  it('leaves the input DB as it was: same bytes and mtime, no index created on ts', () => {
    const before = { sha: sha256(db), mtime: statSync(db).mtimeMs }
    const { from, to } = windowOf(full)
    extract(db, join(dir, 'untouched'), ['--from', from, '--to', to])
    const derived = oigctl([
      'contract',
      'derive',
      '--db',
      db,
      '--out',
      join(dir, 'c.json'),
      '--quiet',
    ])
    expect(derived.code, derived.stderr).toBe(0)
    expect({ sha: sha256(db), mtime: statSync(db).mtimeMs }).toEqual(before)
    const r = new Database(db, { readonly: true })
    const indexes = r.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all()
    r.close()
    // The add-on's layout has none but SQLite's own for its UNIQUE/PRIMARY KEY constraints.
    expect(
      indexes.filter((i) => !(i as { name: string }).name.startsWith('sqlite_autoindex')),
    ).toEqual([])
  })

  it('keeps sessions crossing both edges whole and reads no row after the window', () => {
    const { from, to } = windowOf(full)
    const out = join(dir, 'day')
    const day = extract(db, out, ['--from', from, '--to', to])
    const expected = filteredAfterwards(join(dir, 'full'), from, to)
    expect(expected.length).toBeGreaterThan(2)
    // The same fixtures, byte for byte, as the unfiltered extract's sessions of the window.
    expect(JSON.stringify(extractedFixtures(out))).toBe(JSON.stringify(expected))
    const ids = new Set(expected.map((f) => f.session.id))
    const fullPart: ExtractResult = {
      ...full,
      sessions: full.sessions.filter((s) => ids.has(s.id)),
      findings: full.findings.filter((x) => ids.has(x.session)),
      settingHandshakes: full.settingHandshakes.filter((h) => ids.has(h.session)),
    }
    const sel = selected(day) as { sessions: Array<{ firstTs: string; lastTs: string }> }
    expect(sel.sessions.map((s) => s.firstTs)).toEqual(fullPart.sessions.map((s) => s.firstTs))
    expect((selected(day) as { sessions: unknown }).sessions).toEqual(
      (selected(fullPart) as { sessions: unknown }).sessions,
    )
    expect(day.findings).toEqual(fullPart.findings)
    expect(day.settingHandshakes).toEqual(fullPart.settingHandshakes)
    // Both edges fall inside a kept session.
    expect(sel.sessions[0]!.firstTs < from.replace('Z', '')).toBe(true)
    expect(Date.parse(sel.sessions.at(-1)!.lastTs) > Date.parse(to)).toBe(true)
    // Every row counted, the sessions after the window not split: the pushdown ran.
    expect(day.totals.framesRead).toBe(full.totals.framesRead)
    expect(day.sources[0]!.lastTs).toBe(full.sources[0]!.lastTs)
    expect(day.totals.sessionsRead).toBeLessThan(full.totals.sessionsRead)
  })

  // The last row says it was captured inside the window: a clock that jumped back, or a zone
  // offset that puts a later local date inside it in UTC (the parser takes up to ±99:99).
  const lateTs = {
    'a clock that jumped back': (to: string) =>
      new Date(Date.parse(to) - 3_600_000).toISOString().replace('Z', '+00:00'),
    'a local date four days on with a +96:00 offset': (to: string) =>
      new Date(Date.parse(to) + 4 * 86_400_000 - 3_600_000).toISOString().replace('Z', '+96:00'),
  }
  it.each(Object.keys(lateTs))(
    'reads on to the end when a later row is dated inside the window (%s), same output',
    (how) => {
      const { from, to } = windowOf(full)
      const tag = how.replace(/[^a-z0-9]+/g, '-')
      const copy = join(dir, `late-row-${tag}.db`)
      const src = new Database(db, { readonly: true })
      src.exec(`VACUUM INTO '${copy}'`)
      src.close()
      const w = new Database(copy)
      const ts = lateTs[how as keyof typeof lateTs](to)
      w.prepare('UPDATE frames SET ts = ? WHERE id = (SELECT max(id) FROM frames)').run(ts)
      w.close()
      const wholeOut = join(dir, `late-full-${tag}`)
      const whole = extract(copy, wholeOut)
      const out = join(dir, `late-day-${tag}`)
      const day = extract(copy, out, ['--from', from, '--to', to])
      expect(day.totals.sessionsRead).toBe(whole.totals.sessionsRead)
      const ids = new Set(day.sessions.map((s) => s.id))
      expect(JSON.stringify(extractedFixtures(out))).toBe(
        JSON.stringify(extractedFixtures(wholeOut).filter((f) => ids.has(f.session.id))),
      )
      expect(ids.size).toBeGreaterThan(2)
    },
  )
})
