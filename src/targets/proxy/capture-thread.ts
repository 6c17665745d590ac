/**
 * Where the proxy's capture rows go: a worker thread that owns the capture DB (capture-worker.ts),
 * so that the proxy never waits for the disk; the rows of one event-loop turn travel as one
 * message. Run from the TypeScript sources (the tests), where no built worker sits beside this
 * file, the rows are written on this thread by the same CaptureWriter.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { CaptureWriter, type CaptureRecord } from '../../capture/capture-writer.js'
import { OigError } from '../../errors.js'
import type { FromCaptureThread, RowBatch, ToCaptureThread } from './capture-worker.js'

export interface CaptureSink {
  readonly file: string
  /** True when a worker thread writes the rows. */
  readonly background: boolean
  /** Queues one row (dropped after a write error, reported once through onError). */
  record(row: CaptureRecord): void
  /** Writes every queued row, checkpoints and closes the DB. */
  close(): Promise<void>
}

const WORKER = new URL('./capture-worker.js', import.meta.url)

/** Opens `file` for recording; rejects with OigError('CAPTURE_UNWRITABLE') when it cannot. */
export async function openCapture(
  file: string,
  onError: (message: string) => void,
): Promise<CaptureSink> {
  if (!existsSync(fileURLToPath(WORKER))) return inThread(CaptureWriter.open(file, onError))
  const worker = new Worker(WORKER, { workerData: { file } })
  let failed = false
  const fail = (message: string): void => {
    if (failed) return
    failed = true
    onError(message)
  }
  let closed: (() => void) | null = null
  let exited = false
  const opened = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: FromCaptureThread) => {
      if (m.type === 'ready') resolve()
      else if (m.type === 'open-failed')
        reject(
          new OigError('CAPTURE_UNWRITABLE', m.message, m.hint === null ? {} : { hint: m.hint }),
        )
      else if (m.type === 'error') fail(m.message)
      else closed?.()
    })
    worker.on('error', (error) => {
      reject(error)
      fail(`Failed to write capture DB ${file}: the capture thread stopped (${error.message}).`)
      closed?.()
    })
    worker.on('exit', () => {
      exited = true
      reject(new Error('the capture thread exited before it opened the DB'))
      closed?.()
    })
  })
  await opened
  let rows: CaptureRecord[] = []
  let scheduled: NodeJS.Immediate | null = null
  const send = (): void => {
    scheduled = null
    if (rows.length === 0) return
    const batch = rows
    rows = []
    // One buffer of its own (no pooled slab): transferred, not copied, to the thread.
    const bytes = new Uint8Array(batch.reduce((n, r) => n + r.bytes.length, 0))
    let at = 0
    for (const r of batch) {
      bytes.set(r.bytes, at)
      at += r.bytes.length
    }
    const message: RowBatch = {
      rows: batch.map(({ bytes: b, ...row }) => ({ ...row, length: b.length })),
      bytes,
    }
    worker.postMessage(message, [bytes.buffer])
  }
  let closing: Promise<void> | null = null
  return {
    file,
    background: true,
    record: (row) => {
      if (failed || closing) return
      rows.push(row)
      scheduled ??= setImmediate(send)
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        if (scheduled) clearImmediate(scheduled)
        if (exited) return resolve()
        send()
        closed = resolve
        worker.postMessage({ close: true } satisfies ToCaptureThread)
      })),
  }
}

function inThread(writer: CaptureWriter): CaptureSink {
  return {
    file: writer.file,
    background: false,
    record: (row) => writer.record(row),
    close: async () => writer.close(),
  }
}
