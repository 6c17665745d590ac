import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { ServeProxyDoc } from '../../src/targets/serve-doc.js'
import { ProxyEventSchema } from '../../src/evidence/schemas/proxy-events.js'
import { ServeEventSchema } from '../../src/evidence/schemas/serve-events.js'
import { classifyText } from '../../src/protocol/classify.js'
import { BoxClient } from '../helpers/box-client.js'
import { realFrames } from '../helpers/box-frames.js'
import { oigctl } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'
import { serveCli, type RunningServe } from '../helpers/serve-cli.js'
import { startTestMock } from '../helpers/mock-cloud.js'

const F = realFrames()
const LogLine = z.union([ServeEventSchema, ProxyEventSchema])
const cls = (frame: string | null): string => classifyText(frame ?? '', 'cloud').class

const serveProxy = (args: readonly string[] = []): Promise<RunningServe> => serveCli('proxy', args)

describe('oigctl serve proxy (built CLI)', () => {
  it('forwards to the upstream, logs and captures, and exits 143 on SIGTERM with one JSON document', async () => {
    const dir = tempDir()
    const log = join(dir, 'events.jsonl')
    const capture = join(dir, 'capture.db')
    const { mock } = await startTestMock()
    const run = await serveProxy([
      '--mode',
      'hybrid',
      '--upstream',
      `127.0.0.1:${mock.port}`,
      '--log',
      log,
      '--capture',
      capture,
      '--json',
    ])
    const box = await BoxClient.connect(run.port)
    expect(cls(await box.request(F.mergedIsNewSet))).toBe('cloud.end-time')
    const rollback = await fetch(`http://127.0.0.1:${run.controlPort}/local-replies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ set: 'legacy' }),
    })
    expect(rollback.status).toBe(200)

    run.child.kill('SIGTERM')
    const r = await run.exit
    expect(r.code).toBe(143)
    const doc = JSON.parse(r.stdout) as ServeProxyDoc
    expect(doc).toMatchObject({
      kind: 'serve',
      schemaVersion: 1,
      target: 'proxy',
      mode: 'hybrid',
      state: 'online',
      localReplies: 'legacy',
      stoppedBy: 'SIGTERM',
      capture,
    })
    expect(doc.counters).toMatchObject({ framesIn: 1, forwarded: 1, upstreamReplies: 1 })
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => LogLine.parse(JSON.parse(l)))
    expect(lines.map((e) => e.event)).toEqual([
      'listen',
      'open',
      'frame',
      'frame',
      'local-replies',
      'control',
      'shutdown',
      'close',
    ])
    expect(existsSync(capture)).toBe(true)
    const extracted = oigctl(['--json', 'extract', '--db', capture, '--out', join(dir, 'ev')])
    expect(extracted.code).toBe(0)
    expect(JSON.parse(extracted.stdout)).toMatchObject({
      totals: { framesRead: 2, sessionsRead: 1 },
    })
  })

  it('answers offline without an upstream and stops on SIGINT', async () => {
    const run = await serveProxy(['--mode', 'offline', '--local-replies', 'legacy', '--quiet'])
    const box = await BoxClient.connect(run.port)
    expect(cls(await box.request(F.upload))).toBe('cloud.ack')
    run.child.kill('SIGINT')
    const r = await run.exit
    expect(r.code).toBe(130)
    expect(r.stdout).toMatch(/oigctl serve proxy stopped by SIGINT/)
    expect(r.stdout).toMatch(/problems: 0 bad CRC, 0 garbage, 0 oversize, 0 backlog pauses/)
  })

  it.each([
    [['--mode', 'online'], /--mode online needs --upstream/],
    [['--mode', 'hybrid'], /--mode hybrid needs --upstream/],
    [['--mode', 'sideways'], /invalid --mode: expected one of online, hybrid, offline/],
    [
      ['--mode', 'online', '--upstream', '192.0.2.1:5710'],
      /--upstream 192\.0\.2\.1 is not a loopback address/,
    ],
    [
      ['--mode', 'offline', '--listen', '0.0.0.0:5710'],
      /--listen 0\.0\.0\.0 is not a loopback address/,
    ],
    [['--mode', 'offline', '--listen', 'nonsense'], /invalid --listen: expected HOST:PORT/],
  ])('exits 2 on %j', (args, message) => {
    const r = oigctl(['serve', 'proxy', ...args])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).toMatch(/^Hint: /m)
    expect(r.stdout).toBe('')
  })
})
