import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CaptureDb } from '../../src/capture/db.js'
import { readContract } from '../../src/contract/files.js'
import { runValidate } from '../../src/contract/run-validate.js'
import { runExtract } from '../../src/extract/run-extract.js'
import { classifyText } from '../../src/protocol/classify.js'
import { END_FAMILY } from '../../src/protocol/frame-class.js'
import { BoxClient } from '../helpers/box-client.js'
import { tempDir } from '../helpers/make-db.js'
import { realFrames, SHIPPED_CONTRACT_FILE, shippedContract } from '../helpers/box-frames.js'
import { observedReplies, realSessionPairs } from '../helpers/real-session.js'
import { getJson, postSetting, startTestMock } from '../helpers/mock-cloud.js'
import { postJson, startTestProxy } from '../helpers/proxy.js'

const F = realFrames()
const contract = shippedContract()
const cls = (frame: string | null): string => classifyText(frame ?? '', 'cloud').class
const MODE3 = { table: 'tbl_box_prms', item: 'MODE', value: '3' }

describe('proxy offline', () => {
  it('answers the real session conn2315 with the classes the contract shows', async () => {
    const { proxy } = await startTestProxy({ mode: 'offline' })
    const box = await BoxClient.connect(proxy.port)
    const pairs = realSessionPairs()
    expect(pairs).toHaveLength(12)
    const differing: number[] = []
    for (const p of pairs) {
      const reply = await box.request(p.box)
      const observed = observedReplies(contract, p.box)
      expect(observed.has(cls(reply)), `frame ${p.id}`).toBe(true)
      if (observed.size === 1) expect(cls(reply), `frame ${p.id}`).toBe(cls(p.cloud))
      if (cls(reply) !== cls(p.cloud)) differing.push(p.id)
    }
    // Only the second tbl_actual differs; the contract cannot tell it from the first (see mock test).
    expect(differing).toEqual([13814])
    expect(proxy.state().counters).toMatchObject({ framesIn: 12, localReplies: 12, forwarded: 0 })
  })

  it('never contacts the upstream', async () => {
    const { mock } = await startTestMock()
    const { proxy } = await startTestProxy({
      mode: 'offline',
      upstream: { host: '127.0.0.1', port: mock.port },
    })
    const box = await BoxClient.connect(proxy.port)
    expect(cls(await box.request(F.upload))).toBe('cloud.ack-getactual')
    expect(mock.state().connections.accepted).toBe(0)
  })
})

describe('the local reply set flag', () => {
  it('flips replies between contract and legacy at runtime through the control API', async () => {
    const { proxy, api, of } = await startTestProxy({ mode: 'offline' })
    const box = await BoxClient.connect(proxy.port)
    expect(cls(await box.request(F.upload))).toBe('cloud.ack-getactual')
    expect((await postSetting(api, MODE3)).status).toBe(201)
    expect(cls(await box.request(F.shortIsNewSet))).toBe('cloud.setting')
    expect(of('frame').at(-1)).toMatchObject({ dir: 'out', class: 'cloud.setting', setting: 's1' })
    expect(END_FAMILY).toContain(cls(await box.request(F.boxSettingAck)))

    const r = await postJson(`${api}/local-replies`, { set: 'legacy' })
    expect(r).toEqual({ status: 200, json: { set: 'legacy', previous: 'contract' } })
    expect(of('local-replies')).toEqual([
      expect.objectContaining({ from: 'contract', to: 'legacy' }),
    ])
    expect(await getJson(`${api}/state`)).toMatchObject({ localReplies: 'legacy' })
    expect(cls(await box.request(F.upload))).toBe('cloud.ack')
    await postSetting(api, { ...MODE3, value: '0' })
    expect(cls(await box.request(F.shortIsNewSet))).toBe('cloud.setting')
    expect(cls(await box.request(F.boxSettingAck))).toBe('cloud.ack')

    proxy.setLocalReplies('contract')
    expect(cls(await box.request(F.upload))).toBe('cloud.ack-getactual')
    expect(of('local-replies').map((e) => e.to)).toEqual(['legacy', 'contract'])
  })

  it('refuses an unknown reply set with 400 and a reason', async () => {
    const { api, proxy } = await startTestProxy()
    const r = await postJson(`${api}/local-replies`, { set: 'newest' })
    expect(r.status).toBe(400)
    expect(String(r.json.error)).toMatch(/set: expected "contract" or "legacy"/)
    expect(proxy.state().localReplies).toBe('contract')
  })
})

describe('the mode endpoint', () => {
  it('switches the mode at runtime and refuses online without an upstream', async () => {
    const { api, proxy, of } = await startTestProxy({ mode: 'offline' })
    const refused = await postJson(`${api}/mode`, { mode: 'online' })
    expect(refused.status).toBe(409)
    expect(String(refused.json.error)).toMatch(/needs an upstream/)
    const { mock } = await startTestMock()
    const hybrid = await startTestProxy({
      mode: 'hybrid',
      upstream: { host: '127.0.0.1', port: mock.port },
    })
    expect(await postJson(`${hybrid.api}/mode`, { mode: 'offline' })).toEqual({
      status: 200,
      json: { mode: 'offline', previous: 'hybrid' },
    })
    expect(hybrid.of('mode')).toEqual([
      expect.objectContaining({ to: 'offline', reason: 'mode set to offline' }),
    ])
    const box = await BoxClient.connect(hybrid.proxy.port)
    expect(cls(await box.request(F.upload))).toBe('cloud.ack-getactual')
    expect(mock.state().counters.framesIn).toBe(0)
    expect(proxy.state().mode).toBe('offline')
    expect(of('mode')).toEqual([])
  })
})

