import { describe, expect, it } from 'vitest'
import { classifyText } from '../../src/protocol/classify.js'
import { END_FAMILY } from '../../src/protocol/frame-class.js'
import { getTag, parseFrame } from '../../src/protocol/frame.js'
import type { SettingView } from '../../src/targets/control-api.js'
import type { MockCloudState } from '../../src/targets/mock-cloud/mock-state.js'
import { BoxClient } from '../helpers/box-client.js'
import { bare, realFrames } from '../helpers/box-frames.js'
import { getJson, postSetting, startTestMock } from '../helpers/mock-cloud.js'

const F = realFrames()
const MODE = { table: 'tbl_box_prms', item: 'MODE', value: 3 }
const cls = (frame: string | null): string => classifyText(frame ?? '', 'cloud').class
const tag = (frame: string | null, name: string): string | undefined => {
  const r = parseFrame(frame ?? '')
  return r.ok ? getTag(r.frame, name) : undefined
}
const state = (api: string) => getJson<MockCloudState>(`${api}/state`)

describe('mock cloud control API', () => {
  it('queues, lists, shows and deletes settings', async () => {
    const { api } = await startTestMock()
    const created = await postSetting(api, MODE)
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({
      id: 's1',
      table: 'tbl_box_prms',
      item: 'MODE',
      value: '3',
      state: 'pending',
    })
    expect(
      (await postSetting(api, { table: 'tbl_batt_prms', item: 'BAT_DI', value: '100.0' })).json.id,
    ).toBe('s2')
    const list = await getJson<{ settings: SettingView[] }>(`${api}/settings`)
    expect(list.settings.map((s) => s.id)).toEqual(['s1', 's2'])
    expect(await getJson(`${api}/settings/s2`)).toMatchObject({ value: '100.0' })
    expect((await fetch(`${api}/settings/s1`, { method: 'DELETE' })).status).toBe(204)
    const again = await fetch(`${api}/settings/s1`, { method: 'DELETE' })
    expect([again.status, await again.json()]).toEqual([404, { error: 'no setting s1' }])
    expect((await state(api)).settings.pending.map((s) => s.id)).toEqual(['s2'])
  })

  it.each([
    ['not JSON', '{"table":', /not JSON/],
    ['a bad table', { ...MODE, table: 'box_prms' }, /^table: expected a table name/],
    ['an empty item', { ...MODE, item: '' }, /^item: /],
    ['a missing value', { table: 'tbl_box_prms', item: 'MODE' }, /^value: /],
    ['an object value', { ...MODE, value: { v: 3 } }, /^value: expected a string or a number/],
    [
      'a value that would break the frame',
      { ...MODE, value: '3</NewValue>' },
      /^value: must not contain </,
    ],
    ['an unknown key', { ...MODE, val: 3 }, /Unrecognized key/],
  ])('refuses %s with 400 and a reason', async (_n, body, reason) => {
    const { api } = await startTestMock()
    const r = await postSetting(api, body)
    expect(r.status).toBe(400)
    expect(r.json.error).toMatch(reason)
    expect((await state(api)).settings.pending).toEqual([])
  })

  it('answers other paths with 404, wrong methods with 405, and a huge body with 413, all JSON', async () => {
    const { api } = await startTestMock()
    const other = await fetch(`${api}/nope`)
    expect([other.status, await other.json()]).toEqual([
      404,
      { error: 'no such endpoint: GET /nope' },
    ])
    const put = await fetch(`${api}/settings`, { method: 'PUT' })
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, POST'])
    const huge = await postSetting(api, { ...MODE, value: 'x'.repeat(20_000) })
    expect([huge.status, huge.json.error]).toEqual([413, 'body larger than 16384 bytes'])
  })

  it('refuses to delete a setting the BOX already acknowledged (409)', async () => {
    const { mock, api } = await startTestMock()
    await postSetting(api, MODE)
    const box = await BoxClient.connect(mock.port)
    await box.request(F.shortIsNewSet)
    await box.request(F.boxSettingAck)
    const r = await fetch(`${api}/settings/s1`, { method: 'DELETE' })
    expect([r.status, await r.json()]).toEqual([409, { error: 'setting s1 is already acked' }])
  })
})

