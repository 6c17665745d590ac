/**
 * Session fixtures of both versions (built CLI, real captures): extract writes version 2 packs;
 * a version 1 document of the same session reads the same everywhere a fixture is read (replay,
 * compare's loader, show, extract --session, contract derive --session).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ExtractResult } from '../../src/evidence/schemas/extract-result.js'
import {
  SessionPackLineSchema,
  SessionPackSchema,
  type SessionFixture,
} from '../../src/evidence/schemas/session-fixture.js'
import { captureDbPath } from '../helpers/captures.js'
import { json, oigctl } from '../helpers/cli.js'
import { extractedFixtures, packFiles } from '../helpers/fixtures.js'

const DBS = ['setting-handshake-2025-12-10.db', 'session-2026-02-17-conn2315.db']

let dir: string
let out: string
let fixtures: SessionFixture[]
/** The first session of the first pack, as `<pack>#<ref>` and as a version 1 document. */
let address: string
let v1: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oigctl-fixtures-'))
  out = join(dir, 'ev')
  const r = oigctl(['extract', ...DBS.flatMap((d) => ['--db', captureDbPath(d)]), '--out', out])
  expect(r.code, r.stderr).toBe(0)
  fixtures = extractedFixtures(out)
  const first = fixtures[0]!
  address = `${packFiles(out)[0]!}#${first.session.id.split('#').at(-1)}`
  v1 = join(dir, 'one.session.json')
  writeFileSync(v1, `${JSON.stringify(first, null, 2)}\n`)
}, 60_000)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** stdout of a --json command with the input's own name made neutral. */
function run(args: string[]): unknown {
  const r = oigctl(['--json', ...args])
  expect(r.code, r.stderr).toBe(0)
  return json(r)
}

