/**
 * Issue 14, the CLI as a user meets it: each item over the built CLI (bin/oigctl.js).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { capturesDir } from '../helpers/captures.js'
import {
  ContractDiffDocSchema,
  ErrorDocSchema,
  ReplayDryRunDocSchema,
  ReportDocSchema,
  ServeDocSchema,
  SimulateResultDocSchema,
  SoakBatchDocSchema,
} from '../../src/formats/stdout-docs.js'
import { completeSet, writeEvidence } from '../helpers/gate-evidence.js'
import { oigctl, REPO_ROOT } from '../helpers/cli.js'
import { serveCli } from '../helpers/serve-cli.js'
import { tempDir } from '../helpers/make-db.js'

function allCaptureDbs(): string[] {
  const dir = capturesDir()
  return readdirSync(dir)
    .filter((f) => f.endsWith('.db'))
    .sort()
    .map((f) => join(dir, f))
}

describe('errors first (issue 14 item 1)', () => {
  it('extract over every real DB shows the crc-failure error before any warning, uncut', () => {
    const out = tempDir()
    const r = oigctl(['extract', ...allCaptureDbs().flatMap((d) => ['--db', d]), '--out', out])
    expect(r.code).toBe(1)
    const lines = r.stdout.split('\n')
    const firstError = lines.findIndex((l) => /^\s+error crc-failure /.test(l))
    const firstWarning = lines.findIndex((l) => /^\s+warn /.test(l))
    expect(firstError).toBeGreaterThan(-1)
    expect(firstWarning).toBeGreaterThan(firstError)
    const summary = /findings: (\d+) error/.exec(r.stdout)
    expect(summary).not.toBeNull()
    expect(lines.filter((l) => /^\s+error /.test(l))).toHaveLength(Number(summary![1]))
    expect(r.stdout).toMatch(/… \d+ more warnings in extract-result\.json/)
  })
})

describe('--json documents (issue 14 item 5)', () => {
  it('exit 2 under --json prints exactly one error document matching contracts/schemas/error.schema.json', () => {
    const missing = oigctl(['extract', '--db', '/nonexistent/payloads.db', '--json'])
    expect(missing.code).toBe(2)
    const doc = ErrorDocSchema.parse(JSON.parse(missing.stdout))
    expect(doc).toMatchObject({ kind: 'error', code: 'CAPTURE_DB_NOT_FOUND', exitCode: 2 })
    expect(doc.message).toMatch(/^Failed to open capture DB/)
    expect(doc.hint).toMatch(/--db/)
    const usage = oigctl(['extract', '--no-such-option', '--json'])
    expect(usage.code).toBe(2)
    expect(ErrorDocSchema.parse(JSON.parse(usage.stdout))).toMatchObject({ code: 'USAGE' })
    // Without --json stdout stays empty: the error is on stderr only.
    const text = oigctl(['extract', '--db', '/nonexistent/payloads.db'])
    expect(text.stdout).toBe('')
    expect(text.stderr).toMatch(/^Failed to open capture DB/m)
  })

  it('simulate, contract diff, report and serve mock --json match their schemas', async () => {
    const dir = tempDir()
    const sim = oigctl(['simulate', '--out', join(dir, 's.db'), '--sessions', '2', '--json'])
    expect(sim.code).toBe(0)
    expect(SimulateResultDocSchema.parse(JSON.parse(sim.stdout)).sessions).toBe(2)
    const shipped = 'contracts/oig-cloud.contract.json'
    const diff = oigctl(['contract', 'diff', shipped, shipped, '--json'])
    expect(diff.code).toBe(0)
    expect(ContractDiffDocSchema.parse(JSON.parse(diff.stdout)).breaking).toBe(false)
    const report = oigctl(['report', '--evidence', dir, '--json'])
    expect(report.code).toBe(0)
    expect(ReportDocSchema.parse(JSON.parse(report.stdout)).file).toBe(join(dir, 'report.html'))
    const serve = await serveCli('mock', ['--json'])
    serve.child.kill('SIGTERM')
    const stopped = await serve.exit
    expect(stopped.code).toBe(143)
    expect(ServeDocSchema.parse(JSON.parse(stopped.stdout)).target).toBe('mock')
  })

  it('each stdout kind has its JSON Schema file', () => {
    for (const kind of [
      'error',
      'serve',
      'simulate-result',
      'pipeline',
      'contract-diff',
      'report',
      'replay-batch',
      'replay-dry-run',
      'soak-batch',
    ]) {
      const text = readFileSync(
        join(REPO_ROOT, 'contracts', 'schemas', `${kind}.schema.json`),
        'utf8',
      )
      expect(JSON.parse(text)).toMatchObject({
        $id: expect.stringContaining(`/${kind}.schema.json`),
      })
      expect(text).toContain(`"const": "${kind}"`)
    }
  })
})

/** Every command path below `oigctl`, read from the help's Commands sections. */
function commandPaths(prefix: readonly string[] = []): string[][] {
  const help = oigctl([...prefix, '--help']).stdout
  const section = /\nCommands:\n([\s\S]*?)(?:\n\n|$)/.exec(help)?.[1] ?? ''
  const names = [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)]
    .map((m) => m[1]!)
    .filter((n) => n !== 'help')
  return names.flatMap((n) => [[...prefix, n], ...commandPaths([...prefix, n])])
}

