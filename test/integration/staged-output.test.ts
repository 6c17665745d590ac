/**
 * Writers never write a final path in place, and a writer of several files stages them all before
 * the first one is moved into place — so an exit 2, a Ctrl-C or a kill never leaves part of an
 * output behind. Every fs call that writes is recorded while the real writers run.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { runCompare } from '../../src/compare/run-compare.js'
import { readContract } from '../../src/contract/files.js'
import { writeFileAtomic } from '../../src/evidence/files.js'
import { STAGING_PREFIX } from '../../src/evidence/output-run.js'
import { runGate } from '../../src/pipeline/run-gate.js'
import { writeReport } from '../../src/report/files.js'
import type { SoakReport } from '../../src/soak/report-schema.js'
import { writeSoakReports } from '../../src/soak/run-soak.js'
import type { ReplayTranscript } from '../../src/replay/transcript-schema.js'
import { writeTranscripts } from '../../src/replay/run-replay.js'
import { SHIPPED_CHECKLIST, SHIPPED_CONTRACT } from '../../src/shipped.js'
import { capturesDir } from '../helpers/captures.js'
import { tempDir } from '../helpers/make-db.js'

type Event = { readonly op: 'write' | 'place'; readonly file: string }

/** Records every write (and every move into place) under `root` until restored. */
function recordWrites(root: string): Event[] {
  const events: Event[] = []
  const under = (p: unknown): string | null => {
    if (typeof p !== 'string') return null
    const abs = path.resolve(p)
    return abs.startsWith(`${root}${path.sep}`) ? abs : null
  }
  const note = (op: Event['op'], p: unknown): void => {
    const file = under(p)
    if (file !== null) events.push({ op, file })
  }
  type Writer =
    | 'writeFileSync'
    | 'appendFileSync'
    | 'createWriteStream'
    | 'openSync'
    | 'copyFileSync'
    | 'renameSync'
  const spy = (name: Writer, at: (args: unknown[]) => void): void => {
    const real = fs[name] as (...args: unknown[]) => unknown
    vi.spyOn(fs, name).mockImplementation(((...args: unknown[]) => {
      at(args)
      return real.apply(fs, args)
    }) as never)
  }
  spy('writeFileSync', (a) => note('write', a[0]))
  spy('appendFileSync', (a) => note('write', a[0]))
  spy('createWriteStream', (a) => note('write', a[0]))
  spy('openSync', (a) => {
    if (typeof a[1] === 'string' && /[wa+]/.test(a[1])) note('write', a[0])
  })
  spy('copyFileSync', (a) => note('write', a[1]))
  spy('renameSync', (a) => note(staged(String(a[1])) ? 'write' : 'place', a[1]))
  return events
}

/** A path inside a staging folder, or a staging file (`.oigctl-tmp-…`). */
const staged = (file: string): boolean =>
  file.split(path.sep).some((part) => part.startsWith(STAGING_PREFIX))

/** Files written in place: a write to a final path (not a staging one). */
const inPlace = (events: readonly Event[]): string[] =>
  events.filter((e) => e.op === 'write' && !staged(e.file)).map((e) => e.file)

/** Files moved into place before the writer had written everything (not staged as a whole). */
const placedEarly = (events: readonly Event[]): string[] => {
  const lastWrite = events.map((e) => e.op).lastIndexOf('write')
  return events.slice(0, lastWrite).flatMap((e) => (e.op === 'place' ? [e.file] : []))
}

afterEach(() => vi.restoreAllMocks())

describe('the checks of this file catch what they look for', () => {
  it('flags a writer that writes in place, and one that moves one file in before writing the next', () => {
    const dir = tempDir()
    const naive = recordWrites(dir)
    fs.writeFileSync(path.join(dir, 'a.json'), '{}')
    expect(inPlace(naive)).toEqual([path.join(dir, 'a.json')])
    vi.restoreAllMocks()
    const oneByOne = recordWrites(dir)
    writeFileAtomic(path.join(dir, 'b.json'), '{}')
    writeFileAtomic(path.join(dir, 'c.json'), '{}')
    expect(inPlace(oneByOne)).toEqual([])
    expect(placedEarly(oneByOne)).toEqual([path.join(dir, 'b.json')])
  })
})