describe('mock cloud Setting handshake over TCP', () => {
  it('delivers a queued Setting on IsNewSet, closes the batch after the BOX ACK, shows it acked', async () => {
    const { mock, api, events } = await startTestMock()
    const { json } = await postSetting(api, MODE)
    const box = await BoxClient.connect(mock.port)
    const setting = await box.request(F.mergedIsNewSet)
    expect(cls(setting)).toBe('cloud.setting')
    expect([tag(setting, 'ID'), tag(setting, 'ID_Set'), tag(setting, 'NewValue')]).toEqual([
      String(json.cloudId),
      String(json.idSet),
      '3',
    ])
    expect((await state(api)).connections.open[0]?.awaitingAck).toBe('s1')
    const close = await box.request(F.boxSettingAck)
    expect(END_FAMILY).toContain(cls(close))
    const s = await state(api)
    expect(s.settings.acked).toMatchObject([
      { id: 's1', resolvedOnConn: 1, deliveries: [{ conn: 1 }] },
    ])
    expect(s.counters.settingsSent).toBe(1)
    expect(events).toContainEqual(
      expect.objectContaining({
        event: 'frame',
        dir: 'out',
        class: 'cloud.setting',
        setting: 's1',
      }),
    )
    expect(events).toContainEqual(
      expect.objectContaining({
        dir: 'in',
        class: 'box.setting-ack',
        transition: 'setting s1 acked',
      }),
    )
  })

  it('does not deliver a Setting while only uploads arrive', async () => {
    const { mock, api } = await startTestMock()
    await postSetting(api, MODE)
    const box = await BoxClient.connect(mock.port)
    const uploads = F.session.filter((f) => classifyText(f.raw, 'box').class === 'box.upload')
    for (const u of [...uploads.map((f) => bare(f.raw)), F.boxEnd])
      expect(cls(await box.request(u))).not.toBe('cloud.setting')
    expect((await state(api)).settings.pending.map((s) => s.id)).toEqual(['s1'])
  })

  it('does not resolve a Setting by an ACK on another connection', async () => {
    const { mock, api } = await startTestMock()
    await postSetting(api, MODE)
    const a = await BoxClient.connect(mock.port)
    const b = await BoxClient.connect(mock.port)
    expect(cls(await a.request(F.shortIsNewSet))).toBe('cloud.setting')
    // B's ACK follows no Setting on B: no reply (unobserved); B's next upload gets its own reply.
    await b.write(`${F.boxSettingAck}\r\n`)
    expect(cls(await b.request(F.upload))).toBe('cloud.ack-getactual')
    expect((await state(api)).settings.delivered.map((s) => s.id)).toEqual(['s1'])
    expect(END_FAMILY).toContain(cls(await a.request(F.boxSettingAck)))
    expect((await state(api)).settings.acked.map((s) => s.resolvedOnConn)).toEqual([1])
  })

  it('re-delivers an un-ACKed Setting after a disconnect with the same ID and ID_Set', async () => {
    const { mock, api } = await startTestMock()
    await postSetting(api, MODE)
    const a = await BoxClient.connect(mock.port)
    const first = await a.request(F.shortIsNewSet)
    a.end()
    await a.closed
    await expect.poll(async () => (await state(api)).connections.open).toEqual([])
    const b = await BoxClient.connect(mock.port)
    const again = await b.request(F.mergedIsNewSet)
    expect(cls(again)).toBe('cloud.setting')
    expect([tag(again, 'ID'), tag(again, 'ID_Set')]).toEqual([
      tag(first, 'ID'),
      tag(first, 'ID_Set'),
    ])
    expect(tag(again, 'ver')).not.toBe(tag(first, 'ver'))
    const s = await state(api)
    expect(s.settings.delivered[0]?.deliveries.map((d) => d.conn)).toEqual([1, 2])
  })
})
