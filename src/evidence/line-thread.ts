/**
 * Bytes written to a file on a worker thread, with the sha256 of each marked line computed there:
 * the thread that builds the text (extract: a million frames as JSON) then spends no time on
 * hashing and disk writes. Synchronous for its caller: chunks are handed over (moved, not copied),
 * at most MAX_IN_FLIGHT of them are queued (beyond that the caller waits for the thread), and
 * finish() waits until everything is written. Errors of the thread (a full disk) reach the caller
 * as the Error it raised, at the next send() or at finish(). Where no thread can be started, the
 * chunks are hashed and written on the caller's thread instead, by the same code.
 */
import { createHash, type Hash } from 'node:crypto'
import fs from 'node:fs'
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads'

/** Size of the chunks the caller fills (see LineThread.buffer). */
export const CHUNK_BYTES = 1 << 20
const MAX_IN_FLIGHT = 8
/** Slots of the shared state: chunks queued, started, finished, failed, told to stop writing. */
const IN_FLIGHT = 0
const STARTED = 1
const FINISHED = 2
const FAILED = 3
const STOP = 4
/** How long the caller waits for a thread to start (then writes itself). */
const START_TIMEOUT_MS = 10_000
/** How long the caller waits for a thread that takes no chunk at all. */
const STALL_TIMEOUT_MS = 120_000
/** How long stop() waits for the thread to let go of the file. */
const STOP_TIMEOUT_MS = 2_000

/** What writeChunk keeps between the chunks of one file. */
interface LineState {
  hash: Hash | null
  readonly hashes: string[]
}

/**
 * Hashes the marked lines of one chunk ([offset, 1] starts a line, [offset, 0] ends it) and writes
 * the chunk. Self-contained (no imports from its scope): the worker thread runs it from its source
 * text, and the caller's thread runs it where no worker could start.
 */
function writeChunk(
  fsm: typeof fs,
  hasher: typeof createHash,
  fd: number,
  line: LineState,
  bytes: Uint8Array,
  marks: readonly number[],
): void {
  let pos = 0
  for (let i = 0; i < marks.length; i += 2) {
    const at = marks[i]!
    if (line.hash !== null) line.hash.update(bytes.subarray(pos, at))
    pos = at
    if (marks[i + 1] === 1) line.hash = hasher('sha256')
    else {
      line.hashes.push(line.hash === null ? '' : line.hash.digest('hex'))
      line.hash = null
    }
  }
  if (line.hash !== null) line.hash.update(bytes.subarray(pos))
  let done = 0
  while (done < bytes.length) done += fsm.writeSync(fd, bytes, done, bytes.length - done)
}