describe('help (issue 14 item 4)', () => {
  const paths = commandPaths()

  it('finds every command', () => {
    expect(paths.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining(['extract', 'contract derive', 'serve mock', 'serve proxy', 'gate']),
    )
    expect(paths.length).toBeGreaterThanOrEqual(16)
  })

  it.each(paths.map((p) => [p.join(' ')]))(
    '%s --help ends with Examples, lists the global options, names no machine path',
    (cmd) => {
      const r = oigctl([...cmd.split(' '), '--help'])
      expect(r.code).toBe(0)
      const examples = /\nExamples:\n((?: {2}\$ oigctl .+\n)+)\n*$/.exec(r.stdout)
      expect(examples, r.stdout).not.toBeNull()
      const global = /\nGlobal Options:\n([\s\S]*?)\n\n/.exec(r.stdout)?.[1] ?? ''
      for (const o of ['--json', '--quiet', '--no-color', '--debug']) expect(global).toContain(o)
      expect(r.stdout).not.toContain(REPO_ROOT)
      expect(r.stdout).not.toMatch(/\(default "|\(default [^:]/)
      for (const e of examples![1]!.matchAll(/\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]/g))
        expect(['127.0.0.1', '[::1]']).toContain(e[0])
    },
  )

  it.each([['contract'], ['serve']])(
    'bare oigctl %s is exit 2 with the help on stderr',
    (group) => {
      const r = oigctl([group])
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toContain(`Usage: oigctl ${group}`)
      expect(r.stderr).toContain(`Failed to run oigctl ${group}: no sub-command given.`)
    },
  )

  it('says what is wrong with a number in its own words', () => {
    const dir = tempDir()
    const speed = oigctl([
      'replay',
      '--session',
      'x',
      '--target',
      'mock',
      '--speed',
      '0',
      '--out',
      dir,
    ])
    expect(speed.code).toBe(2)
    expect(speed.stderr).toContain(
      'Failed to run replay: --speed must be a number above 0 (got "0").',
    )
    const nan = oigctl(['extract', '--db', 'x.db', '--session-gap-s', 'soon', '--out', dir])
    expect(nan.stderr).toContain('--session-gap-s must be a number (got "soon")')
    const whole = oigctl(['serve', 'mock', '--max-connections', '1.5'])
    expect(whole.code).toBe(2)
    expect(whole.stderr).toContain('--max-connections must be a whole number (got "1.5")')
    for (const r of [speed, nan, whole]) expect(r.stderr).not.toMatch(/Too small|Invalid input/)
  })
})

describe('one option vocabulary (issue 14 item 3)', () => {
  it('serve mock listens with --listen (the old --port stays a hidden alias); replay takes HOST:PORT', async () => {
    const mock = await serveCli('mock', ['--listen', '127.0.0.1:0'])
    const dir = tempDir()
    const session = join(capturesDir(), 'session-2026-02-17-conn2315.json')
    for (const target of [`127.0.0.1:${mock.port}`, `tcp://127.0.0.1:${mock.port}`]) {
      const r = oigctl([
        'replay',
        '--session',
        session,
        '--target',
        target,
        '--max-speed',
        '--out',
        dir,
      ])
      expect(r.code, r.stderr).toBe(0)
    }
    const help = oigctl(['serve', 'mock', '--help']).stdout
    expect(help).toContain('--listen <host:port>')
    expect(help).not.toMatch(/--host <host>|--port <port>/)
    const bad = oigctl([
      'replay',
      '--session',
      session,
      '--target',
      '127.0.0.1:70000',
      '--out',
      dir,
    ])
    expect(bad.code).toBe(2)
    const listen = oigctl(['serve', 'mock', '--listen', 'localhost'])
    expect(listen.code).toBe(2)
    expect(listen.stderr).toContain(
      'invalid --listen: expected HOST:PORT, [IPv6]:PORT or tcp://HOST:PORT',
    )
    const port = oigctl(['serve', 'proxy', '--mode', 'online', '--upstream', '127.0.0.1:0'])
    expect(port.code).toBe(2)
    expect(port.stderr).toContain('invalid --upstream: port 0 is outside 1 … 65535')
  })

  it('serve proxy takes tcp://HOST:PORT and --idle-timeout-s 0 (never), as the mock does', async () => {
    const proxy = await serveCli('proxy', ['--mode', 'offline', '--idle-timeout-s', '0'])
    expect(proxy.port).toBeGreaterThan(0)
    proxy.child.kill('SIGTERM')
    expect((await proxy.exit).code).toBe(143)
    const mock = await serveCli('mock', ['--idle-timeout-s', '0'])
    mock.child.kill('SIGTERM')
    expect((await mock.exit).code).toBe(143)
  })

  it('one frame-size default and the same defaults on both servers', () => {
    const mock = oigctl(['serve', 'mock', '--help']).stdout.replace(/\s+/g, ' ')
    const proxy = oigctl(['serve', 'proxy', '--help']).stdout.replace(/\s+/g, ' ')
    for (const help of [mock, proxy]) {
      expect(help).toContain('close a connection sending a larger frame (default: 16384)')
      expect(help).toContain('(0 = never) (default: 10m)')
      expect(help).toContain('(port 0 = a free port) (default: 127.0.0.1:5710)')
      expect(help).toContain('(default: the shipped contracts/oig-cloud.contract.json)')
    }
  })

  it('extract takes --session for a session export (--session-file is its alias)', () => {
    const exp = join(capturesDir(), 'session-2026-02-17-conn2315.json')
    const a = oigctl(['extract', '--session', exp, '--out', tempDir(), '--json'])
    const b = oigctl(['extract', '--session-file', exp, '--out', tempDir(), '--json'])
    expect(a.code).toBe(0)
    expect(b.code).toBe(0)
    const count = (s: string): number =>
      (JSON.parse(s) as { totals: { framesRead: number } }).totals.framesRead
    expect(count(a.stdout)).toBeGreaterThan(0)
    expect(count(a.stdout)).toBe(count(b.stdout))
  })
})

describe('gate output for CI (issue 14 item 7)', () => {
  it('gate -q prints one line: KEEP with the first blocking reason, or REMOVE', () => {
    const empty = tempDir()
    const keep = oigctl(['gate', '--evidence', empty, '-q'])
    expect(keep.code).toBe(1)
    expect(keep.stdout).toMatch(/^KEEP: contract-validates MISSING: \S.*\n$/)
    expect(keep.stdout.split('\n')).toHaveLength(2)
    expect(keep.stderr).toBe('')
    const full = tempDir()
    writeEvidence(full, completeSet(new Date().toISOString()))
    const remove = oigctl(['gate', '--evidence', full, '-q'])
    expect(remove.code).toBe(0)
    expect(remove.stdout).toBe('REMOVE\n')
  })

  it('gate --format markdown writes a job-summary table, one row per criterion', () => {
    const ev = tempDir()
    const r = oigctl(['gate', '--evidence', ev, '--format', 'markdown', '-q'])
    const criteria = (
      JSON.parse(readFileSync(join(ev, 'gate.json'), 'utf8')) as { criteria: unknown[] }
    ).criteria.length
    expect(r.code).toBe(1)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('## oigctl gate: ❌ KEEP')
    expect(lines).toContain('| criterion | mandatory | status | evidence | reason |')
    const rows = lines.filter((l) => /^\| `[a-z-]+` \|/.test(l))
    expect(rows).toHaveLength(criteria)
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(7)
    expect(rows.find((l) => l.startsWith('| `soak-all-pass` | yes | ⚠️ MISSING |'))).toBeDefined()
  })
})

describe('replay and soak (issue 14 item 8)', () => {
  const session = (): string => join(capturesDir(), 'session-2026-02-17-conn2315.json')

  it('a target that cannot be reached is exit 2 with one line, and nothing is written', async () => {
    const net = await import('node:net')
    const server = net.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    await new Promise((resolve) => server.close(resolve))
    const dir = join(tempDir(), 'out')
    const r = oigctl([
      'replay',
      '--session',
      session(),
      '--target',
      `127.0.0.1:${port}`,
      '--out',
      dir,
    ])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(
      new RegExp(
        `^Failed to replay to 127\\.0\\.0\\.1:${port}: cannot connect to 127\\.0\\.0\\.1:${port}: connection refused`,
      ),
    )
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(2) // the line and its hint
    expect(existsSync(dir)).toBe(false)
  })

  it('replay --dry-run says what would be sent to whom without connecting', () => {
    const dir = join(tempDir(), 'out')
    const r = oigctl([
      'replay',
      '--session',
      session(),
      '--target',
      '127.0.0.1:9',
      '--dry-run',
      '--out',
      dir,
    ])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^dry run: nothing is sent\. Would replay to 127\.0\.0\.1:9/)
    expect(r.stdout).toContain('box.poll.isnewset')
    const doc = ReplayDryRunDocSchema.parse(
      JSON.parse(
        oigctl(['replay', '--session', session(), '--target', 'mock', '--dry-run', '--json'])
          .stdout,
      ),
    )
    expect(doc).toMatchObject({ target: 'mock', builtIn: true, endpoint: null })
    expect(doc.sessions[0]!.frames).toHaveLength(12)
    expect(existsSync(dir)).toBe(false)
  })

  it('soak --scenario all runs the five scenarios the gate needs and writes each report', () => {
    const dir = tempDir()
    const r = oigctl([
      'soak',
      '--scenario',
      'all',
      '--duration',
      '4m',
      '--time-scale',
      '60',
      '--out',
      dir,
      '--json',
    ])
    expect(r.code, r.stderr).toBe(0)
    const doc = SoakBatchDocSchema.parse(JSON.parse(r.stdout))
    expect(doc.reports.map((x) => x.scenario).sort()).toEqual([
      'flapping',
      'intermittent',
      'outage',
      'slow',
      'stable',
    ])
    expect(readdirSync(join(dir, 'soak')).sort()).toEqual(
      ['flapping', 'intermittent', 'outage', 'slow', 'stable'].map((s) => `${s}.soak.json`),
    )
  })
})

