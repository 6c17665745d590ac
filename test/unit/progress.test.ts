/** The progress line of the output layer (cli/output.ts) and the domain's counters (progress.ts). */
import { PassThrough } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { etaText, formatProgress, Output, PROGRESS_REDRAW_MS } from '../../src/cli/output.js'
import { progressCounter, progressOfParts, type ProgressTick } from '../../src/progress.js'

const CLEAR = '\r\x1b[2K'

function streams(
  tty: boolean,
  columns = 100,
): { out: Output; err: () => string; stdout: () => string } {
  let err = ''
  let std = ''
  const stderr = Object.assign(new PassThrough(), { isTTY: tty, columns })
  const stdout = Object.assign(new PassThrough(), { isTTY: false })
  stderr.on('data', (d: Buffer) => (err += d.toString()))
  stdout.on('data', (d: Buffer) => (std += d.toString()))
  return {
    out: new Output({ stdout, stderr }, { json: true, quiet: false, color: false }, {}),
    err: () => err,
    stdout: () => std,
  }
}

const tick = (done: number, total: number | null = 1000): ProgressTick => ({
  task: 'extract',
  done,
  total,
  unit: 'rows',
  detail: 'a.db',
})

describe('formatProgress and etaText', () => {
  it('gives counts of the total, %, the ETA and the detail; a bar only when asked', () => {
    expect(formatProgress(tick(250), 42_000)).toBe('extract: 250/1,000 rows (25%), ETA 42 s · a.db')
    expect(formatProgress(tick(250), null, true)).toBe(
      'extract: [#####---------------] 250/1,000 rows (25%) · a.db',
    )
    expect(formatProgress(tick(12_345, null), null)).toBe('extract: 12,345 rows · a.db')
    // Never past the total (a rowid span is an upper bound, not a promise).
    expect(formatProgress(tick(1200), null)).toBe('extract: 1,000/1,000 rows (100%) · a.db')
  })

  it('writes remaining times in seconds, minutes or hours', () => {
    expect(etaText(400)).toBe('1 s')
    expect(etaText(59_000)).toBe('59 s')
    expect(etaText(185_000)).toBe('3 min 05 s')
    expect(etaText(7_800_000)).toBe('2 h 10 min')
  })
})

describe('Output.progress', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }))
  afterEach(() => vi.useRealTimers())

  it('on a TTY: one line redrawn at most every PROGRESS_REDRAW_MS, the ETA from the rate, cleared before the result', () => {
    const s = streams(true)
    s.out.progress(tick(0))
    expect(s.err()).toBe(`${CLEAR}extract: [--------------------] 0/1,000 rows (0%) · a.db`)
    vi.advanceTimersByTime(PROGRESS_REDRAW_MS / 2)
    s.out.progress(tick(50))
    // Too soon: kept, and drawn once the interval is over.
    expect(s.err().split(CLEAR).length).toBe(2)
    vi.advanceTimersByTime(PROGRESS_REDRAW_MS)
    expect(s.err().split(CLEAR).length).toBe(3)
    expect(s.err().endsWith('50/1,000 rows (5%) · a.db')).toBe(true)
    // 2 s in, 250 of 1000 done: 750 more at 125 a second is 6 s.
    vi.setSystemTime(1_002_000)
    s.out.progress(tick(250))
    expect(s.err().endsWith('250/1,000 rows (25%), ETA 6 s · a.db')).toBe(true)
    s.out.result({ kind: 'x', schemaVersion: 1 }, () => 'x')
    expect(s.err().endsWith(`ETA 6 s · a.db${CLEAR}`)).toBe(true)
    expect(s.stdout()).not.toContain('extract')
  })

  it('on a TTY: a line wider than the terminal is cut to fit', () => {
    const s = streams(true, 30)
    s.out.progress(tick(10))
    const line = s.err().slice(CLEAR.length)
    expect(line.length).toBe(29)
    expect(line.endsWith('…')).toBe(true)
  })

  it('off a TTY: a plain line with counts and % once per interval, none before', () => {
    const s = streams(false)
    s.out.progress(tick(0))
    vi.advanceTimersByTime(4_000)
    s.out.progress(tick(100))
    expect(s.err()).toBe('')
    vi.advanceTimersByTime(1_000)
    s.out.progress(tick(500))
    expect(s.err()).toBe('progress: extract: 500/1,000 rows (50%), ETA 5 s · a.db\n')
    s.out.progress(tick(600))
    expect(s.err().split('\n').length).toBe(2)
  })

  it('is silent under --quiet', () => {
    let err = ''
    const stderr = Object.assign(new PassThrough(), { isTTY: true })
    stderr.on('data', (d: Buffer) => (err += d.toString()))
    const out = new Output(
      { stdout: new PassThrough(), stderr },
      { json: false, quiet: true, color: false },
      {},
    )
    out.progress(tick(1))
    expect(err).toBe('')
  })
})

describe('progressCounter and progressOfParts', () => {
  it('counts steps towards the total, starting at 0', () => {
    const ticks: ProgressTick[] = []
    const step = progressCounter('replay', 3, 'BOX frames', (t) => ticks.push(t))
    step()
    step(1, 's1')
    expect(ticks.map((t) => `${t.done}/${t.total}${t.detail ? ` ${t.detail}` : ''}`)).toEqual([
      '0/3',
      '1/3',
      '2/3 s1',
    ])
  })

  it('sums parts side by side once every part has reported', () => {
    const ticks: ProgressTick[] = []
    const part = progressOfParts('soak', 2, 'scenarios', (t) => ticks.push(t))
    const a = part('a')
    const b = part('b')
    const t = (done: number): ProgressTick => ({ task: 'x', done, total: 60, unit: 's simulated' })
    a(t(10))
    expect(ticks).toEqual([])
    b(t(5))
    a(t(30))
    expect(ticks.map((x) => `${x.done}/${x.total} ${x.detail}`)).toEqual([
      '15/120 2 scenarios side by side',
      '35/120 2 scenarios side by side',
    ])
  })
})
