import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { CaptureDb } from '../../src/capture/db.js'
import { openCapture as openFromSources } from '../../src/targets/proxy/capture-thread.js'
import { captureFrame, loadCaptureFrames } from '../helpers/captures.js'
import { REPO_ROOT } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'

// The built proxy (dist/) records through the capture thread; the TypeScript sources cannot
// start a worker of themselves, so this test loads the build that the CLI runs.
type Open = typeof openFromSources
const built = async (): Promise<Open> =>
  (
    (await import(
      pathToFileURL(join(REPO_ROOT, 'dist', 'targets', 'proxy', 'capture-thread.js')).href
    )) as { openCapture: Open }
  ).openCapture

const frames = loadCaptureFrames()
const SESSION = 'session-2026-02-17-conn2315.db'
const bytesOf = (id: number): Buffer =>
  Buffer.from(captureFrame(frames, SESSION, id).raw.replace(/\r\n$/, ''), 'utf8')

describe('capture thread of the built proxy', () => {
  it('writes every row, in order and byte for byte, from a worker thread', async () => {
    const file = join(tempDir(), 'capture.db')
    const errors: string[] = []
    const sink = await (await built())(file, (m) => errors.push(m))
    expect(sink.background).toBe(true)
    const ids = [13794, 13795, 13796, 13797, 13808, 13815]
    // Subarrays of one larger buffer, as frames cut from a socket read are.
    const slab = Buffer.concat(ids.map(bytesOf))
    let at = 0
    ids.forEach((id, i) => {
      const n = bytesOf(id).length
      sink.record({
        atMs: 1_771_315_508_000 + i,
        direction: i % 2 === 0 ? 'box_to_proxy' : 'cloud_to_proxy',
        connId: 7,
        bytes: slab.subarray(at, at + n),
        tableName: `t${i}`,
        deviceId: i === 0 ? '2206237016' : null,
        peer: '127.0.0.1:5000',
      })
      at += n
    })
    await sink.close()
    expect(errors).toEqual([])
    const db = CaptureDb.open(file)
    const rows = [...db.rows()]
    db.close()
    expect(rows.map((r) => r.raw)).toEqual(ids.map((id) => `${bytesOf(id).toString('utf8')}\r\n`))
    expect(rows.map((r) => [r.connId, r.direction, r.tableName])).toEqual(
      ids.map((_, i) => [7, i % 2 === 0 ? 'box_to_proxy' : 'cloud_to_proxy', `t${i}`]),
    )
  })

  it('says CAPTURE_UNWRITABLE when the file is no capture DB, before any row', async () => {
    const file = join(tempDir(), 'not-a.db')
    writeFileSync(file, 'this is not SQLite, just text long enough to be read as a header\n')
    await expect((await built())(file, () => undefined)).rejects.toMatchObject({
      code: 'CAPTURE_UNWRITABLE',
      message: expect.stringMatching(/^Failed to open capture DB .*not-a\.db for writing: /),
    })
  })

  it('writes on the calling thread when run from the TypeScript sources', async () => {
    const file = join(tempDir(), 'capture.db')
    const sink = await openFromSources(file, () => undefined)
    expect(sink.background).toBe(false)
    await sink.close()
  })
})
