/** sha256 of an input file, streamed (capture DBs can be large). */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { Worker } from 'node:worker_threads'

/** Returns the hex sha256 of a file's bytes, reading it in chunks. */
export function sha256File(file: string): string {
  const hash = createHash('sha256')
  const fd = fs.openSync(file, 'r')
  try {
    const buf = Buffer.allocUnsafe(1 << 20)
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null)
      if (n === 0) break
      hash.update(buf.subarray(0, n))
    }
  } finally {
    fs.closeSync(fd)
  }
  return hash.digest('hex')
}

// The worker hashes the file and leaves the hex digest (or an error text) in shared memory:
// state[0] is 0 while it runs and 1 when done; state[1] is 1 for a digest, 2 for an error text;
// state[2] counts the MiB hashed (progress, so that a worker that died is noticed).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads')
const { createHash } = require('node:crypto')
const fs = require('node:fs')
const { file, shared } = workerData
const state = new Int32Array(shared, 0, 3)
const out = new Uint8Array(shared, 12)
let text
try {
  const hash = createHash('sha256')
  const fd = fs.openSync(file, 'r')
  try {
    const buf = Buffer.allocUnsafe(1 << 20)
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null)
      if (n === 0) break
      hash.update(buf.subarray(0, n))
      Atomics.add(state, 2, 1)
    }
  } finally {
    fs.closeSync(fd)
  }
  text = hash.digest('hex')
  state[1] = 1
} catch (error) {
  text = String(error && error.message || error)
  state[1] = 2
}
const bytes = Buffer.from(text, 'utf8').subarray(0, out.length - 4)
new DataView(shared, 12).setUint32(0, bytes.length)
out.set(bytes, 4)
Atomics.store(state, 0, 1)
Atomics.notify(state, 0)
`

/**
 * Starts hashing `file` on a worker thread, so that the hash of a large DB costs no time on the
 * thread that reads it; `digest()` returns it, waiting for the worker if it is not done yet.
 */
export function sha256FileInBackground(file: string): { digest(): string; stop(): void } {
  const shared = new SharedArrayBuffer(12 + 4 + 1024)
  const state = new Int32Array(shared, 0, 3)
  let worker: Worker | null = null
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, shared } })
    worker.unref()
    worker.on('error', () => undefined)
  } catch {
    worker = null
  }
  let result: string | null = null
  return {
    digest(): string {
      if (result !== null) return result
      if (worker === null) return (result = sha256File(file))
      // Wait for the worker while it makes progress; one that stalls 10 s is given up on.
      let progress = -1
      let stalled = 0
      while (Atomics.wait(state, 0, 0, 1000) === 'timed-out') {
        const now = Atomics.load(state, 2)
        stalled = now === progress ? stalled + 1 : 0
        progress = now
        if (stalled >= 10) break
      }
      const done = Atomics.load(state, 0) === 1
      const length = done ? new DataView(shared, 12).getUint32(0) : 0
      const text = Buffer.from(new Uint8Array(shared, 16, length)).toString('utf8')
      if (!done || Atomics.load(state, 1) !== 1) {
        void worker.terminate()
        // The worker could not read it: hash here, which throws the same error in this thread.
        result = sha256File(file)
        return result
      }
      result = text
      void worker.terminate()
      return result
    },
    stop(): void {
      if (worker !== null && result === null) void worker.terminate()
    },
  }
}
