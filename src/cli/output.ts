/** The output layer: one JSON document on stdout under --json, human text otherwise; logs on stderr. */
import { Chalk, type ChalkInstance } from 'chalk'
import { batchChunks, formatJsonChunks } from '../evidence/json-format.js'

export interface OutputStreams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean }
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean }
}

export interface OutputOptions {
  readonly json: boolean
  readonly quiet: boolean
  /** `false` forces colour off (--no-color). */
  readonly color: boolean
}

/** Colour only on a TTY, and never under NO_COLOR (https://no-color.org) or --no-color. */
export function colorEnabled(
  stream: { isTTY?: boolean },
  env: NodeJS.ProcessEnv,
  requested: boolean,
): boolean {
  if (!requested) return false
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  return stream.isTTY === true
}

/** Off a TTY, one progress line per this many ms (OIGCTL_PROGRESS_INTERVAL_MS overrides it). */
export const PROGRESS_LOG_INTERVAL_MS = 5_000

export class Output {
  readonly chalk: ChalkInstance
  readonly json: boolean
  private readonly quiet: boolean
  private progressShown = false
  private progressSince: number | null = null
  private progressLogged: number | null = null
  private readonly progressIntervalMs: number
  /** True once the result document (or its text) was written to stdout. */
  resultWritten = false

  constructor(
    private readonly streams: OutputStreams,
    options: OutputOptions,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.json = options.json
    this.quiet = options.quiet
    const interval = Number(env.OIGCTL_PROGRESS_INTERVAL_MS)
    this.progressIntervalMs = interval > 0 ? interval : PROGRESS_LOG_INTERVAL_MS
    this.chalk = new Chalk({ level: colorEnabled(streams.stdout, env, options.color) ? 2 : 0 })
  }

  /** Prints the command's result: the document itself under --json, else its rendering. */
  result<T extends { kind: string; schemaVersion: number }>(
    doc: T,
    render: (doc: T, chalk: ChalkInstance) => string,
  ): void {
    this.endProgress()
    this.resultWritten = true
    if (this.json)
      for (const part of batchChunks(formatJsonChunks(doc))) this.streams.stdout.write(part)
    else this.streams.stdout.write(`${render(doc, this.chalk)}\n`)
  }

  /**
   * Progress on stderr (silent under --json and --quiet): on a TTY one line rewritten in place;
   * off a TTY (a CI log) one plain line every PROGRESS_LOG_INTERVAL_MS, the first only once the
   * work has run that long, so short commands print none.
   */
  progress(text: string): void {
    if (this.quiet) return
    if (this.streams.stderr.isTTY === true) {
      if (this.json) return
      this.streams.stderr.write(`\r\x1b[2K${text}`)
      this.progressShown = true
      return
    }
    const now = Date.now()
    this.progressSince ??= now
    if (now - (this.progressLogged ?? this.progressSince) < this.progressIntervalMs) return
    this.progressLogged = now
    this.streams.stderr.write(`progress: ${text}\n`)
  }

  endProgress(): void {
    if (this.progressShown) this.streams.stderr.write('\r\x1b[2K')
    this.progressShown = false
  }

  /** An informational line on stderr (silent under --quiet). */
  info(text: string): void {
    if (this.quiet) return
    this.endProgress()
    this.streams.stderr.write(`${text}\n`)
  }

  /** A warning on stderr: shown under --quiet and --json too (it changes what the result means). */
  warn(text: string): void {
    this.endProgress()
    this.streams.stderr.write(`${text}\n`)
  }

  /** An error report on stderr (always shown). */
  error(text: string): void {
    this.endProgress()
    this.streams.stderr.write(`${text}\n`)
  }
}
