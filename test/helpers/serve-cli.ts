/** Runs `oigctl serve mock|proxy` (the built CLI) on free loopback ports until it listens. */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { expect, onTestFinished } from 'vitest'
import { BIN, REPO_ROOT } from './cli.js'

export interface RunningServe {
  readonly child: ChildProcess
  readonly port: number
  readonly controlPort: number | null
  readonly exit: Promise<{ code: number | null; stdout: string; stderr: string }>
}

const LISTENING = {
  mock: /^listening mock 127\.0\.0\.1:(\d+) control (?:127\.0\.0\.1:(\d+)|off)$/m,
  proxy: /^listening proxy 127\.0\.0\.1:(\d+) control (?:127\.0\.0\.1:(\d+)|off)$/m,
} as const

/**
 * Spawns `oigctl serve mock --port 0 --control-port 0 …` or `oigctl serve proxy --listen
 * 127.0.0.1:0 --control-port 0 …` and waits for its listening line; killed when the test ends.
 */
export async function serveCli(
  target: 'mock' | 'proxy',
  args: readonly string[] = [],
): Promise<RunningServe> {
  const listen = ['--listen', '127.0.0.1:0']
  const child = spawn(
    process.execPath,
    [BIN, 'serve', target, ...listen, '--control-port', '0', ...args],
    { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' } },
  )
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exit = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  )
  const pattern = LISTENING[target]
  await expect
    .poll(() => pattern.test(stderr) || child.exitCode !== null, { timeout: 10_000 })
    .toBe(true)
  const m = pattern.exec(stderr)
  if (!m) throw new Error(`serve ${target} did not start: ${stderr}`)
  return { child, port: Number(m[1]), controlPort: m[2] ? Number(m[2]) : null, exit }
}

/** Peak resident memory of a running process in MiB (VmHWM), null when it cannot be read. */
export function peakRssMiB(pid: number | undefined): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]
    return kb === undefined ? null : Math.round(Number(kb) / 102.4) / 10
  } catch {
    return null
  }
}
