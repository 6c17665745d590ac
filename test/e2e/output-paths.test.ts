/**
 * Output paths fail fast and say why (issue 12 item 5), over the built CLI: every --out, --junit,
 * --log and --capture is checked before any work; exit 2 within a second with a plain reason; no
 * "internal error", no internal temp-file name, no partial result, no folder left behind.
 * Inputs are SYNTHETIC captures from `oigctl simulate`.
 */
import { spawn, spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, oigctl, REPO_ROOT, type CliResult } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'
import { canMount, IS_ROOT, readOnlyFs, smallFs } from '../helpers/storage.js'
import { fixtureAddresses } from '../helpers/fixtures.js'

/** Runs the CLI (as `uid` when given) and times it; a hang fails at 10 s. */
function timed(args: readonly string[], uid?: number): CliResult & { ms: number } {
  const t0 = performance.now()
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 10_000,
    ...(uid === undefined ? {} : { uid, gid: uid }),
  })
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    ms: Math.round(performance.now() - t0),
  }
}

function expectPlainRefusal(r: CliResult & { ms: number }, reason: RegExp): void {
  expect(r.code, r.stderr).toBe(2)
  // A second on an idle machine (process start included); the bound leaves room for a loaded CI
  // and still fails a command that starts working (or spins, as extract --out /proc/… did).
  expect(r.ms).toBeLessThan(3000)
  expect(r.stderr).toMatch(reason)
  expect(r.stderr).not.toMatch(/internal error|\.oigctl-tmp-|\.tmp-\d+|E[A-Z]{3,}:|at .*\.js:\d+/)
  expect(r.stdout).toBe('')
}

let sim: string
let fixture: string

let inputs: string
beforeAll(() => {
  const dir = (inputs = mkdtempSync(join(tmpdir(), 'oigctl-outputs-')))
  chmodSync(dir, 0o755)
  sim = join(dir, 'sim.db')
  expect(oigctl(['simulate', '--out', sim, '--rows', '20000', '--quiet']).code).toBe(0)
  chmodSync(sim, 0o644)
  const ev = join(dir, 'ev')
  expect(oigctl(['extract', '--db', sim, '--out', ev, '--select', 'setting', '--quiet']).code).toBe(
    0,
  )
  fixture = fixtureAddresses(ev)[0]!
}, 60_000)
afterAll(() => rmSync(inputs, { recursive: true, force: true }))

describe('output paths are checked before any work (built CLI)', () => {
  it('extract --out /proc/… exits 2 at once: "cannot be created" (it used to spin)', () => {
    const r = timed(['extract', '--db', sim, '--out', '/proc/oigctl-out'])
    expectPlainRefusal(
      r,
      /^Failed to use output folder \/proc\/oigctl-out: \/proc\/oigctl-out cannot be created\.$/m,
    )
  })

  it('refuses an --out under a file: "not a folder"', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'file'), 'x')
    const r = timed(['extract', '--db', sim, '--out', join(dir, 'file', 'out')])
    expectPlainRefusal(r, /is a file, not a folder\.$/m)
    expect(readdirSync(dir)).toEqual(['file'])
  })

  it.each([
    ['compare', (bad: string, out: string) => ['compare', '--session', fixture, '--targets', 'mock', '--out', out, '--junit', bad]],
    ['gate', (bad: string, out: string) => ['gate', '--evidence', out, '--junit', bad]],
  ])('%s --junit on a path that cannot be created exits 2 and writes nothing', (name, argv) => {
    const dir = tempDir()
    const out = join(dir, 'evidence')
    if (name === 'gate') mkdirSync(out)
    const r = timed(argv('/proc/oigctl-missing/dir/x.xml', out))
    expectPlainRefusal(r, /^Failed to use --junit \/proc\/oigctl-missing\/dir\/x\.xml: \/proc\/oigctl-missing cannot be created\.$/m)
    // No compare.json, no replays, no gate.json: and compare's --out folder is not even created.
    expect(readdirSync(dir)).toEqual(name === 'gate' ? ['evidence'] : [])
    if (name === 'gate') expect(readdirSync(out)).toEqual([])
  }) // prettier-ignore

  it.each([
    ['serve mock --log', ['serve', 'mock', '--port', '0', '--control-port', '0', '--log', 'BAD']],
    ['serve proxy --log', ['serve', 'proxy', '--mode', 'offline', '--listen', '127.0.0.1:0', '--control-port', '0', '--log', 'BAD']],
    ['serve proxy --capture', ['serve', 'proxy', '--mode', 'offline', '--listen', '127.0.0.1:0', '--control-port', '0', '--capture', 'BAD']],
    ['contract derive --out', ['contract', 'derive', '--db', 'SIM', '--out', 'BAD']],
    ['report --out', ['report', '--evidence', 'DIR', '--out', 'BAD']],
    ['simulate --out', ['simulate', '--out', 'BAD', '--rows', '10']],
  ])('%s on a path that cannot be created exits 2 before starting', (_n, template) => {
    const dir = tempDir()
    const args = template.map((a) => (a === 'BAD' ? '/proc/oigctl-x/f' : a === 'SIM' ? sim : a === 'DIR' ? dir : a))
    const r = timed(args)
    expectPlainRefusal(r, /: \/proc\/oigctl-x cannot be created\.$/m)
    expect(r.stderr).not.toMatch(/listening/)
  }) // prettier-ignore

  it('says "no permission" for a folder the user may not write to', () => {
    const dir = tempDir()
    chmodSync(dir, 0o755)
    const locked = join(dir, 'locked')
    mkdirSync(locked, { mode: 0o555 })
    chmodSync(locked, 0o555)
    // Root may write anywhere: run the CLI as nobody then.
    const r = timed(
      ['extract', '--db', sim, '--out', join(locked, 'out')],
      IS_ROOT ? 65534 : undefined,
    )
    expectPlainRefusal(r, /^Failed to use output folder .*locked\/out: no permission\.$/m)
    expect(readdirSync(locked)).toEqual([])
  })
})