describe('the local setting queue', () => {
  it('delivers a queued Setting only as the reply to a poll', async () => {
    const { mock } = await startTestMock()
    const { proxy, api, of } = await startTestProxy({
      mode: 'online',
      upstream: { host: '127.0.0.1', port: mock.port },
      replyTimeoutMs: 300,
    })
    const box = await BoxClient.connect(proxy.port)
    await postSetting(api, MODE3)
    for (const frame of [F.upload, F.tblActual, F.boxEnd])
      expect(cls(await box.request(frame))).not.toBe('cloud.setting')
    expect((await getJson<{ settings: unknown[] }>(`${api}/settings`)).settings).toEqual([
      expect.objectContaining({ state: 'pending' }),
    ])
    expect(cls(await box.request(F.mergedIsNewSet))).toBe('cloud.setting')
    // The poll and the ACK were answered locally; the uploads went to the upstream.
    expect(mock.state().counters.framesIn).toBe(3)
    // An ACK on another connection is not the answer to it: forwarded, and the mock (like the
    // contract) has no reply to a BOX ACK outside a setting batch.
    const other = await BoxClient.connect(proxy.port)
    await other.write(`${F.boxSettingAck}\r\n`)
    await expect
      .poll(() => of('upstream-failure'))
      .toEqual([
        expect.objectContaining({ conn: 2, request: 'box.setting-ack', result: 'timeout' }),
      ])
    expect(proxy.state().settings.delivered).toHaveLength(1)
    expect(END_FAMILY).toContain(cls(await box.request(F.boxSettingAck)))
    expect(proxy.state().settings.acked).toEqual([expect.objectContaining({ resolvedOnConn: 1 })])
  })
})

describe('--capture', () => {
  it('records what the proxy sees and sends, read back by CaptureDb, extract and validate', async () => {
    const dir = tempDir('oigctl-proxy-')
    const file = join(dir, 'capture.db')
    const { mock } = await startTestMock()
    const { proxy, api } = await startTestProxy({
      mode: 'hybrid',
      upstream: { host: '127.0.0.1', port: mock.port },
      capture: file,
    })
    const a = await BoxClient.connect(proxy.port)
    for (const frame of [F.mergedIsNewSet, F.upload, F.boxEnd]) await a.request(frame)
    a.end()
    await a.closed
    await postSetting(api, MODE3)
    const b = await BoxClient.connect(proxy.port)
    expect(cls(await b.request(F.shortIsNewSet))).toBe('cloud.setting')
    await b.request(F.boxSettingAck)
    await proxy.close()

    const db = CaptureDb.open(file)
    const rows = [...db.rows()]
    db.close()
    expect(rows.map((r) => [r.connId, r.direction, r.tableName])).toEqual([
      [1, 'box_to_proxy', 'IsNewSet'],
      [1, 'cloud_to_proxy', 'IsNewSet'],
      [1, 'box_to_proxy', 'tbl_dc_in'],
      [1, 'cloud_to_proxy', 'tbl_dc_in'],
      [1, 'box_to_proxy', 'END'],
      [1, 'cloud_to_proxy', 'END'],
      [2, 'box_to_proxy', 'IsNewSet'],
      [2, 'proxy_to_box', 'IsNewSet'],
      [2, 'box_to_proxy', 'ACK'],
      [2, 'proxy_to_box', 'ACK'],
    ])
    for (const r of rows) {
      expect(r.raw.endsWith('</Frame>\r\n')).toBe(true)
      expect(r.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/)
    }
    expect(rows.map((r) => r.tsMs!)).toEqual([...rows.map((r) => r.tsMs!)].sort((x, y) => x - y))

    const out = join(dir, 'evidence')
    const extracted = await runExtract({
      dbs: [file],
      sessionFiles: [],
      out,
      select: 'all',
      from: null,
      to: null,
      conn: null,
      sessionGapS: 600,
    })
    expect(extracted.totals).toMatchObject({ framesRead: 10, sessionsRead: 2 })
    expect(extracted.totals.findings.error).toBe(0)
    expect(extracted.classCounts).toMatchObject({ 'cloud.setting': 1, 'box.setting-ack': 1 })

    const v = await runValidate({
      contract: readContract(SHIPPED_CONTRACT_FILE),
      dbs: [file],
      sessionFiles: [],
      strict: false,
    })
    expect(v.inputs).toEqual([expect.objectContaining({ file: 'capture.db', frames: 10 })])
    const row = v.rows.find((r) => r.id === 'box.upload[tbl_dc_in] @normal -> cloud.ack-getactual')
    expect(row?.support).toBe(1)
  })
})