describe('multi-file writers stage everything, then move it into place', () => {
  it('compare: the transcripts, compare.json and the JUnit file (in another folder)', async () => {
    const out = path.join(tempDir(), 'evidence')
    const junit = path.join(path.dirname(out), 'ci', 'compare.junit.xml')
    fs.mkdirSync(path.dirname(junit))
    const events = recordWrites(path.dirname(out))
    await runCompare({
      sessions: [path.join(capturesDir(), 'session-2026-02-17-conn2315.json')],
      targets: ['mock', 'legacy'],
      contract: readContract(SHIPPED_CONTRACT),
      online: null,
      allowRemote: false,
      pacing: { speed: 1, maxSpeed: true, replyTimeoutMs: 2000, holdAfterS: 0 },
      extraSettings: [],
      strictTiming: false,
      failOn: 'any',
      out,
      junit,
    })
    const placed = events.filter((e) => e.op === 'place').map((e) => path.relative(out, e.file))
    expect(placed.sort()).toEqual([
      '../ci/compare.junit.xml',
      'compare.json',
      'replay/session-2026-02-17-conn2315_0001-conn2315.legacy.replay.json',
      'replay/session-2026-02-17-conn2315_0001-conn2315.mock.replay.json',
    ])
    expect(inPlace(events)).toEqual([])
    expect(placedEarly(events)).toEqual([])
  })

  it('soak: every scenario report', () => {
    const out = tempDir()
    const events = recordWrites(out)
    const report = (scenario: string) => ({ kind: 'soak', scenario }) as unknown as SoakReport
    const files = writeSoakReports(out, [report('stable'), report('outage')])
    expect(files).toEqual([
      path.join(out, 'soak', 'stable.soak.json'),
      path.join(out, 'soak', 'outage.soak.json'),
    ])
    expect(inPlace(events)).toEqual([])
    expect(placedEarly(events)).toEqual([])
  })
})

describe('replay: the transcripts of a batch', () => {
  it('stages every transcript, then moves them into place', () => {
    const out = tempDir()
    const events = recordWrites(out)
    const transcript = (id: string) =>
      ({ kind: 'replay', session: { id }, target: { name: 'mock' } }) as unknown as ReplayTranscript
    const files = writeTranscripts(out, [transcript('s#0001'), transcript('s#0002')])
    expect(files).toEqual([
      path.join(out, 'replay', 's_0001.mock.replay.json'),
      path.join(out, 'replay', 's_0002.mock.replay.json'),
    ])
    expect(inPlace(events)).toEqual([])
    expect(placedEarly(events)).toEqual([])
  })
})

describe('gate: the rehearsal, gate.json and the JUnit file', () => {
  it('stages all three (the JUnit file in another folder), then moves them into place', async () => {
    const root = tempDir()
    const dir = path.join(root, 'evidence')
    const junit = path.join(root, 'ci', 'gate.junit.xml')
    fs.mkdirSync(dir)
    fs.mkdirSync(path.dirname(junit))
    const events = recordWrites(root)
    const run = await runGate({
      evidence: dir,
      checklist: SHIPPED_CHECKLIST,
      contract: null,
      junit,
      rehearse: true,
      session: path.join(capturesDir(), 'session-2026-02-17-conn2315.json'),
      maxAgeDays: null,
    })
    const files = [path.join(dir, 'rollback-rehearsal.json'), path.join(dir, 'gate.json'), junit]
    expect(run.files).toEqual(files)
    expect(events.filter((e) => e.op === 'place').map((e) => e.file)).toEqual(files)
    expect(inPlace(events)).toEqual([])
    expect(placedEarly(events)).toEqual([])
    // The rehearsal the gate judged is the one written.
    const criterion = run.decision.criteria.find((c) => c.condition === 'rehearsal-passed')
    expect(criterion?.files.map((f) => f.file)).toEqual([files[0]])
    expect(run.rehearsal?.pass).toBe(true)
    expect(criterion?.status).toBe('PASS')
    expect(JSON.parse(fs.readFileSync(files[0]!, 'utf8'))).toEqual(run.rehearsal)
  })
})

describe('single-file writers write a temp file and rename it', () => {
  it('report (report.html)', async () => {
    const dir = tempDir()
    const events = recordWrites(dir)
    await writeReport(dir, path.join(dir, 'report.html'))
    expect(events.filter((e) => e.op === 'place').map((e) => path.basename(e.file))).toEqual([
      'report.html',
    ])
    expect(inPlace(events)).toEqual([])
  })
})
