/** Runs the real CLI binary (`node bin/oigctl.js`, built into dist/) as a child process. */
import { spawnSync } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BIN = join(REPO_ROOT, 'bin', 'oigctl.js')

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Spawns oigctl with NO_COLOR=1 in `cwd` (default: the repo) and returns its output. */
export function oigctl(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    // No timed progress lines off a TTY unless a test asks for them (OIGCTL_PROGRESS_INTERVAL_MS).
    env: { ...process.env, NO_COLOR: '1', OIGCTL_PROGRESS_INTERVAL_MS: '3600000', ...options.env },
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
