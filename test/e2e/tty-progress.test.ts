/**
 * Issue 14 item 6: progress on a real terminal (a pseudo-terminal from python3's pty module),
 * over the built CLI. One line, redrawn in place with a bar, counts and %, cleared at the end;
 * nothing of it on stdout; none under --quiet.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { capturesDir } from '../helpers/captures.js'
import { oigctl } from '../helpers/cli.js'
import { oigctlOnPty, startOnPty, type PtyResult } from '../helpers/pty.js'
import { PROGRESS_REDRAW_MS } from '../../src/cli/output.js'

const CLEAR = '\r\x1b[2K'
const ROWS = 120_000
const SESSION_2026 = (): string => join(capturesDir(), 'session-2026-02-17-conn2315.json')

let dir = ''
let db = ''
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oigctl-tty-'))
  db = join(dir, 'synthetic.db')
  // SYNTHETIC: the project's simulator, big enough for several progress ticks.
  const sim = oigctl(['simulate', '--out', db, '--rows', String(ROWS), '-q'])
  expect(sim.code).toBe(0)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs on the terminal and measures the wall time (to bound the number of redraws). */
function timed(args: readonly string[]): PtyResult & { ms: number } {
  const t0 = Date.now()
  const r = oigctlOnPty(args)
  return { ...r, ms: Date.now() - t0 }
}

/** The progress lines drawn on the terminal for `task` (each starts with a clear-line). */
function draws(tty: string, task: string): string[] {
  return tty
    .split(CLEAR)
    .slice(1)
    .filter((d) => d.startsWith(`${task}: `))
}

/** Checks the shape every TTY progress has: bar, counts of the total, %, cleared, stdout clean. */
function expectProgress(r: PtyResult & { ms: number }, task: string, counts: RegExp): void {
  const lines = draws(r.tty, task)
  expect(lines.length).toBeGreaterThan(0)
  const escaped = task.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  for (const l of lines) {
    expect(l).toMatch(new RegExp(`^${escaped}: \\[[#-]{20}\\] `))
    expect(l).toMatch(counts)
    expect(l).toMatch(/ \(\d{1,3}%\)/)
    // One terminal line: never wrapped, no newline inside a redraw.
    expect(l.split('\n')[0]!.length).toBeLessThan(100)
  }
  // Redrawn at most every PROGRESS_REDRAW_MS (the first at once).
  expect(lines.length).toBeLessThanOrEqual(Math.ceil(r.ms / PROGRESS_REDRAW_MS) + 1)
  // Cleared at the end: the last draw is followed by a clear-line before anything else.
  const last = r.tty.lastIndexOf(`${CLEAR}${task}: `)
  expect(r.tty.indexOf(CLEAR, last + CLEAR.length)).toBeGreaterThan(last)
  // Nothing of it on stdout.
  expect(r.stdout).not.toContain('\x1b')
  expect(r.stdout).not.toContain(`${task}: [`)
}

describe('progress on a terminal (issue 14 item 6)', () => {
  it('extract: a redrawn line with rows of the total and %, stdout one JSON document; none under --quiet', () => {
    const r = timed(['extract', '--db', db, '--out', join(dir, 'ev'), '--json'])
    expect(r.code).toBe(0)
    expectProgress(r, 'extract', /[\d,]+\/120,000 rows \(/)
    expect(
      draws(r.tty, 'extract').some((l) => / \(\d+%\).* · synthetic\.db, [\d,]+ sessions/.test(l)),
    ).toBe(true)
    expect((JSON.parse(r.stdout) as { kind: string }).kind).toBe('extract-result')
    const quiet = oigctlOnPty(['extract', '--db', db, '--out', join(dir, 'ev-q'), '-q'])
    expect(quiet.code).toBe(0)
    expect(quiet.tty).not.toContain('extract: [')
    expect(quiet.stdout.startsWith('oigctl extract')).toBe(true)
  })

  it('contract derive and contract validate: the same line, under their own names', () => {
    const contract = join(dir, 'contract.json')
    const d = timed(['contract', 'derive', '--db', db, '--out', contract])
    expect(d.code).toBe(0)
    expectProgress(d, 'contract derive', /[\d,]+\/120,000 rows \(/)
    expect(d.tty).toContain(`wrote contract ${contract}`)
    const v = timed([
      'contract',
      'validate',
      '--contract',
      contract,
      '--db',
      db,
      '--out',
      join(dir, 'v.json'),
      '--json',
    ])
    expect(v.code).toBe(0)
    expectProgress(v, 'contract validate', /[\d,]+\/120,000 rows \(/)
    expect((JSON.parse(v.stdout) as { kind: string }).kind).toBe('contract-validation')
  })

  it('replay and compare count BOX frames sent of all to send', () => {
    const out = join(dir, 'replay-ev')
    const r = timed([
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
    const sent = (JSON.parse(r.stdout) as { counts: { sent: number }; steps: unknown[] }).steps
      .length
    expectProgress(r, 'replay', new RegExp(`\\d+/${sent} BOX frames \\(`))
    const c = timed([
      'compare',
      '--session',
      SESSION_2026(),
      '--targets',
      'online,mock,offline',
      '--out',
      out,
    ])
    expect([0, 1]).toContain(c.code)
    // online is the recorded replies (not replayed): two replays of every frame.
    expectProgress(c, 'compare', new RegExp(`\\d+/${2 * sent} frames \\(`))
    expect(c.stdout).toMatch(/^compare /m)
  })

  it('soak: simulated seconds of --duration', () => {
    const r = timed([
      'soak',
      '--scenario',
      'stable',
      '--duration',
      '2m',
      '--time-scale',
      '60',
      '--out',
      join(dir, 'soak-ev'),
    ])
    expect(r.code).toBe(0)
    expectProgress(r, 'soak stable', /\d+\/120 s simulated \(/)
    expect(draws(r.tty, 'soak stable').some((l) => /, \d+ transitions, \d+ rescues/.test(l))).toBe(
      true,
    )
  })

  it('Ctrl-C while the line is shown clears it, says Interrupted and stops within a second', async () => {
    const run = startOnPty(['extract', '--db', db, '--out', join(dir, 'ev-int')])
    await run.waitFor(/extract: \[[#-]{20}\] [\d,]+\/120,000 rows/)
    const t0 = Date.now()
    const r = await run.interrupt()
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(r.code).toBe(130)
    // The line is cleared first (the terminal turns \n into \r\n).
    expect(r.tty).toContain(`${CLEAR}\r\nInterrupted (SIGINT)`)
  })
})
