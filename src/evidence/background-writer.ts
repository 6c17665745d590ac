/**
 * Writes files on a worker thread, so that a million-frame extract formats fixtures on the main
 * thread while the other core does the disk writes. Back-pressure by bytes in flight keeps memory
 * bounded. The worker is a few lines of plain JS, evaluated, so it runs from src/ and dist/ alike.
 */
import { Worker } from 'node:worker_threads'

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const fs = require('node:fs')
parentPort.on('message', (m) => {
  try {
    for (const f of m.files) fs.writeFileSync(f.path, f.text)
    parentPort.postMessage({ id: m.id, ok: true })
  } catch (error) {
    parentPort.postMessage({ id: m.id, ok: false, error: String((error && error.message) || error) })
  }
})
`

interface Batch {
  files: Array<{ path: string; text: string }>
  bytes: number
}

const BATCH_BYTES = 1 << 20

export class BackgroundWriter {
  private readonly worker: Worker
  private batch: Batch = { files: [], bytes: 0 }
  private nextId = 1
  private readonly pending = new Map<number, number>()
  private inFlightBytes = 0
  private failure: string | null = null
  private waiters: Array<() => void> = []

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true })
    this.worker.on('message', (m: { id: number; ok: boolean; error?: string }) => {
      this.inFlightBytes -= this.pending.get(m.id) ?? 0
      this.pending.delete(m.id)
      if (!m.ok) this.failure ??= m.error ?? 'write failed'
      const waiters = this.waiters
      this.waiters = []
      for (const w of waiters) w()
    })
    this.worker.on('error', (error) => {
      this.failure ??= error.message
      for (const w of this.waiters.splice(0)) w()
    })
  }

  /** Bytes handed to the worker and not yet written. */
  get backlogBytes(): number {
    return this.inFlightBytes + this.batch.bytes
  }

  /** The first write error, if any. */
  get error(): string | null {
    return this.failure
  }

  write(path: string, text: string): void {
    this.batch.files.push({ path, text })
    this.batch.bytes += text.length
    if (this.batch.bytes >= BATCH_BYTES) this.flush()
  }

  private flush(): void {
    if (this.batch.files.length === 0) return
    const id = this.nextId++
    this.pending.set(id, this.batch.bytes)
    this.inFlightBytes += this.batch.bytes
    this.worker.postMessage({ id, files: this.batch.files })
    this.batch = { files: [], bytes: 0 }
  }

  /** Resolves once at most `limitBytes` are still in flight (0: everything written). */
  async settle(limitBytes = 0): Promise<void> {
    if (limitBytes === 0) this.flush()
    while (this.inFlightBytes > limitBytes && this.failure === null && this.pending.size > 0) {
      await new Promise<void>((resolve) => this.waiters.push(resolve))
    }
  }

  async close(): Promise<void> {
    await this.worker.terminate()
  }
}
