/** sha256 of an input file, streamed (capture DBs can be large). */
import { createHash } from 'node:crypto'
import fs from 'node:fs'

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
