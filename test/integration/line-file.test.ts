/**
 * StagedLineFile (the pack writer of extract) writes on a worker thread: what lands in the file,
 * and the sha256 of each line it reports, must be exactly what the caller appended — across chunk
 * boundaries, for pieces larger than a chunk, for non-ASCII text, and with more chunks than the
 * thread queues at once. A write error of the thread (a full disk) is an OUTPUT_WRITE_FAILED error.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { StagedLineFile } from '../../src/evidence/files.js'
import { CHUNK_BYTES } from '../../src/evidence/line-thread.js'
import { OigError } from '../../src/errors.js'
import { tempDir } from '../helpers/make-db.js'

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

/** Lines of many sizes, as the pieces they are appended in (a line ends with its newline). */
function lines(): string[][] {
  const out: string[][] = []
  let seed = 7
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed % n
  }
  for (let i = 0; i < 60; i++) {
    const pieces: string[] = []
    const count = 1 + next(6)
    for (let p = 0; p < count; p++) {
      const size = [10, 1000, 60_000, CHUNK_BYTES / 2, CHUNK_BYTES + 17][next(5)]!
      const ch = ['a', 'ř', '€', '\u{1F50B}'][next(4)]!
      pieces.push(`${i}:${p}:`.padEnd(8, '-') + ch.repeat(Math.ceil(size / ch.length / 2)))
    }
    pieces.push('\n')
    out.push(pieces)
  }
  return out
}

describe('StagedLineFile', () => {
  it('writes every byte in order and hashes each line as its bytes on disk', () => {
    const dir = tempDir('line-file')
    const file = path.join(dir, 'pack.ndjson')
    const writer = new StagedLineFile(file, file)
    const expected: Array<{ offset: number; bytes: number }> = []
    const numbers: number[] = []
    // Text outside any line, as a pack's first bytes could be.
    writer.append('head ')
    for (const pieces of lines()) {
      const offset = writer.size
      let bytes = 0
      writer.startLine()
      for (const piece of pieces) bytes += writer.append(piece)
      numbers.push(writer.endLine())
      expected.push({ offset, bytes })
    }
    writer.append('tail')
    const hashes = writer.close()
    expect(writer.close()).toBe(hashes)
    const text = lines()
      .map((p) => p.join(''))
      .join('')
    const onDisk = fs.readFileSync(file)
    expect(onDisk.equals(Buffer.from(`head ${text}tail`))).toBe(true)
    expect(writer.size).toBe(onDisk.length)
    expect(numbers).toEqual(expected.map((_, i) => i))
    expect(hashes).toHaveLength(expected.length)
    expected.forEach(({ offset, bytes }, i) => {
      const line = onDisk.subarray(offset, offset + bytes)
      expect(line.at(-1)).toBe(0x0a)
      expect(hashes[i], `line ${i}`).toBe(sha256(line))
    })
    // More than one chunk was written, some lines spanned chunks.
    expect(onDisk.length).toBeGreaterThan(20 * CHUNK_BYTES)
  })

  it('an empty line file is an empty file with no hashes', () => {
    const dir = tempDir('line-file')
    const file = path.join(dir, 'empty.ndjson')
    const writer = new StagedLineFile(file, file)
    expect(writer.close()).toEqual([])
    expect(fs.readFileSync(file).length).toBe(0)
  })

  it.runIf(fs.existsSync('/dev/full'))('a full disk is OUTPUT_WRITE_FAILED, not a hang', () => {
    const writer = new StagedLineFile('/tmp/pack.ndjson', '/dev/full')
    let error: unknown = null
    try {
      for (let i = 0; i < 40; i++) {
        writer.startLine()
        writer.append('x'.repeat(CHUNK_BYTES / 4))
        writer.endLine()
      }
      writer.close()
    } catch (e) {
      error = e
    }
    writer.discard()
    expect(error).toBeInstanceOf(OigError)
    expect((error as OigError).code).toBe('OUTPUT_WRITE_FAILED')
    expect((error as OigError).message).toMatch(/\/tmp\/pack\.ndjson.*disk full/)
  })

  it('discard() with chunks still queued ends the thread and writes nothing after', async () => {
    const dir = tempDir('line-file')
    const file = path.join(dir, 'aborted.ndjson')
    const writer = new StagedLineFile(file, file)
    for (let i = 0; i < 30; i++) {
      writer.startLine()
      writer.append('y'.repeat(CHUNK_BYTES / 2))
      writer.endLine()
    }
    writer.discard()
    writer.discard()
    const size = fs.statSync(file).size
    expect(size).toBeLessThanOrEqual(writer.size)
    await new Promise((r) => setTimeout(r, 200))
    expect(fs.statSync(file).size).toBe(size)
    expect(() => writer.close()).toThrow(OigError)
  })
})
