/**
 * Bytes written to a file on a worker thread, with the sha256 of each marked line computed there:
 * the thread that builds the text (extract: a million frames as JSON) then spends no time on
 * hashing and disk writes. Synchronous for its caller: chunks are handed over (moved, not copied),
 * at most MAX_IN_FLIGHT of them are queued (beyond that the caller waits for the thread), and
 * finish() waits until everything is written. Errors of the thread (a full disk) reach the caller
 * as the Error it raised, at the next send() or at finish().
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads'

/** Size of the chunks the caller fills (see LineThread.buffer). */
export const CHUNK_BYTES = 1 << 20
const MAX_IN_FLIGHT = 8
/** Slots of the shared state: chunks queued, the thread has started, it has finished. */
const IN_FLIGHT = 0
const STARTED = 1
const FINISHED = 2
/** How long the caller waits for a thread that has not started, or has stopped taking chunks. */
const START_TIMEOUT_MS = 15_000
const STALL_TIMEOUT_MS = 120_000

/**
 * The thread: for each chunk, hash the marked lines' bytes ([offset, 1] starts a line, [offset, 0]
 * ends it), write the chunk, hand the buffer back. After a write error it writes nothing more and
 * reports the error once; it still hands buffers back, so that the caller never waits for it.
 */
const WORKER_SOURCE = `
import { workerData } from 'node:worker_threads'
import fs from 'node:fs'
import { createHash } from 'node:crypto'
const { fd, port, state } = workerData
const hashes = []
let hash = null
let failed = false
Atomics.store(state, ${STARTED}, 1)
Atomics.notify(state, ${STARTED})
port.on('message', (m) => {
  if (m === 'finish') {
    port.postMessage({ hashes })
    Atomics.store(state, ${FINISHED}, 1)
    Atomics.notify(state, ${FINISHED})
    port.close()
    return
  }
  if (!failed) {
    try {
      const bytes = new Uint8Array(m.buffer, 0, m.length)
      let pos = 0
      for (let i = 0; i < m.marks.length; i += 2) {
        const at = m.marks[i]
        if (hash !== null) hash.update(bytes.subarray(pos, at))
        pos = at
        if (m.marks[i + 1] === 1) hash = createHash('sha256')
        else {
          hashes.push(hash === null ? '' : hash.digest('hex'))
          hash = null
        }
      }
      if (hash !== null) hash.update(bytes.subarray(pos))
      let done = 0
      while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done)
    } catch (e) {
      failed = true
      port.postMessage({ error: { message: String(e && e.message), code: e && e.code, syscall: e && e.syscall } })
    }
  }
  port.postMessage({ free: m.buffer }, [m.buffer])
  Atomics.sub(state, ${IN_FLIGHT}, 1)
  Atomics.notify(state, ${IN_FLIGHT})
})
`

interface ThreadError {
  readonly message: string
  readonly code?: string
  readonly syscall?: string
}

function toError(e: ThreadError): Error {
  const error = new Error(e.message) as Error & { code?: string; syscall?: string }
  if (typeof e.code === 'string') error.code = e.code
  if (typeof e.syscall === 'string') error.syscall = e.syscall
  return error
}

export class LineThread {
  private readonly state = new Int32Array(new SharedArrayBuffer(4 * 3))
  private readonly port: MessagePort
  private readonly worker: Worker
  private readonly free: ArrayBuffer[] = []
  private error: Error | null = null
  private hashes: string[] | null = null
  private stopped = false

  /** Writes to `fd` (open for writing; the caller closes it after finish() or stop()). */
  constructor(fd: number) {
    const { port1, port2 } = new MessageChannel()
    this.port = port1
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { fd, port: port2, state: this.state },
      transferList: [port2],
    })
    // The caller waits for the thread itself; the thread never keeps the process alive.
    this.worker.unref()
    this.worker.on('error', () => {})
  }

  /** A buffer of CHUNK_BYTES to fill: one the thread is done with, or a new one. */
  buffer(): Buffer {
    this.drain()
    const recycled = this.free.pop()
    return Buffer.from(recycled ?? new ArrayBuffer(CHUNK_BYTES))
  }

  /**
   * Hands `bytes[0, length)` over (the buffer must not be used after) with its line marks:
   * pairs [offset in the chunk, 1 for a line's start or 0 for its end]. Throws the thread's error.
   */
  send(bytes: Buffer, length: number, marks: readonly number[]): void {
    this.drain()
    if (this.error !== null) throw this.error
    if (this.stopped) throw new Error('the writer thread was stopped')
    this.waitWhile(IN_FLIGHT, (queued) => queued >= MAX_IN_FLIGHT)
    // A buffer that is a view into a larger one (Buffer's pool) is copied, not moved.
    const own = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length
    const buffer = own ? bytes.buffer : new Uint8Array(bytes.subarray(0, length)).buffer
    Atomics.add(this.state, IN_FLIGHT, 1)
    this.port.postMessage({ buffer, length, marks }, [buffer as ArrayBuffer])
  }

  /** Waits until every chunk is written; the sha256 (hex) of each line, in order. */
  finish(): string[] {
    if (this.hashes !== null) return this.hashes
    if (this.stopped) throw new Error('the writer thread was stopped')
    this.port.postMessage('finish')
    this.waitWhile(FINISHED, (finished) => finished === 0)
    this.drain()
    this.stop()
    if (this.error !== null) throw this.error
    if (this.hashes === null) throw new Error('the writer thread ended without its line hashes')
    return this.hashes
  }

  /** Ends the thread, written or not. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    this.port.close()
    void this.worker.terminate()
  }

  private drain(): void {
    for (;;) {
      const got = receiveMessageOnPort(this.port)
      if (got === undefined) return
      const m = got.message as {
        free?: ArrayBuffer
        error?: ThreadError
        hashes?: string[]
      }
      if (m.free !== undefined && m.free.byteLength === CHUNK_BYTES && this.free.length < 4)
        this.free.push(m.free)
      if (m.error !== undefined && this.error === null) this.error = toError(m.error)
      if (m.hashes !== undefined) this.hashes = m.hashes
    }
  }

  /** Blocks while `busy(state[slot])`, in short waits; a thread that never started or stalls is an error. */
  private waitWhile(slot: number, busy: (value: number) => boolean): void {
    const since = Date.now()
    for (;;) {
      const value = Atomics.load(this.state, slot)
      if (!busy(value)) return
      const waited = Date.now() - since
      if (Atomics.load(this.state, STARTED) === 0 && waited > START_TIMEOUT_MS)
        throw new Error('the writer thread did not start')
      if (waited > STALL_TIMEOUT_MS) throw new Error('the writer thread stopped writing')
      Atomics.wait(this.state, slot, value, 50)
    }
  }
}