describe('read-only and full storage (a tmpfs mounted by the test; needs root)', () => {
  it.runIf(IS_ROOT)('says "read-only file system" for --out on read-only storage', () => {
    const dir = tempDir()
    expect(canMount(join(dir, 'probe'))).toBe(true)
    readOnlyFs(join(dir, 'ro'))
    const r = timed(['extract', '--db', sim, '--out', join(dir, 'ro', 'out')])
    expectPlainRefusal(r, /^Failed to use output folder .*ro\/out: read-only file system\.$/m)
    const c = timed(['compare', '--session', fixture, '--targets', 'mock', '--out', join(dir, 'ev'), '--junit', join(dir, 'ro', 'x.xml')])
    expectPlainRefusal(c, /^Failed to use --junit .*ro\/x\.xml: read-only file system\.$/m)
    expect(existsSync(join(dir, 'ev'))).toBe(false)
  }) // prettier-ignore

  it.runIf(IS_ROOT)('says "disk full" for --out on a full disk, before any work', () => {
    const dir = tempDir()
    smallFs(join(dir, 'full'), 64, true)
    const r = timed(['extract', '--db', sim, '--out', join(dir, 'full', 'out')])
    expectPlainRefusal(r, /^Failed to use output folder .*full\/out: disk full\.$/m)
    expect(readdirSync(join(dir, 'full'))).toEqual(['filler'])
  })

  it.runIf(IS_ROOT)(
    'says "disk full" when the disk fills up mid-run and leaves no partial result',
    () => {
      const dir = tempDir()
      smallFs(join(dir, 'small'), 256)
      const r = timed(['extract', '--db', sim, '--out', join(dir, 'small', 'out')])
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toMatch(
        /^Failed to write .*small\/out\/sessions\/.*\.sessions\.ndjson: disk full\.$/m,
      )
      expect(r.stderr).not.toMatch(/internal error|\.oigctl-tmp-/)
      expect(readdirSync(join(dir, 'small'))).toEqual([])
    },
  )
})

describe('stdout closed early (built CLI)', () => {
  it('extract --json | head -c 100: no EPIPE stack, exit 141 (not 1), the output folder complete', async () => {
    const dir = tempDir()
    const out = join(dir, 'out')
    const child = spawn(process.execPath, [BIN, 'extract', '--db', sim, '--out', out, '--json'], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) =>
      child.on('close', (code) => resolve(code)),
    )
    // Like head -c 100: take the first bytes, then close the pipe.
    const head = await new Promise<string>((resolve) =>
      child.stdout.once('data', (d: Buffer) => resolve(d.subarray(0, 100).toString())),
    )
    child.stdout.destroy()
    const code = await exited
    expect(head).toMatch(/^\{\n {2}"kind": "extract-result"/)
    expect(code).toBe(141)
    expect(stderr).not.toMatch(/EPIPE|Error|at .*\.js:\d+/)
    expect(readdirSync(out).sort()).toEqual(['extract-result.json', 'sessions'])
  })
})
