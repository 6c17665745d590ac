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

/** A log that drops every event (no `--log`). */
export const NO_EVENT_LOG: EventLog = { write: () => undefined, close: async () => undefined }

/**
 * Opens the event log: `-` is `stdout`, anything else a file appended to (opened now, so a bad
 * path is a "could not run" error before the server starts). Write errors never stop the server:
 * the first one is reported through `onError` and later events are dropped.
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
    return {
      write: (event) => {
        if (!failed) stdout.write(`${JSON.stringify(event)}\n`)
      },
      close: async () => {
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
  const stream = fs.createWriteStream('', { fd })
  stream.on('error', fail)
  return {
    write: (event) => {
      if (!failed) stream.write(`${JSON.stringify(event)}\n`)
    },
    close: () =>
      new Promise<void>((resolve) => {
        // 'close' also follows a write error (autoClose), where 'finish' would never come.
        if (stream.closed) resolve()
        else stream.once('close', () => resolve()).end()
      }),
  }
}
