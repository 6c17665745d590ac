/**
 * Texts kept in a temporary file instead of memory, read back by number: the long lists of a
 * summary (extract's sessions and findings) then cost a few bytes each in memory, whatever the
 * size of the capture. The file is unlinked as soon as it is open (nothing is left behind, even
 * when the process is killed); its descriptor is closed by close(), or when the spool is garbage.
 * Where no temporary file can be made, the texts stay in memory.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { OigError } from '../errors.js'
import { fsHint, fsReason } from './fs-reason.js'
import { TextsInMemory, type TextStore } from './item-list.js'

const closing = new FinalizationRegistry<number>((fd) => {
  try {
    fs.closeSync(fd)
  } catch {
    // Already closed.
  }
})

const WRITE_BYTES = 1 << 16
const READ_BYTES = 1 << 20

class FileSpool implements TextStore {
  private fd: number | null
  private readonly pending = Buffer.allocUnsafe(WRITE_BYTES)
  private pendingBytes = 0
  /** Bytes on disk (what is pending follows them). */
  private written = 0
  private offsets: Float64Array = new Float64Array(1024)
  private lengths: Float64Array = new Float64Array(1024)
  private count = 0
  /** The last window read, for texts read in about the order they were written. */
  private window: Buffer | null = null
  private windowAt = 0
  private windowBytes = 0

  constructor(fd: number) {
    this.fd = fd
    closing.register(this, fd, this)
  }

  get length(): number {
    return this.count
  }

  add(text: string): number {
    const fd = this.open()
    if (this.count === this.offsets.length) {
      this.offsets = grown(this.offsets)
      this.lengths = grown(this.lengths)
    }
    const at = this.written + this.pendingBytes
    let bytes: number
    if (text.length * 3 <= WRITE_BYTES - this.pendingBytes) {
      bytes = this.pending.write(text, this.pendingBytes)
      this.pendingBytes += bytes
    } else {
      this.flush()
      const data = Buffer.from(text)
      bytes = data.length
      if (bytes <= WRITE_BYTES) {
        data.copy(this.pending)
        this.pendingBytes = bytes
      } else {
        writeAll(fd, data)
        this.written += bytes
      }
    }
    this.offsets[this.count] = at
    this.lengths[this.count] = bytes
    return this.count++
  }

  text(n: number): string {
    const fd = this.open()
    if (!(n >= 0 && n < this.count)) throw new RangeError(`no text ${n} in the spool`)
    const at = this.offsets[n]!
    const bytes = this.lengths[n]!
    if (at + bytes > this.written) this.flush()
    if (
      this.window === null ||
      at < this.windowAt ||
      at + bytes > this.windowAt + this.windowBytes
    ) {
      const size = Math.max(READ_BYTES, bytes)
      if (this.window === null || this.window.length < size) this.window = Buffer.allocUnsafe(size)
      this.windowAt = at
      this.windowBytes = readAll(fd, this.window, at, Math.min(size, this.written - at))
    }
    return this.window.toString('utf8', at - this.windowAt, at - this.windowAt + bytes)
  }

  close(): void {
    if (this.fd === null) return
    closing.unregister(this)
    fs.closeSync(this.fd)
    this.fd = null
  }

  private open(): number {
    if (this.fd === null) throw new Error('the spool is closed')
    return this.fd
  }

  private flush(): void {
    if (this.pendingBytes === 0) return
    writeAll(this.open(), this.pending.subarray(0, this.pendingBytes))
    this.written += this.pendingBytes
    this.pendingBytes = 0
  }
}

function grown(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2)
  b.set(a)
  return b
}

/** An I/O error of the spool as the command's error (a full temp disk is an ordinary one). */
function spoolFailed(error: unknown): OigError {
  return new OigError(
    'OUTPUT_WRITE_FAILED',
    `Failed to use a temporary file in ${os.tmpdir()}: ${fsReason(error)}.`,
    { hint: fsHint(error), cause: error },
  )
}

function writeAll(fd: number, data: Uint8Array): void {
  try {
    let done = 0
    while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done)
  } catch (error) {
    throw spoolFailed(error)
  }
}

function readAll(fd: number, into: Buffer, at: number, bytes: number): number {
  try {
    let done = 0
    while (done < bytes) {
      const n = fs.readSync(fd, into, done, bytes - done, at + done)
      if (n === 0) break
      done += n
    }
    return done
  } catch (error) {
    throw spoolFailed(error)
  }
}

/**
 * A spool in a temporary file (unlinked at once), or in memory when none can be made. Errors
 * while writing or reading it are ordinary I/O errors of the caller's command.
 */
export function openTextSpool(): TextStore & { close(): void } {
  let dir: string | null = null
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oigctl-spool-'))
    const fd = fs.openSync(path.join(dir, 'texts'), 'w+')
    return new FileSpool(fd)
  } catch {
    return new TextsInMemory()
  } finally {
    if (dir !== null) fs.rmSync(dir, { recursive: true, force: true })
  }
}
