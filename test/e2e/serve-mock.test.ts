import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ServeDoc } from '../../src/targets/serve-doc.js'
import { ServeEventSchema } from '../../src/evidence/schemas/serve-events.js'
import { classifyText } from '../../src/protocol/classify.js'
import { BoxClient } from '../helpers/box-client.js'
import { realFrames } from '../helpers/box-frames.js'
import { oigctl } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'
import { serveCli, type RunningServe } from '../helpers/serve-cli.js'

const F = realFrames()

const serveMock = (args: readonly string[] = []): Promise<RunningServe> => serveCli('mock', args)

describe('oigctl serve mock (built CLI)', () => {
  it('serves a BOX and the control API, then exits 143 on SIGTERM (130 on SIGINT) with one JSON document', async () => {
    const dir = tempDir()
    const log = join(dir, 'events.jsonl')
    const run = await serveMock(['--json'])
    const killed = await serveMock(['--log', log])
    const api = `http://127.0.0.1:${run.controlPort}`
    const post = await fetch(`${api}/settings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ table: 'tbl_box_prms', item: 'MODE', value: '3' }),
    })
    expect(post.status).toBe(201)
    const box = await BoxClient.connect(run.port)
    expect(classifyText((await box.request(F.shortIsNewSet)) ?? '', 'cloud').class).toBe('cloud.setting')
    expect(classifyText((await box.request(F.boxSettingAck)) ?? '', 'cloud').class).toMatch(/^cloud\.end/)
    const other = await BoxClient.connect(killed.port)
    expect(classifyText((await other.request(F.boxEnd)) ?? '', 'cloud').class).toBe('cloud.ack')

    run.child.kill('SIGTERM')
    killed.child.kill('SIGINT')
    const [r, k] = await Promise.all([run.exit, killed.exit])
    expect(r.code).toBe(143)
    const doc = JSON.parse(r.stdout) as ServeDoc
    expect(doc).toMatchObject({ kind: 'serve', schemaVersion: 1, target: 'mock', stoppedBy: 'SIGTERM', port: run.port })
    expect(doc.settings.acked).toMatchObject([{ id: 's1', resolvedOnConn: 1 }])
    expect(doc.counters).toMatchObject({ framesIn: 2, repliesOut: 2, settingsSent: 1 })
    await box.closed

    expect(k.code).toBe(130)
    expect(k.stdout).toMatch(/oigctl serve mock stopped by SIGINT/)
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => ServeEventSchema.parse(JSON.parse(l)))
    expect(lines[0]).toMatchObject({ event: 'listen', kind: 'serve-events', schemaVersion: 1, port: killed.port })
    expect(lines.map((e) => e.event)).toEqual(['listen', 'open', 'frame', 'frame', 'shutdown', 'close'])
    expect(lines.filter((e) => e.event === 'frame')).toMatchObject([
      { dir: 'in', class: 'box.end', crcOk: true, conn: 1 },
      { dir: 'out', class: 'cloud.ack', crcOk: true, conn: 1, bytes: 51 },
    ])
  }) // prettier-ignore

  it('refuses a non-loopback --host without --allow-remote (exit 2, with a hint)', () => {
    const r = oigctl(['serve', 'mock', '--host', '192.0.2.10', '--port', '0'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /^Failed to run serve mock: --host 192\.0\.2\.10 is not a loopback address\.$/m,
    )
    expect(r.stderr).toMatch(/^Hint: .*--allow-remote/m)
    expect(r.stdout).toBe('')
  })

  it('refuses a non-loopback --control-host without --control-token (exit 2, nothing bound)', () => {
    const r = oigctl([
      'serve',
      'mock',
      '--port',
      '0',
      '--control-host',
      '192.0.2.10',
      '--allow-remote',
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /^Failed to run serve mock: --control-host 192\.0\.2\.10 is not a loopback address and no --control-token is set\.$/m,
    )
    expect(r.stderr).not.toMatch(/listening/)
    const proxy = oigctl([
      'serve',
      'proxy',
      '--mode',
      'offline',
      '--listen',
      '127.0.0.1:0',
      '--control-host',
      '192.0.2.10',
      '--allow-remote',
    ])
    expect(proxy.code).toBe(2)
    expect(proxy.stderr).toMatch(
      /^Failed to run serve proxy: --control-host 192\.0\.2\.10 is not a loopback address and no --control-token is set\.$/m,
    )
    const short = oigctl(['serve', 'mock', '--port', '0', '--control-token', 'short'])
    expect(short.code).toBe(2)
    expect(short.stderr).toMatch(/invalid --control-token: expected at least 16 characters/)
  })

  it('answers control requests without the --control-token 401, with it 201', async () => {
    const token = 'e2e-token-0123456789abcdef'
    const run = await serveMock(['--control-token', token])
    const api = `http://127.0.0.1:${run.controlPort}`
    const body = JSON.stringify({ table: 'tbl_box_prms', item: 'MODE', value: '3' })
    const headers = { 'content-type': 'application/json' }
    const without = await fetch(`${api}/settings`, { method: 'POST', headers, body })
    expect([without.status, without.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="oigctl control API"'])
    const withToken = await fetch(`${api}/settings`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${token}` },
      body,
    })
    expect(withToken.status).toBe(201)
    const plain = await fetch(`${api}/settings`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${token}` },
      body,
    })
    expect(plain.status).toBe(415)
    run.child.kill('SIGTERM')
    await run.exit
  }) // prettier-ignore

  it('exits 2 with "address in use" when the port is taken', async () => {
    const running = await serveMock()
    const r = oigctl(['serve', 'mock', '--port', String(running.port), '--no-control'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /^Failed to listen on 127\.0\.0\.1:\d+ \(mock cloud\): address in use\.$/m,
    )
    running.child.kill('SIGTERM')
    expect((await running.exit).code).toBe(143)
  })

  it('exits 2 on a contract that does not exist', () => {
    const r = oigctl(['serve', 'mock', '--port', '0', '--contract', join(tempDir(), 'none.json')])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Failed to read contract .*none\.json: file does not exist\./)
  })
})
