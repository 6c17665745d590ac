/**
 * Worker thread of `writeSyntheticDb`: runs the model and posts packed row chunks, so that frame
 * building (the CPU-heavy part) overlaps the SQLite inserts on the main thread. At most
 * MAX_CHUNKS_IN_FLIGHT chunks wait for the writer (back-pressure through a shared counter).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { generateSyntheticRows, type SyntheticOptions } from './model.js'
import { FIELD_SEPARATOR, packRow } from './row-pack.js'
import { RowTally, type TallyResult } from './row-tally.js'

export interface GenerateWorkerData {
  readonly options: SyntheticOptions
  readonly verify: boolean
  /** Int32Array over it: [0] = chunks acknowledged by the writer. */
  readonly acked: SharedArrayBuffer
}

export type GenerateWorkerMessage =
  | { readonly type: 'chunk'; readonly rows: number; readonly data: string }
  | { readonly type: 'done'; readonly tally: TallyResult }

export const CHUNK_ROWS = 5000
export const MAX_CHUNKS_IN_FLIGHT = 8

function main(port: NonNullable<typeof parentPort>, data: GenerateWorkerData): void {
  const acked = new Int32Array(data.acked)
  const tally = new RowTally(data.verify)
  let sent = 0
  let parts: string[] = []
  let rows = 0
  const post = (): void => {
    for (;;) {
      const seen = Atomics.load(acked, 0)
      if (sent - seen < MAX_CHUNKS_IN_FLIGHT) break
      Atomics.wait(acked, 0, seen, 1000)
    }
    const message: GenerateWorkerMessage = { type: 'chunk', rows, data: parts.join(FIELD_SEPARATOR) }
    port.postMessage(message)
    sent++
    parts = []
    rows = 0
  }
  for (const row of generateSyntheticRows(data.options)) {
    tally.add(row)
    packRow(row, parts)
    if (++rows === CHUNK_ROWS) post()
  }
  if (rows > 0) post()
  const done: GenerateWorkerMessage = { type: 'done', tally: tally.result() }
  port.postMessage(done)
}

if (parentPort !== null) main(parentPort, workerData as GenerateWorkerData)
