/** The output layer: one JSON document on stdout under --json, human text otherwise; logs on stderr. */
import { Chalk, type ChalkInstance } from 'chalk'
import { registerCleanup } from '../evidence/interrupt-cleanup.js'
import { batchChunks, formatJsonChunks } from '../evidence/json-format.js'
import type { ProgressTick } from '../progress.js'

export interface OutputStreams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean }
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
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
/** On a TTY the progress line is redrawn at most this often. */
export const PROGRESS_REDRAW_MS = 100
/** An ETA is shown once a task has run this long (a rate from the first milliseconds is noise). */
const ETA_AFTER_MS = 1_000
const BAR_WIDTH = 20
const CLEAR_LINE = '\r\x1b[2K'

/** A remaining time for a progress line: `45 s`, `3 min 05 s`, `2 h 10 min`. */
export function etaText(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, '0')} min`
}

/** The text of a progress line: `extract: 120,000/1,000,000 rows (12%), ETA 40 s · big.db`. */
export function formatProgress(tick: ProgressTick, etaMs: number | null, bar = false): string {
  const n = (x: number): string => Math.floor(x).toLocaleString('en')
  const detail = tick.detail ? ` · ${tick.detail}` : ''
  if (tick.total === null || tick.total <= 0)
    return `${tick.task}: ${n(tick.done)} ${tick.unit}${detail}`
  const share = Math.min(1, Math.max(0, tick.done / tick.total))
  const filled = Math.round(share * BAR_WIDTH)
  const shown = bar ? `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ` : ''
  const eta = etaMs === null ? '' : `, ETA ${etaText(etaMs)}`
  return `${tick.task}: ${shown}${n(Math.min(tick.done, tick.total))}/${n(tick.total)} ${tick.unit} (${Math.floor(share * 100)}%)${eta}${detail}`
}

export class Output {
  readonly chalk: ChalkInstance
  readonly json: boolean
  private readonly quiet: boolean
  private progressShown = false
  private progressSince: number | null = null
  private progressLogged: number | null = null
  private readonly progressIntervalMs: number
  /** Per task: when and at what count its first tick came (the ETA's baseline). */
  private readonly tasks = new Map<string, { readonly at: number; readonly done: number }>()
  private lastDraw = -Infinity
  private pendingDraw: NodeJS.Timeout | null = null
  private pendingLine = ''
  private unregisterClear: (() => void) | null = null
  /** True once the result document (or its text) was written to stdout. */
  resultWritten = false
  /** Live lines (serve's frame lines) are wanted: stderr is a terminal and not --quiet. */
  get liveLines(): boolean {
    return this.streams.stderr.isTTY === true && !this.quiet
  }
  /** progress() as the domain's callback. */
  readonly onProgress = (tick: ProgressTick): void => this.progress(tick)

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
   * Progress on stderr, never on stdout (so also under --json; silent under --quiet). On a TTY
   * one line with a bar, counts, % and an ETA, redrawn in place at most every PROGRESS_REDRAW_MS
   * and cleared before anything else is written. Off a TTY (a CI log) one plain `progress: …`
   * line every PROGRESS_LOG_INTERVAL_MS, the first only once the work has run that long, so
   * short commands print none.
   */
  progress(tick: ProgressTick | string): void {
    if (this.quiet) return
    const now = Date.now()
    const tty = this.streams.stderr.isTTY === true
    const text = typeof tick === 'string' ? tick : formatProgress(tick, this.eta(tick, now), tty)
    if (tty) return this.draw(text, now)
    this.progressSince ??= now
    if (now - (this.progressLogged ?? this.progressSince) < this.progressIntervalMs) return
    this.progressLogged = now
    this.streams.stderr.write(`progress: ${text}\n`)
  }

  /** Remaining time from the task's rate since its first tick; null until that means anything. */
  private eta(tick: ProgressTick, now: number): number | null {
    const base = this.tasks.get(tick.task)
    if (!base) {
      this.tasks.set(tick.task, { at: now, done: tick.done })
      return null
    }
    const ran = now - base.at
    const gained = tick.done - base.done
    if (tick.total === null || ran < ETA_AFTER_MS || gained <= 0) return null
    return (Math.max(0, tick.total - tick.done) * ran) / gained
  }

  /** Redraws the TTY line, or keeps it for a redraw once PROGRESS_REDRAW_MS has passed. */
  private draw(text: string, now: number): void {
    const width = this.streams.stderr.columns ?? 80
    this.pendingLine = text.length >= width ? `${text.slice(0, Math.max(1, width - 2))}…` : text
    const wait = this.lastDraw + PROGRESS_REDRAW_MS - now
    if (wait > 0) {
      this.pendingDraw ??= setTimeout(() => {
        this.pendingDraw = null
        this.draw(this.pendingLine, Date.now())
      }, wait).unref()
      return
    }
    this.lastDraw = now
    this.streams.stderr.write(`${CLEAR_LINE}${this.pendingLine}`)
    if (!this.progressShown) {
      this.progressShown = true
      // Ctrl-C while the line is shown: clear it before the "Interrupted" line.
      this.unregisterClear = registerCleanup(() => this.streams.stderr.write(CLEAR_LINE))
    }
  }

  endProgress(): void {
    if (this.pendingDraw) clearTimeout(this.pendingDraw)
    this.pendingDraw = null
    if (this.progressShown) this.streams.stderr.write(CLEAR_LINE)
    this.progressShown = false
    this.unregisterClear?.()
    this.unregisterClear = null
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