describe('inputs as users type them (issue 14 item 2)', () => {
  const dbs = (): string[] => allCaptureDbs()
  const framesRead = (stdout: string): number =>
    (JSON.parse(stdout) as { totals: { framesRead: number } }).totals.framesRead

  it('--db takes several files after one flag and a quoted glob, the same as repeated --db', () => {
    const repeated = oigctl([
      'extract',
      ...dbs().flatMap((d) => ['--db', d]),
      '--out',
      tempDir(),
      '--json',
    ])
    const variadic = oigctl(['extract', '--db', ...dbs(), '--out', tempDir(), '--json'])
    const glob = oigctl([
      'extract',
      '--db',
      join(capturesDir(), '*.db'),
      '--out',
      tempDir(),
      '--json',
    ])
    for (const r of [repeated, variadic, glob]) expect(r.code, r.stderr).toBe(1) // the crc-failure
    expect(framesRead(variadic.stdout)).toBe(framesRead(repeated.stdout))
    expect(framesRead(glob.stdout)).toBe(framesRead(repeated.stdout))
    const none = oigctl(['extract', '--db', join(capturesDir(), 'nothing-*.db'), '--json'])
    expect(none.code).toBe(2)
    expect(JSON.parse(none.stdout)).toMatchObject({ kind: 'error', code: 'NO_MATCH' })
  })

  it('a filter that selects nothing warns, and is exit 1 under --strict', () => {
    const db = join(capturesDir(), 'session-2026-02-17-conn2315.db')
    const plain = oigctl(['extract', '--db', db, '--conn', '9999', '--out', tempDir()])
    expect(plain.code).toBe(0)
    expect(plain.stderr).toMatch(/^warning: --conn 9999 selected no session of the \d+ read\.$/m)
    const strict = oigctl([
      'extract',
      '--db',
      db,
      '--conn',
      '9999',
      '--strict',
      '--out',
      tempDir(),
      '-q',
    ])
    expect(strict.code).toBe(1)
    expect(strict.stderr).toContain('(--strict: exit 1)')
    const window = oigctl([
      'extract',
      '--db',
      db,
      '--from',
      '2030-01-01T00:00:00Z',
      '--out',
      tempDir(),
    ])
    expect(window.stderr).toMatch(/^warning: --from 2030-01-01T00:00:00Z selected no session/m)
    const all = oigctl(['extract', '--db', db, '--out', tempDir()])
    expect(all.stderr).not.toContain('selected no session')
  })
})

