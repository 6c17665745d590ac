/**
 * Issue 14 item 6: `serve mock` and `serve proxy` on a terminal show a line per frame as it
 * happens (time, connection, direction, class, the reply's latency); --quiet turns it off and
 * off a terminal nothing changes. Built CLI on a real pseudo-terminal, a real loopback BOX client.
 */
import { describe, expect, it } from 'vitest'
import { BoxClient } from '../helpers/box-client.js'
import { realFrames } from '../helpers/box-frames.js'
import { startTestMock } from '../helpers/mock-cloud.js'
import { startOnPty } from '../helpers/pty.js'
import { serveCli } from '../helpers/serve-cli.js'

const F = realFrames()
const LISTENING = /listening (?:mock|proxy) 127\.0\.0\.1:(\d+) control/
const LINE_IN = /^\d\d:\d\d:\d\d\.\d{3} {2}#1 {2}BOX → box\.end\r?$/m
const LINE_OUT = /^\d\d:\d\d:\d\d\.\d{3} {2}#1 {2}→ BOX cloud\.ack {2}\d+ ms\r?$/m
const UPLOAD_IN = /^\d\d:\d\d:\d\d\.\d{3} {2}#1 {2}BOX → box\.upload\[tbl_actual\]\r?$/m

/** Starts `serve …` on a terminal, has one BOX exchange two frames, and stops it with Ctrl-C. */
async function exchange(args: readonly string[]): Promise<{ tty: string; stdout: string; code: number }> {
  const run = startOnPty(['serve', ...args, '--control-port', '0'])
  const port = Number((await run.waitFor(LISTENING))[1])
  const box = await BoxClient.connect(port)
  expect(await box.request(F.tblActual)).not.toBeNull()
  expect(await box.request(F.boxEnd)).not.toBeNull()
  // The reply reached the BOX once the server wrote it, and its line right before.
  await new Promise((r) => setTimeout(r, 200))
  const r = await run.interrupt()
  return { tty: r.tty, stdout: r.stdout, code: r.code }
} // prettier-ignore

describe('serve on a terminal: a live line per frame (issue 14 item 6)', () => {
  it('serve mock: one line for each frame in and out, the reply with its latency; stdout keeps the serve document', async () => {
    const r = await exchange(['mock', '--listen', '127.0.0.1:0', '--json'])
    expect(r.code).toBe(130)
    expect(r.tty).toMatch(UPLOAD_IN)
    expect(r.tty).toMatch(LINE_IN)
    expect(r.tty).toMatch(LINE_OUT)
    expect(r.stdout).not.toMatch(/BOX/)
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'serve', target: 'mock', counters: { framesIn: 2 } })
  }) // prettier-ignore

  it('serve proxy: the same lines for the frames it relays to a loopback upstream', async () => {
    const { mock } = await startTestMock()
    const r = await exchange(['proxy', '--mode', 'hybrid', '--listen', '127.0.0.1:0', '--upstream', `127.0.0.1:${mock.port}`])
    expect(r.code).toBe(130)
    expect(r.tty).toMatch(UPLOAD_IN)
    expect(r.tty).toMatch(LINE_IN)
    expect(r.tty).toMatch(LINE_OUT)
  }) // prettier-ignore

  it('--quiet turns the lines off on a terminal, and off a terminal there are none', async () => {
    const quiet = await exchange(['mock', '--listen', '127.0.0.1:0', '--quiet'])
    expect(quiet.tty).toMatch(LISTENING)
    expect(quiet.tty).not.toMatch(/BOX → /)
    const pipe = await serveCli('mock')
    const box = await BoxClient.connect(pipe.port)
    expect(await box.request(F.boxEnd)).not.toBeNull()
    pipe.child.kill('SIGINT')
    const done = await pipe.exit
    expect(done.code).toBe(130)
    expect(done.stderr).not.toMatch(/BOX → |→ BOX/)
  }) // prettier-ignore
})
