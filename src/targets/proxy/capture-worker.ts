/**
 * The proxy's capture thread (started by capture-thread.ts): opens the capture DB and writes the
 * rows the proxy posts, so that SQLite's writes and WAL checkpoints never stop the proxy's event
 * loop. Messages in: `{ rows }`, `{ close: true }`; out: `ready`, `open-failed`, `error`, `closed`.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { CaptureWriter, type CaptureRecord } from '../../capture/capture-writer.js'
import { OigError, reasonOf } from '../../errors.js'

/** A batch of rows: their fields, and all their bytes back to back in one transferred buffer. */
export interface RowBatch {
  readonly rows: ReadonlyArray<Omit<CaptureRecord, 'bytes'> & { readonly length: number }>
  readonly bytes: Uint8Array
}
export type ToCaptureThread = RowBatch | { readonly close: true }
export type FromCaptureThread =
  | { readonly type: 'ready' }
  | { readonly type: 'open-failed'; readonly message: string; readonly hint: string | null }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'closed' }

const port = parentPort!
const post = (m: FromCaptureThread): void => port.postMessage(m)
let writer: CaptureWriter | null = null
try {
  writer = CaptureWriter.open((workerData as { file: string }).file, (message) =>
    post({ type: 'error', message }),
  )
  post({ type: 'ready' })
} catch (error) {
  const hint = error instanceof OigError ? (error.hint ?? null) : null
  post({ type: 'open-failed', message: reasonOf(error), hint })
  port.close()
}
port.on('message', (m: ToCaptureThread) => {
  if (writer === null) return
  if ('rows' in m) {
    let at = 0
    for (const { length, ...row } of m.rows) {
      writer.record({ ...row, bytes: m.bytes.subarray(at, at + length) })
      at += length
    }
    return
  }
  writer.close()
  writer = null
  post({ type: 'closed' })
  port.close()
})