describe('show filters (issue 14 item 9)', () => {
  it('--failures-only, --target and --class narrow a compare view to what failed', () => {
    const dir = tempDir()
    const ex = oigctl([
      'extract',
      '--db',
      join(capturesDir(), 'setting-handshake-2025-12-10.db'),
      '--out',
      dir,
      '--json',
    ])
    const fixtures = (
      JSON.parse(ex.stdout) as { sessions: Array<{ fixture: string | null }> }
    ).sessions
      .map((s) => s.fixture)
      .filter((f): f is string => f !== null)
    const cmp = oigctl([
      'compare',
      ...fixtures.flatMap((f) => ['--session', join(dir, f)]),
      '--targets',
      'online,mock,legacy',
      '--max-speed',
      '--out',
      dir,
    ])
    expect(cmp.code).toBe(1)
    const file = join(dir, 'compare.json')
    const all = oigctl(['show', file]).stdout.split('\n')
    const legacy = oigctl(['show', file, '--failures-only', '--target', 'legacy'])
    expect(legacy.code).toBe(0)
    const lines = legacy.stdout.split('\n')
    expect(lines.length).toBeLessThan(all.length)
    expect(lines.some((l) => / legacy .*MISMATCH/.test(l))).toBe(true)
    expect(lines.some((l) => /BOX ◄── mock/.test(l))).toBe(false)
    // Every request shown has a failing legacy cell.
    const requests = lines.filter((l) => /^#\d+/.test(l)).length
    expect(lines.filter((l) => / legacy .*(MISMATCH|WARN)/.test(l))).toHaveLength(requests)
    expect(legacy.stderr).toMatch(/^showing \d+ of \d+ rows \(--failures-only --target legacy\)$/m)
    const mock = oigctl(['show', file, '--failures-only', '--target', 'mock'])
    expect(mock.stdout.split('\n').filter((l) => /^#\d+/.test(l))).toHaveLength(0)
    const polls = oigctl(['show', file, '--class', 'box.poll']).stdout
    const shown = polls.split('\n').filter((l) => /^#\d+/.test(l))
    expect(shown.length).toBeGreaterThan(0)
    for (const l of shown) expect(l).toMatch(/box\.poll\./)
    const unknown = oigctl(['show', file, '--target', 'hybrid'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('--target hybrid is not in this compare report')
  })
})

describe('progress off a TTY (issue 14 item 6)', () => {
  it('prints a plain progress line on stderr at the interval, none under --quiet, stdout untouched', () => {
    const dir = tempDir()
    const env = { OIGCTL_PROGRESS_INTERVAL_MS: '1' }
    const db = join(dir, 'synthetic.db')
    const sim = oigctl(['simulate', '--out', db, '--rows', '60000'], { env })
    expect(sim.code).toBe(0)
    expect(sim.stderr).toMatch(/^progress: simulate: [\d,]+ rows$/m)
    const r = oigctl(['extract', '--db', db, '--out', join(dir, 'ev'), '--json'], { env })
    expect(r.code).toBe(0)
    // Counts of the total and % (and an ETA once it means something), the file being read.
    expect(r.stderr).toMatch(
      /^progress: extract: [\d,]+\/60,000 rows \(\d+%\)(, ETA [^·]+)? · synthetic\.db, [\d,]+ sessions$/m,
    )
    expect(r.stderr).not.toContain('\x1b')
    expect(() => JSON.parse(r.stdout) as unknown).not.toThrow()
    const quiet = oigctl(['extract', '--db', db, '--out', join(dir, 'ev2'), '-q'], { env })
    expect(quiet.stderr).not.toContain('progress:')
    // At the default interval (5 s) a short run prints none.
    const short = oigctl(['extract', '--db', db, '--out', join(dir, 'ev3')], {
      env: { OIGCTL_PROGRESS_INTERVAL_MS: '5000' },
    })
    expect(short.stderr.split('\n').filter((l) => l.startsWith('progress:')).length).toBeLessThan(3)
  })
})
