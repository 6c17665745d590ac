/**
 * Runs the built CLI with its stderr on a real pseudo-terminal (python3's pty module, through
 * test/helpers/pty-run.py) and its stdout in a file, as a user's terminal would see them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { BIN, REPO_ROOT } from './cli.js'

const PTY_RUN = join(REPO_ROOT, 'test', 'helpers', 'pty-run.py')

export interface PtyResult {
  readonly code: number
  /** The command's stdout (a file, not the terminal). */
  readonly stdout: string
  /** Every byte the terminal got (the command's stderr), escape sequences included. */
  readonly tty: string
}

export interface PtyOptions {
  readonly env?: NodeJS.ProcessEnv
  readonly columns?: number
  readonly cwd?: string
}

function stdoutFile(): { file: string; done: () => string } {
  const dir = mkdtempSync(join(tmpdir(), 'oigctl-pty-'))
  const file = join(dir, 'stdout')
  return {
    file,
    done: () => {
      const text = readFileSync(file, 'utf8')
      rmSync(dir, { recursive: true, force: true })
      return text
    },
  }
}

function ptyArgs(args: readonly string[], columns: number, file: string): string[] {
  return [PTY_RUN, String(columns), file, '--', process.execPath, BIN, ...args]
}

function ptyEnv(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', ...env }
}

/** Runs `oigctl args` to the end with stderr on a terminal `columns` wide (default 100). */
export function oigctlOnPty(args: readonly string[], options: PtyOptions = {}): PtyResult {
  const out = stdoutFile()
  const r = spawnSync('python3', ptyArgs(args, options.columns ?? 100, out.file), {
    cwd: options.cwd ?? REPO_ROOT,
    env: ptyEnv(options.env),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (r.error) throw r.error
  if (r.stderr) throw new Error(`pty-run.py failed: ${r.stderr}`)
  return { code: r.status ?? -1, stdout: out.done(), tty: r.stdout }
}

export interface RunningOnPty {
  readonly child: ChildProcess
  /** The terminal's bytes so far. */
  tty(): string
  /** Resolves with the first match of `re` in the terminal's bytes (rejects after `ms`). */
  waitFor(re: RegExp, ms?: number): Promise<RegExpMatchArray>
  /** Sends SIGINT (Ctrl-C) and resolves with the result once the command exited. */
  interrupt(): Promise<PtyResult>
}

/** Starts `oigctl args` with stderr on a terminal; killed when the test ends. */
export function startOnPty(args: readonly string[], options: PtyOptions = {}): RunningOnPty {
  const out = stdoutFile()
  const child = spawn('python3', ptyArgs(args, options.columns ?? 100, out.file), {
    cwd: options.cwd ?? REPO_ROOT,
    env: ptyEnv(options.env),
  })
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  let tty = ''
  child.stdout!.on('data', (d: Buffer) => (tty += d.toString('utf8')))
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)))
  return {
    child,
    tty: () => tty,
    async waitFor(re, ms = 10_000) {
      const deadline = Date.now() + ms
      for (;;) {
        const m = re.exec(tty)
        if (m) return m
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`no ${String(re)} on the terminal within ${ms} ms; got:\n${tty}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    },
    async interrupt() {
      child.kill('SIGINT')
      const code = await exited
      return { code, stdout: out.done(), tty }
    },
  }
}

/** The line a terminal shows last: the text after the last carriage return or newline. */
export function visibleTail(tty: string): string {
  return tty.split(/\r|\n/).at(-1) ?? ''
}
