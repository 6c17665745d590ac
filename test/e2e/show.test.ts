import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { captureDbPath } from '../helpers/captures.js'
import { json, oigctl } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'

/** Extracts one real capture DB into `dir` and returns the path of its only fixture. */
function extractFixture(db: string, dir: string): string {
  const r = oigctl(['extract', '--db', captureDbPath(db), '--out', dir, '--json'])
  expect(r.code).toBeLessThan(2)
  const sessions = json<{ sessions: Array<{ fixture: string | null }> }>(r).sessions
  return join(dir, sessions[0]!.fixture!)
}

/** Replay and compare latencies vary between runs; the snapshot keeps everything else. */
const maskLatency = (text: string): string => text.replace(/\b\d+ ms\b/g, 'N ms')

describe('oigctl show (built CLI, NO_COLOR=1)', () => {
  it('draws the real 2026-02-17 fixture as one line per frame with capture times and latencies', async () => {
    const fixture = extractFixture('session-2026-02-17-conn2315.db', tempDir())
    const r = oigctl(['show', fixture])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1 + 24)
    expect(r.stdout).not.toContain('\u001b[')
    await expect(r.stdout).toMatchFileSnapshot('__snapshots__/show-fixture.txt')
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
    await expect(maskLatency(r.stdout)).toMatchFileSnapshot('__snapshots__/show-replay.txt')
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
    await expect(maskLatency(r.stdout)).toMatchFileSnapshot('__snapshots__/show-compare.txt')
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
    expect(r.stderr).toContain('unknown schemaVersion 99 of kind "replay" (this oigctl reads 1)')
  })

  it('refuses a missing file with exit 2', () => {
    const r = oigctl(['show', join(tempDir(), 'nope.json')])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^Failed to read .*nope\.json/)
  })
})
