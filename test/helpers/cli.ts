/** Runs the real CLI binary (`node bin/oigctl.js`, built into dist/) as a child process. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BIN = join(REPO_ROOT, 'bin', 'oigctl.js')

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** The environment oigctl runs in under the tests. */
const cliEnv = (env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  ...process.env,
  NO_COLOR: '1',
  // No timed progress lines off a TTY unless a test asks for them (OIGCTL_PROGRESS_INTERVAL_MS).
  OIGCTL_PROGRESS_INTERVAL_MS: '3600000',
  ...env,
})

/** Spawns oigctl with NO_COLOR=1 in `cwd` (default: the repo) and returns its output. */
export function oigctl(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: cliEnv(options.env),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
  if (r.error) throw r.error
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

/** Parses stdout as exactly one JSON document. */
export function json<T = Record<string, unknown>>(r: CliResult): T {
  return JSON.parse(r.stdout) as T
}

/** Starts oigctl like {@link oigctl} without waiting: `done` gets its output when it exits. */
export function startOigctl(
  args: readonly string[],
  done: (r: CliResult | Error) => void,
): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (b: Buffer) => out.push(b))
  child.stderr.on('data', (b: Buffer) => err.push(b))
  child.on('error', done)
  child.on('close', (code, signal) =>
    done({
      code: code ?? (signal ? -1 : 0),
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
    }),
  )
  return child
}
