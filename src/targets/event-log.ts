/** The structured event log of a target server: one JSON object per line, to a file or a stream. */
import fs from 'node:fs'
import { OigError } from '../errors.js'
import { fsReason } from '../evidence/fs-reason.js'
import type { ServeEvent } from '../evidence/schemas/serve-events.js'

export interface EventLog {
  write(event: ServeEvent): void
  /** Flushes and closes a file log (a stream given by the caller stays open). */
  close(): Promise<void>
}

/** Buffered bytes past which the lines are written at once rather than at the end of the turn. */
const FLUSH_BYTES = 64 * 1024

/**
 * Collects the lines of one event-loop turn and hands them to `sink` as one write (once per turn,
 * or sooner past FLUSH_BYTES): a busy server makes one write per turn, not one per event.
 */
function batched(sink: (text: string) => void): { add(line: string): void; flush(): void } {
  let lines: string[] = []
  let bytes = 0
  let scheduled: NodeJS.Immediate | null = null
  const flush = (): void => {
    if (scheduled) clearImmediate(scheduled)
    scheduled = null
    if (lines.length === 0) return
    const text = lines.join('')
    lines = []
    bytes = 0
    sink(text)
  }
  return {
    add: (line) => {
      lines.push(line)
      bytes += line.length
      if (bytes >= FLUSH_BYTES) flush()
      else scheduled ??= setImmediate(flush)
    },
    flush,
  }
}

/** A log that drops every event (no `--log`). */
export const NO_EVENT_LOG: EventLog = { write: () => undefined, close: async () => undefined }

/**
 * Opens the event log: `-` is `stdout`, anything else a file appended to (opened now, so a bad
 * path is a "could not run" error before the server starts). The lines of one event-loop turn are
 * written together. Write errors never stop the server: the first one is reported through
 * `onError` and later events are dropped.
 */
export function openEventLog(
  target: string,
  stdout: NodeJS.WritableStream,
  onError: (message: string) => void,
): EventLog {
  let failed = false
  const fail = (error: unknown): void => {
    if (failed) return
    failed = true
    onError(`Failed to write the event log ${target}: ${fsReason(error)}; logging stopped.`)
  }
  if (target === '-') {
    stdout.on('error', fail)
    const out = batched((text) => {
      if (!failed) stdout.write(text)
    })
    return {
      write: (event) => {
        if (!failed) out.add(`${JSON.stringify(event)}\n`)
      },
      close: async () => {
        out.flush()
        stdout.off('error', fail)
      },
    }
  }
  let fd: number
  try {
    fd = fs.openSync(target, 'a')
  } catch (error) {
    throw new OigError(
      'LOG_UNWRITABLE',
      `Failed to open event log ${target}: ${fsReason(error)}.`,
      {
        hint: 'Pass --log with a writable file, or - for stdout.',
        cause: error,
      },
    )
  }
  // Writes go through the stream's thread-pool writes: the event loop never waits for the disk.
  const stream = fs.createWriteStream('', { fd })
  stream.on('error', fail)
  const out = batched((text) => {
    if (!failed) stream.write(text)
  })
  return {
    write: (event) => {
      if (!failed) out.add(`${JSON.stringify(event)}\n`)
    },
    close: () =>
      new Promise<void>((resolve) => {
        out.flush()
        // 'close' also follows a write error (autoClose), where 'finish' would never come.
        if (stream.closed) resolve()
        else stream.once('close', () => resolve()).end()
      }),
  }
}
