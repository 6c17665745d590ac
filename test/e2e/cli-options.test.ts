/**
 * One option vocabulary over the built CLI: durations in one style (`250ms`, `30s`, `10m`, `1h`,
 * `7d`) with one parser and one message, defaults shown one way, the old `-ms` / `-s` / `-days`
 * spellings kept as hidden aliases with the same effect, choices declared once.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ErrorDocSchema } from '../../src/formats/stdout-docs.js'
import type { GateDecision } from '../../src/gate/gate-schema.js'
import { json, oigctl } from '../helpers/cli.js'
import { completeSet, writeEvidence } from '../helpers/gate-evidence.js'
import { tempDir } from '../helpers/make-db.js'
import { serveCli } from '../helpers/serve-cli.js'

const DURATION_MESSAGE = 'must be a duration with a unit, e.g. 250ms, 30s, 10m or 1h'

/** Each duration option of each command, given a bare number (no unit). */
const BARE: ReadonlyArray<readonly [string, readonly string[], string]> = [
  ['serve mock', ['--idle-timeout', '600'], '--idle-timeout'],
  ['serve proxy', ['--mode', 'offline', '--reply-timeout', '5000'], '--reply-timeout'],
  ['serve proxy', ['--mode', 'hybrid', '--retry-interval', '60'], '--retry-interval'],
  ['replay', ['--session', 'x', '--target', 'mock', '--reply-timeout', '5000'], '--reply-timeout'],
  ['compare', ['--hold-after', '2'], '--hold-after'],
  ['extract', ['--db', 'x.db', '--session-gap', '600'], '--session-gap'],
  ['contract derive', ['--db', 'x.db', '--session-gap', '600'], '--session-gap'],
  ['soak', ['--scenario', 'outage', '--duration', '90'], '--duration'],
  ['pipeline', ['--soak-duration', '600'], '--soak-duration'],
  ['gate', ['--evidence', '.', '--max-age', '7'], '--max-age'],
  ['simulate', ['--out', 'x.db', '--connection-age', '30'], '--connection-age'],
]

