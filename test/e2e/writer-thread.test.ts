/**
 * The pack writer's worker threads start on every Node 20: an eval worker is a script unless Node
 * detects module syntax (20.19 and later), so the built thread code must not use `import`. Run with
 * module detection off, as Node 20.0–20.18 run it, in a child process of the built code.
 */
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'

describe('worker threads of the built code', () => {
  it('start with module detection off (Node 20 before 20.19), and hash and write', () => {
    const dir = tempDir('writer-thread')
    const script = join(dir, 'probe.mjs')
    const lineThread = pathToFileURL(join(REPO_ROOT, 'dist', 'evidence', 'line-thread.js')).href
    const fileHash = pathToFileURL(join(REPO_ROOT, 'dist', 'capture', 'file-hash.js')).href
    writeFileSync(
      script,
      `import fs from 'node:fs'
import { createHash } from 'node:crypto'
import { LineThread } from ${JSON.stringify(lineThread)}
import { sha256File, sha256FileInBackground } from ${JSON.stringify(fileHash)}
const file = ${JSON.stringify(join(dir, 'out.ndjson'))}
const fd = fs.openSync(file, 'w')
const thread = new LineThread(fd)
const threaded = thread.threaded
const buf = thread.buffer()
const n = buf.write('{"a":1}\\n')
thread.send(buf, n, [0, 1, n, 0])
const hashes = thread.finish()
const released = thread.stop()
fs.closeSync(fd)
const expected = createHash('sha256').update('{"a":1}\\n').digest('hex')
const hash = sha256FileInBackground(file)
await hash.ready()
console.log(JSON.stringify({ threaded, released, ok: hashes[0] === expected, text: fs.readFileSync(file, 'utf8'), fileHash: hash.digest() === sha256File(file) }))
`,
    )
    const r = spawnSync(process.execPath, ['--no-experimental-detect-module', script], {
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual({
      threaded: true,
      released: true,
      ok: true,
      text: '{"a":1}\n',
      fileHash: true,
    })
  })
})