/**
 * The thread (CommonJS: an eval worker is a script on every Node 20). After an error it writes
 * nothing more, reports the error once and sets FAILED; it still hands buffers back and counts
 * them, so that the caller never waits for it.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads')
const fs = require('node:fs')
const { createHash } = require('node:crypto')
const writeChunk = ${writeChunk.toString()}
const { fd, port, state } = workerData
const line = { hash: null, hashes: [] }
let failed = false
const signal = (slot) => { Atomics.store(state, slot, 1); Atomics.notify(state, slot) }
const fail = (e) => {
  if (failed) return
  failed = true
  try {
    port.postMessage({ error: { message: String(e && e.message), code: e && e.code, syscall: e && e.syscall } })
  } catch {}
  signal(${FAILED})
}
port.on('message', (m) => {
  if (m === 'finish') {
    try { port.postMessage({ hashes: line.hashes }) } catch (e) { fail(e) }
    signal(${FINISHED})
    port.close()
    return
  }
  try {
    if (!failed && Atomics.load(state, ${STOP}) === 0)
      writeChunk(fs, createHash, fd, line, new Uint8Array(m.buffer, 0, m.length), m.marks)
  } catch (e) {
    fail(e)
  }
  try { port.postMessage({ free: m.buffer }, [m.buffer]) } catch (e) { fail(e) }
  Atomics.sub(state, ${IN_FLIGHT}, 1)
  Atomics.notify(state, ${IN_FLIGHT})
})
signal(${STARTED})
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
  private readonly state = new Int32Array(new SharedArrayBuffer(4 * 5))
  private readonly port: MessagePort | null = null
  private readonly worker: Worker | null = null
  /** Set where no thread could start: chunks are written here (see writeChunk). */
  private readonly local: LineState | null = null
  private readonly free: ArrayBuffer[] = []
  private error: Error | null = null
  private hashes: string[] | null = null
  private finishSent = false
  private stopped = false

  /** Writes to `fd` (open for writing; the caller closes it once finish() or stop() say so). */
  constructor(private readonly fd: number) {
    try {
      const { port1, port2 } = new MessageChannel()
      this.worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { fd, port: port2, state: this.state },
        transferList: [port2],
      })
      this.port = port1
      // The caller waits for the thread itself; the thread never keeps the process alive.
      this.worker.unref()
      this.worker.on('error', () => {})
      // Nothing is handed over before the thread runs (typically some ms): one that does not start
      // in time is ended, and the caller writes.
      if (!this.waitFor(STARTED, 1, START_TIMEOUT_MS)) throw new Error('no start')
    } catch {
      if (this.worker !== null) void this.worker.terminate()
      this.port?.close()
      this.worker = null
      this.port = null
      this.local = { hash: null, hashes: [] }
    }
  }

  /** Whether a worker thread writes (false: the caller's thread does, no worker could start). */
  get threaded(): boolean {
    return this.worker !== null
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
    if (this.stopped || this.finishSent) throw new Error('the writer thread was stopped')
    if (this.local !== null) {
      writeChunk(fs, createHash, this.fd, this.local, bytes.subarray(0, length), marks)
      return
    }
    this.drain()
    this.throwIfFailed()
    this.waitForRoom()
    // A buffer that is a view into a larger one (Buffer's pool) is copied, not moved.
    const own = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length
    const buffer = own ? bytes.buffer : new Uint8Array(bytes.subarray(0, length)).buffer
    Atomics.add(this.state, IN_FLIGHT, 1)
    this.port!.postMessage({ buffer, length, marks }, [buffer as ArrayBuffer])
  }

  /** Waits until every chunk is written; the sha256 (hex) of each line, in order. */
  finish(): string[] {
    if (this.hashes !== null) return this.hashes
    if (this.stopped) throw new Error('the writer thread was stopped')
    if (this.local !== null) {
      this.hashes = this.local.hashes
      return this.hashes
    }
    this.finishSent = true
    this.port!.postMessage('finish')
    if (!this.waitFor(FINISHED, 1, STALL_TIMEOUT_MS, true))
      throw new Error('the writer thread stopped writing')
    this.drain()
    this.throwIfFailed()
    if (this.hashes === null) throw new Error('the writer thread ended without its line hashes')
    return this.hashes
  }

  /**
   * Ends the thread, written or not. Returns whether it has let go of the file (then the caller
   * may close it): it is told to write no more and given a moment to finish what it was doing.
   */
  stop(): boolean {
    if (this.stopped) return true
    this.stopped = true
    if (this.worker === null) return true
    let done = Atomics.load(this.state, FINISHED) === 1
    if (!done) {
      Atomics.store(this.state, STOP, 1)
      if (!this.finishSent) this.port!.postMessage('finish')
      done = this.waitFor(FINISHED, 1, STOP_TIMEOUT_MS)
    }
    this.port!.close()
    void this.worker.terminate()
    return done
  }

  private throwIfFailed(): void {
    if (Atomics.load(this.state, FAILED) === 1) this.drain()
    if (this.error !== null) throw this.error
    if (Atomics.load(this.state, FAILED) === 1) throw new Error('the writer thread failed')
  }

  private drain(): void {
    if (this.port === null) return
    for (;;) {
      const got = receiveMessageOnPort(this.port)
      if (got === undefined) return
      const m = got.message as { free?: ArrayBuffer; error?: ThreadError; hashes?: string[] }
      if (m.free !== undefined && m.free.byteLength === CHUNK_BYTES && this.free.length < 4)
        this.free.push(m.free)
      if (m.error !== undefined && this.error === null) this.error = toError(m.error)
      if (m.hashes !== undefined) this.hashes = m.hashes
    }
  }

  /** Waits while the queue is full; a thread that takes no chunk for STALL_TIMEOUT_MS is an error. */
  private waitForRoom(): void {
    let queued = Atomics.load(this.state, IN_FLIGHT)
    let since = Date.now()
    while (queued >= MAX_IN_FLIGHT) {
      if (Atomics.load(this.state, FAILED) === 1) return
      Atomics.wait(this.state, IN_FLIGHT, queued, 50)
      const now = Atomics.load(this.state, IN_FLIGHT)
      if (now !== queued) since = Date.now()
      else if (Date.now() - since > STALL_TIMEOUT_MS)
        throw new Error('the writer thread stopped writing')
      queued = now
    }
  }

  /**
   * Waits until state[slot] is `value`, for at most `timeoutMs` (counted from the last chunk the
   * thread took, with `whileWriting`); false when it was not.
   */
  private waitFor(slot: number, value: number, timeoutMs: number, whileWriting = false): boolean {
    let since = Date.now()
    let queued = Atomics.load(this.state, IN_FLIGHT)
    for (;;) {
      const now = Atomics.load(this.state, slot)
      if (now === value) return true
      if (whileWriting) {
        const q = Atomics.load(this.state, IN_FLIGHT)
        if (q !== queued) since = Date.now()
        queued = q
      }
      if (Date.now() - since > timeoutMs) return false
      Atomics.wait(this.state, slot, now, 50)
    }
  }
}
