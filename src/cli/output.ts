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

export class Output {
  readonly chalk: ChalkInstance
  readonly json: boolean
  private readonly quiet: boolean
  private progressShown = false
  /** True once the result document (or its text) was written to stdout. */
  resultWritten = false

  constructor(
    private readonly streams: OutputStreams,
    options: OutputOptions,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.json = options.json
    this.quiet = options.quiet
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

  /** A progress line on stderr (TTY only; silent under --json and --quiet). */
  progress(text: string): void {
    if (this.json || this.quiet || this.streams.stderr.isTTY !== true) return
    this.streams.stderr.write(`\r\x1b[2K${text}`)
    this.progressShown = true
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