describe('session fixtures: version 2 packs, and version 1 still read (built CLI, real captures)', () => {
  it('extract writes one pack per source: an index of schemaVersion 2 and its lines', () => {
    const packs = packFiles(out)
    expect(packs.map((p) => p.split('/').at(-1))).toEqual([
      'session-2026-02-17-conn2315.sessions.json',
      'setting-handshake-2025-12-10.sessions.json',
    ])
    for (const p of packs) {
      const index = SessionPackSchema.parse(JSON.parse(readFileSync(p, 'utf8')))
      expect(index.schemaVersion).toBe(2)
      const lines = readFileSync(p.replace(/\.json$/, '.ndjson'))
      // The index says where each line is, and the lines are the whole file.
      let end = 0
      for (const s of index.sessions) {
        expect(lines[s.offset + s.bytes - 1]).toBe(0x0a)
        end = Math.max(end, s.offset + s.bytes)
        // Each line is what the published line schema says (its frames in frameFields order).
        const line = JSON.parse(lines.subarray(s.offset, s.offset + s.bytes).toString('utf8'))
        const checked = SessionPackLineSchema.safeParse(line)
        expect(checked.success, JSON.stringify(checked.error?.issues[0])).toBe(true)
      }
      expect(end).toBe(lines.length)
    }
    const result = JSON.parse(
      readFileSync(join(out, 'extract-result.json'), 'utf8'),
    ) as ExtractResult
    expect(fixtures.map((f) => f.session.id).sort()).toEqual(
      result.sessions.map((s) => s.id).sort(),
    )
    expect(result.sessions.every((s) => /\.sessions\.json#\d{4}/.test(s.fixture ?? ''))).toBe(true)
  })

  it('replay --dry-run sends the same frames from a version 1 fixture and from the pack', () => {
    const args = ['replay', '--target', 'offline', '--dry-run']
    const fromV1 = run([...args, '--session', v1])
    const fromPack = run([...args, '--session', address])
    expect(fromV1).toEqual(fromPack)
    expect(JSON.stringify(fromPack)).toContain(fixtures[0]!.session.id)
  })

  it('show draws the same sequence for a version 1 fixture and for one session of the pack', () => {
    const a = oigctl(['show', v1])
    const b = oigctl(['show', address])
    expect(a.code, a.stderr).toBe(0)
    expect(b.code, b.stderr).toBe(0)
    expect(a.stdout).toBe(b.stdout)
    expect(a.stdout.length).toBeGreaterThan(0)
  })

  it('extract --session and contract derive --session read both versions as the same rows', () => {
    const ex = (input: string): ExtractResult => {
      const r = run(['extract', '--session', input, '--out', join(dir, `x-${Math.random()}`)])
      return r as ExtractResult
    }
    const a = ex(v1)
    const b = ex(address)
    expect(a.totals).toEqual(b.totals)
    expect(a.totals.framesRead).toBe(fixtures[0]!.frames.length)
    expect(a.sessions.map((s) => s.classes)).toEqual(b.sessions.map((s) => s.classes))
    expect(a.sessions[0]!.classes).toEqual(fixtures[0]!.frames.map((f) => f.class))
    // The contracts cite their input by file name: the rest is the same.
    const derive = (input: string, file: string, name: string): string => {
      const r = oigctl(['contract', 'derive', '--session', input, '--out', file, '--quiet'])
      expect(r.code, r.stderr).toBe(0)
      const c = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
      delete c.inputs
      delete c.generatedAt
      return JSON.stringify(c).replaceAll(JSON.stringify(name), '"INPUT"')
    }
    const c1 = derive(v1, join(dir, 'c1.json'), 'one.session.json')
    const c2 = derive(address, join(dir, 'c2.json'), packFiles(out)[0]!.split('/').at(-1)!)
    expect(c1).toBe(c2)
    expect(c1).toContain('"INPUT"')
  })

  it('a ref the pack does not have, or an index that does not match its lines, is a clear error', () => {
    const missing = oigctl([
      'replay',
      '--target',
      'offline',
      '--dry-run',
      '--session',
      `${packFiles(out)[0]!}#9999`,
    ])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/the pack has no session "9999" \(it has 0001-conn2315\)/)
    const index = packFiles(out)[0]!
    const doc = JSON.parse(readFileSync(index, 'utf8')) as { sessions: Array<{ offset: number }> }
    doc.sessions[0]!.offset += 1
    const broken = join(dir, 'broken.sessions.json')
    writeFileSync(broken, JSON.stringify(doc))
    writeFileSync(
      broken.replace(/\.json$/, '.ndjson'),
      readFileSync(index.replace(/\.json$/, '.ndjson')),
    )
    const r = oigctl(['replay', '--target', 'offline', '--dry-run', '--session', broken])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Failed to read session .*broken\.sessions\.json#0001-conn2315: /)
  })

  /** A copy of the first pack as `<name>.sessions.json` + lines, its index and lines changed by `edit`. */
  function editedPack(
    name: string,
    edit: (index: { sessions: Array<{ bytes: number }> }, lines: Buffer) => void,
  ): string {
    const index = packFiles(out)[0]!
    const doc = JSON.parse(readFileSync(index, 'utf8')) as { sessions: Array<{ bytes: number }> }
    const lines = readFileSync(index.replace(/\.json$/, '.ndjson'))
    edit(doc, lines)
    const copy = join(dir, `${name}.sessions.json`)
    writeFileSync(copy, JSON.stringify(doc))
    writeFileSync(copy.replace(/\.json$/, '.ndjson'), lines)
    return copy
  }

  it('a line changed after extract (same length) is refused, not read under the index sha256', () => {
    const changed = editedPack('changed', (_doc, lines) => {
      const at = lines.indexOf('<TblName>')
      expect(at).toBeGreaterThan(0)
      lines[at + 1] = 'X'.charCodeAt(0)
    })
    for (const args of [
      ['replay', '--target', 'offline', '--dry-run', '--session', changed],
      ['contract', 'derive', '--session', changed, '--out', join(dir, 'changed.json')],
    ]) {
      const r = oigctl(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(/is not the one the index names \(sha256 differs/)
    }
  })

  it('an index naming bytes past the end of its lines is a clear error, not an internal one', () => {
    const huge = editedPack('huge', (doc) => (doc.sessions[0]!.bytes = 4_000_000_000_000))
    const r = oigctl(['show', huge])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/the index does not match .*huge\.sessions\.ndjson \(bytes 0…/)
    expect(r.stderr).not.toMatch(/internal error/)
  })

  it('an index without its lines, or under another name, is a clear error in every reader', () => {
    const alone = join(dir, 'alone.sessions.json')
    writeFileSync(alone, readFileSync(packFiles(out)[0]!))
    const renamed = join(dir, 'renamed.json')
    writeFileSync(renamed, readFileSync(packFiles(out)[0]!))
    for (const [file, message] of [
      [
        alone,
        /alone\.sessions\.ndjson: file does not exist \(it holds the sessions of the pack beside it\)/,
      ],
      [renamed, /renamed\.json: a pack's index is named <capture>\.sessions\.json/],
    ] as const) {
      for (const args of [
        ['replay', '--target', 'offline', '--dry-run', '--session', file],
        ['extract', '--session', file, '--out', join(dir, 'ex-out')],
        ['contract', 'derive', '--session', file, '--out', join(dir, 'c-out.json')],
        ['show', file],
      ]) {
        const r = oigctl(args)
        expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2)
        expect(r.stderr, args.join(' ')).toMatch(message)
        expect(r.stderr).not.toMatch(/internal error/)
      }
    }
  })
})
