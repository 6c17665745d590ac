import { randomBytes } from 'node:crypto'
import { unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sha256File, sha256FileInBackground } from '../../src/capture/file-hash.js'
import { tempDir } from '../helpers/make-db.js'

describe('sha256FileInBackground', () => {
  it('hashes on the worker thread: the digest is known even after the file is gone', async () => {
    const file = join(tempDir(), 'blob.bin')
    writeFileSync(file, randomBytes(3 << 20))
    const want = sha256File(file)
    const h = sha256FileInBackground(file)
    await h.ready()
    // A failed worker would fall back to hashing here, which now throws ENOENT.
    unlinkSync(file)
    expect(h.digest()).toBe(want)
  })
})
