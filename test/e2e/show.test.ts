import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { captureDbPath, capturesDir } from '../helpers/captures.js'
import { BIN, json, oigctl, REPO_ROOT } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'
import { COMPARE, FIXTURE, REPLAY } from '../helpers/show-docs.js'

/** Extracts one real capture DB into `dir` and returns the path of its only fixture. */
function extractFixture(db: string, dir: string): string {
  const r = oigctl(['extract', '--db', captureDbPath(db), '--out', dir, '--json'])
  expect(r.code).toBeLessThan(2)
  const sessions = json<{ sessions: Array<{ fixture: string | null }> }>(r).sessions
  return join(dir, sessions[0]!.fixture!)
}

/** `oigctl show -` with `input` on standard input (a pipe). */
function showStdin(
  input: string,
  args: readonly string[] = [],
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'show', '-', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    input,
    encoding: 'utf8',
    timeout: 20_000,
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

const EXPORT = (): string => join(capturesDir(), 'session-2026-02-17-conn2315.json')
/** The frame lines of a drawn sequence (the header names the source, which differs). */
const frameLines = (text: string): string[] => text.trimEnd().split('\n').slice(1)

describe('oigctl show (built CLI, NO_COLOR=1)', () => {
  it.each([
    ['fixture', FIXTURE],
    ['replay', REPLAY],
    ['compare', COMPARE],
  ] as const)(
    'prints the hand-built %s exactly as the renderer draws it (test/unit/__snapshots__)',
    (name, doc) => {
      const file = join(tempDir(), `${name}.json`)
      writeFileSync(file, JSON.stringify(doc))
      const r = oigctl(['show', file])
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout).toBe(
        readFileSync(join(REPO_ROOT, 'test', 'unit', '__snapshots__', `show-${name}.txt`), 'utf8'),
      )
    },
  )

  it('draws the real 2026-02-17 fixture as one line per frame with capture times and latencies', async () => {
    const fixture = extractFixture('session-2026-02-17-conn2315.db', tempDir())
    const r = oigctl(['show', fixture])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1 + 24)
    expect(r.stdout).not.toContain('\u001b[')
    expect(r.stdout).toContain('08:05:13.198 BOX ──► cloud box.poll.isnewset')
  })

  it('draws a replay transcript as request and reply lines per step', async () => {
    const dir = tempDir()
    const fixture = extractFixture('session-2026-02-17-conn2315.db', dir)
    const replay = oigctl([
      'replay',
      '--session',
      fixture,
      '--target',
      'legacy',
      '--max-speed',
      '--out',
      dir,
    ])
    expect(replay.code).toBe(0)
    const file = readdirSync(join(dir, 'replay')).find((n) => n.endsWith('.legacy.replay.json'))
    const r = oigctl(['show', join(dir, 'replay', file!)])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('#0001        BOX ──► legacy  box.poll.isnewset')
  })

  it('draws a compare report with one verdict line per target and marks the legacy mismatch', async () => {
    const dir = tempDir()
    const fixture = extractFixture('setting-handshake-2025-12-10.db', dir)
    const cmp = oigctl([
      'compare',
      '--session',
      fixture,
      '--targets',
      'online,mock,legacy',
      '--max-speed',
      '--out',
      dir,
    ])
    expect(cmp.code).toBe(1)
    const r = oigctl(['show', join(dir, 'compare.json')])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/BOX ◄── legacy {2}cloud\.ack {2}\d+ ms {2}MISMATCH/)
  })

  it('refuses a document of an unknown kind with exit 2 and a hint', () => {
    const file = join(tempDir(), 'x.json')
    writeFileSync(file, JSON.stringify({ kind: 'weather', schemaVersion: 1 }))
    const r = oigctl(['show', file])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('unknown kind "weather"')
    expect(r.stderr).toMatch(/^Hint: /m)
  })

  it('refuses a replay transcript of an unknown schemaVersion with exit 2', () => {
    const file = join(tempDir(), 'r.json')
    writeFileSync(file, JSON.stringify({ kind: 'replay', schemaVersion: 99, steps: [] }))
    const r = oigctl(['show', file])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      'a "replay" document of unknown schemaVersion 99 (this oigctl reads 1)',
    )
  })

  it('refuses a missing file with exit 2', () => {
    const r = oigctl(['show', join(tempDir(), 'nope.json')])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^Failed to read .*nope\.json/)
  })

  it("draws the add-on's real session export like the fixture extract makes of it, from a file and from -", () => {
    const fixture = extractFixture('session-2026-02-17-conn2315.db', tempDir())
    const drawn = oigctl(['show', fixture])
    const r = oigctl(['show', EXPORT()])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^session session-2026-02-17-conn2315#0001-conn2315 {2}session-2026-02-17-conn2315\.json {2}24 frames/)
    expect(frameLines(r.stdout)).toEqual(frameLines(drawn.stdout))
    const piped = showStdin(readFileSync(EXPORT(), 'utf8'))
    expect(piped.code).toBe(0)
    expect(frameLines(piped.stdout)).toEqual(frameLines(drawn.stdout))
    const doc = json<{ kind: string; frames: unknown[] }>(showStdin(readFileSync(EXPORT(), 'utf8'), ['--json']))
    expect([doc.kind, doc.frames.length]).toEqual(['session', 24])
  }) // prettier-ignore

  it('summarises extract-result, gate and soak documents as their commands print them', () => {
    const dir = tempDir()
    const ex = oigctl(['extract', '--db', captureDbPath('setting-handshake-2025-12-10.db'), '--out', dir])
    expect(ex.code).toBe(0)
    const gate = oigctl(['gate', '--evidence', dir])
    expect(gate.code).toBe(1)
    const soak = oigctl(['soak', '--scenario', 'outage', '--duration', '2m', '--time-scale', '60', '--out', dir])
    expect(soak.code).toBe(0)
    for (const [file, printed] of [
      ['extract-result.json', ex.stdout],
      ['gate.json', gate.stdout],
      [join('soak', 'outage.soak.json'), soak.stdout],
    ] as const) {
      const r = oigctl(['show', join(dir, file)])
      expect(r.code, r.stderr).toBe(0)
      // The same rendering as the command's own output, generatedAt and all.
      expect(r.stdout).toBe(printed)
    }
    const piped = showStdin(readFileSync(join(dir, 'gate.json'), 'utf8'))
    expect([piped.code, piped.stdout]).toEqual([0, gate.stdout])
  }) // prettier-ignore

  it('names what it reads when given a document it does not (exit 2)', () => {
    const r = showStdin(JSON.stringify({ kind: 'pipeline', schemaVersion: 1 }))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^Failed to show stdin: unknown kind "pipeline"\.$/m)
    expect(r.stderr).toMatch(/^Hint: oigctl show reads session fixtures, replay transcripts and compare reports .*the add-on's session export, and extract-result, .*gate documents/m)
    const noKind = showStdin('{"frames": "nope"}')
    expect(noKind.code).toBe(2)
    expect(noKind.stderr).toMatch(/no "kind", and not a session export of the add-on/)
    expect(showStdin('').stderr).toMatch(/^Failed to read stdin: not JSON/m)
  }) // prettier-ignore
})
