/** sha256 of an input file, streamed (capture DBs can be large). */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { Worker } from 'node:worker_threads'

/**
 * The hash loop, self-contained (no imports from its scope) so that the worker thread runs the
 * very same code from its source text.
 */
function hashFile(fsm: typeof fs, hasher: typeof createHash, file: string): string {
  const hash = hasher('sha256')
  const fd = fsm.openSync(file, 'r')
  try {
    const buf = Buffer.allocUnsafe(1 << 20)
    for (;;) {
      const n = fsm.readSync(fd, buf, 0, buf.length, null)
      if (n === 0) break
      hash.update(buf.subarray(0, n))
    }
  } finally {
    fsm.closeSync(fd)
  }
  return hash.digest('hex')
}

/** Returns the hex sha256 of a file's bytes, reading it in chunks. */
export function sha256File(file: string): string {
  return hashFile(fs, createHash, file)
}

// The worker hashes the file and posts the hex digest (null when it could not read it). CommonJS:
// an eval worker runs as a script on every Node 20 (before 20.19 an import there is a syntax error).
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads')
const fs = require('node:fs')
const { createHash } = require('node:crypto')
const hashFile = ${hashFile.toString()}
let hex = null
try {
  hex = hashFile(fs, createHash, workerData.file)
} catch {}
parentPort.postMessage(hex)
`

export interface BackgroundHash {
  /**
   * Resolves once the digest is known; never blocks the thread (signals are handled meanwhile).
   * With `hold`, the wait keeps the process alive; without, it only says when the worker is done.
   */
  ready(hold?: boolean): Promise<void>
  /** The digest; when the worker is not done yet, hashes on this thread instead (blocking). */
  digest(): string
  stop(): void
}

/**
 * Starts hashing `file` on a worker thread, so that the hash of a large DB costs no time on the
 * thread that reads it. A worker that cannot start or read the file falls back to sha256File.
 */
export function sha256FileInBackground(file: string): BackgroundHash {
  let result: string | null = null
  let worker: Worker | null = null
  let settle: (() => void) | null = null
  const finished = new Promise<void>((resolve) => (settle = resolve))
  const end = (hex: string | null): void => {
    if (result === null && hex !== null) result = hex
    if (worker !== null) void worker.terminate()
    worker = null
    settle?.()
  }
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file } })
    // The hash alone never keeps the process alive (ready() holds it while someone waits).
    worker.unref()
    worker.on('message', (hex: string | null) => end(hex))
    worker.on('error', () => end(null))
    worker.on('exit', () => end(null))
  } catch {
    end(null)
  }
  return {
    async ready(hold = true): Promise<void> {
      if (result !== null) return
      if (hold) worker?.ref()
      await finished
    },
    digest(): string {
      if (result === null) {
        // Not known yet (or the worker failed): hash here, which throws a read error as such.
        end(null)
        result = sha256File(file)
      }
      return result
    },
    stop(): void {
      end(null)
    },
  }
}