describe('one duration style (issue 14 item 3)', () => {
  it.each(BARE)('%s %j is exit 2 with the one duration message', (cmd, args, option) => {
    const r = oigctl([...cmd.split(' '), ...args])
    expect(r.code).toBe(2)
    const value = args[args.indexOf(option) + 1]!
    expect(r.stderr).toContain(
      `Failed to run ${cmd}: ${option} ${DURATION_MESSAGE} (got "${value}").`,
    )
    expect(r.stderr).toContain(`Hint: Run oigctl ${cmd} --help for the options.`)
    expect(r.stdout).toBe('')
  })

  it('a bad value under --json is one error document (code USAGE, exit 2)', () => {
    const r = oigctl(['soak', '--scenario', 'outage', '--duration', 'soon', '--json'])
    expect(r.code).toBe(2)
    const doc = ErrorDocSchema.parse(JSON.parse(r.stdout))
    expect(doc).toMatchObject({ code: 'USAGE', exitCode: 2 })
    expect(doc.message).toBe(`Failed to run soak: --duration ${DURATION_MESSAGE} (got "soon").`)
  })

  it('help shows every duration default with its unit and hides the old spellings', () => {
    const help = (cmd: string): string =>
      oigctl([...cmd.split(' '), '--help']).stdout.replace(/\s+/g, ' ')
    const expected: ReadonlyArray<readonly [string, string]> = [
      [
        'serve mock',
        '--idle-timeout <duration> close a BOX connection silent this long (0 = never) (default: 10m)',
      ],
      ['serve proxy', '--reply-timeout <duration> upstream reply timeout per frame (default: 5s)'],
      ['serve proxy', '(default: 1m)'],
      [
        'replay',
        '--hold-after <duration> keep the connection open after the last reply (default: 0)',
      ],
      ['compare', '--reply-timeout <duration> wait this long for each reply (default: 5s)'],
      ['soak', '--duration <duration> simulated duration (default: 10m)'],
      [
        'extract',
        '--session-gap <duration> silence that ends a session when conn_id cannot tell (default: 10m)',
      ],
      [
        'pipeline',
        '--soak-duration <duration> simulated duration of each soak scenario (default: 10m)',
      ],
      ['gate', '--max-age <duration>'],
      ['simulate', '--connection-age <duration>'],
    ]
    for (const [cmd, text] of expected) expect(help(cmd), cmd).toContain(text)
    for (const cmd of [
      'serve mock',
      'serve proxy',
      'replay',
      'compare',
      'soak',
      'extract',
      'contract derive',
      'pipeline',
      'gate',
      'simulate',
    ]) {
      const h = help(cmd)
      expect(h, cmd).not.toMatch(/--[a-z-]+-(?:ms|s|minutes|days) </)
      expect(h, cmd).not.toMatch(/--session-file|--host <|--port </)
    }
  })

  it('choices are listed in help and checked with one message', () => {
    const help = oigctl(['serve', 'proxy', '--help']).stdout.replace(/\s+/g, ' ')
    expect(help).toContain('(choices: online, hybrid, offline)')
    expect(help).toContain('(choices: contract, legacy) (default: contract)')
    const r = oigctl(['compare', '--fail-on', 'some'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(
      'Failed to run compare: invalid --fail-on: expected one of any, critical (got "some").',
    )
  })

  it('gate --max-age 2d and the old --max-age-days 2 judge stale evidence the same', () => {
    const dir = tempDir()
    writeEvidence(dir, completeSet(new Date(Date.now() - 3 * 86_400_000).toISOString()))
    const blocking = (args: string[]): string[] => {
      const r = oigctl(['gate', '--evidence', dir, ...args, '--json'])
      return json<GateDecision>(r).blocking.map((b) => b.id)
    }
    expect(blocking(['--max-age', '2d'])).toEqual(['evidence-fresh'])
    expect(blocking(['--max-age-days', '2'])).toEqual(['evidence-fresh'])
    expect(blocking(['--max-age', '96h'])).toEqual([])
  })

  it('soak takes --retry-interval 20s as the old --retry-interval-s 20 (same schedule check)', () => {
    for (const args of [
      ['--retry-interval', '20s'],
      ['--retry-interval-s', '20'],
    ]) {
      const r = oigctl(['soak', '--scenario', 'flapping', ...args, '--out', tempDir()])
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toMatch(/flapping needs a retry interval/)
    }
  })
})

/** Milliseconds until a silent BOX connection to `port` is closed by the server. */
function silentFor(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = Date.now()
    const socket = net.connect(port, '127.0.0.1')
    socket.on('error', reject)
    socket.on('close', () => resolve(Date.now() - start))
    setTimeout(() => {
      socket.destroy()
      reject(new Error('not closed within 10 s'))
    }, 10_000).unref()
  })
}

describe('simulate --connection-age (issue 14 item 3)', () => {
  it('--connection-age 30m writes the same DB as the old --connection-minutes 30, another than without', () => {
    const dir = tempDir()
    const sha = (args: string[], name: string): string => {
      const out = join(dir, name)
      const r = oigctl(['simulate', '--out', out, '--sessions', '20', '--seed', '3', ...args])
      expect(r.code, r.stderr).toBe(0)
      return createHash('sha256').update(readFileSync(out)).digest('hex')
    }
    const age = sha(['--connection-age', '30m'], 'age.db')
    expect(sha(['--connection-minutes', '30'], 'minutes.db')).toBe(age)
    expect(sha([], 'none.db')).not.toBe(age)
  })
})

describe('the idle timeout in the new and the old spelling (issue 14 item 3)', () => {
  it.each([
    ['mock', ['--idle-timeout', '300ms']],
    ['mock', ['--idle-timeout-s', '0.3']],
    ['proxy', ['--mode', 'offline', '--idle-timeout', '300ms']],
    ['proxy', ['--mode', 'offline', '--idle-timeout-s', '0.3']],
  ] as const)('serve %s %j closes a silent connection after 300 ms', async (target, args) => {
    const server = await serveCli(target, args)
    const ms = await silentFor(server.port)
    expect(ms).toBeGreaterThanOrEqual(250)
    expect(ms).toBeLessThan(10_000)
    server.child.kill('SIGTERM')
    expect((await server.exit).code).toBe(143)
  })
})
