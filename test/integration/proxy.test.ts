import { describe, expect, it } from 'vitest'
import { classifyText } from '../../src/protocol/classify.js'
import { BoxClient } from '../helpers/box-client.js'
import { realFrames } from '../helpers/box-frames.js'
import { startTestMock } from '../helpers/mock-cloud.js'
import { closedPort, startFaultServer, startTestProxy } from '../helpers/proxy.js'

const F = realFrames()
const cls = (frame: string | null): string => classifyText(frame ?? '', 'cloud').class
const boxFrames = F.session.filter((f) => f.side === 'box').map((f) => f.raw.replace(/\r?\n$/, ''))
const local = (host: number) => ({ host: '127.0.0.1', port: host })

describe('proxy online', () => {
  it('forwards frame by frame and returns the upstream replies', async () => {
    const { mock } = await startTestMock()
    const { proxy, of } = await startTestProxy({ mode: 'online', upstream: local(mock.port) })
    const box = await BoxClient.connect(proxy.port)
    const direct = await BoxClient.connect(mock.port)
    for (const frame of boxFrames) {
      const viaProxy = await box.request(frame)
      expect(cls(viaProxy)).toBe(cls(await direct.request(frame)))
    }
    const s = proxy.state()
    expect(s.counters).toMatchObject({ framesIn: 12, forwarded: 12, upstreamReplies: 12 })
    expect(s.counters.localReplies).toBe(0)
    expect(of('frame').filter((e) => e.dir === 'out')).toHaveLength(12)
  })

  it.each([
    ['stalls', async () => (await startFaultServer('stall')).port],
    ['resets', async () => (await startFaultServer('reset')).port],
    ['refuses', closedPort],
    ['sends garbage', async () => (await startFaultServer('garbage')).port],
  ])('leaves the frame unanswered when the upstream %s, and stays online', async (_n, port) => {
    const upstream = local(await port())
    const { proxy, of } = await startTestProxy({
      mode: 'online',
      upstream,
      replyTimeoutMs: 200,
      failThreshold: 1,
    })
    const box = await BoxClient.connect(proxy.port)
    await box.write(`${F.upload}\r\n`)
    await expect.poll(() => of('upstream-failure')).toHaveLength(1)
    expect(of('upstream-failure')[0]).toMatchObject({ decision: 'unanswered', failCount: 1 })
    expect(of('frame').filter((e) => e.dir === 'out')).toEqual([])
    await expect(box.next(300)).rejects.toThrow(/no frame/)
    expect(proxy.state()).toMatchObject({ state: 'online', transitions: [] })
    expect(proxy.state().counters.unanswered).toBe(1)
  })
})

describe('proxy hybrid', () => {
  it('rescues a frame whose reply times out and leaves the mode unchanged', async () => {
    const stall = await startFaultServer('stall')
    const { proxy, of } = await startTestProxy({
      mode: 'hybrid',
      upstream: local(stall.port),
      replyTimeoutMs: 200,
      failThreshold: 3,
    })
    const box = await BoxClient.connect(proxy.port)
    const started = Date.now()
    expect(cls(await box.request(F.upload))).toBe('cloud.ack-getactual')
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    expect(stall.frames).toBe(1)
    expect(of('upstream-failure')).toEqual([
      expect.objectContaining({ result: 'timeout', decision: 'rescue', failCount: 1 }),
    ])
    expect(of('mode')).toEqual([])
    expect(proxy.state()).toMatchObject({ mode: 'hybrid', state: 'online', failCount: 1 })
  })

  it('switches to offline once when consecutive failures reach the threshold', async () => {
    const reset = await startFaultServer('reset')
    const { proxy, of } = await startTestProxy({
      mode: 'hybrid',
      upstream: local(reset.port),
      failThreshold: 3,
    })
    const box = await BoxClient.connect(proxy.port)
    for (let i = 0; i < 6; i++) expect(cls(await box.request(F.upload))).toBe('cloud.ack-getactual')
    expect(of('mode')).toEqual([
      expect.objectContaining({
        from: 'online',
        to: 'offline',
        failCount: 3,
        reason: '3 consecutive upstream failures (last: reset)',
      }),
    ])
    // After the switch nothing more goes upstream.
    expect(reset.frames).toBe(3)
    expect(proxy.state()).toMatchObject({ state: 'offline', failCount: 3 })
    expect(proxy.state().counters).toMatchObject({ rescued: 3, localReplies: 6 })
  })

  it('probes while offline and switches back online once when the upstream returns', async () => {
    const first = await startTestMock()
    const port = first.mock.port
    await first.mock.close()
    const { proxy, of } = await startTestProxy({
      mode: 'hybrid',
      upstream: local(port),
      failThreshold: 2,
      retryIntervalMs: 150,
    })
    const box = await BoxClient.connect(proxy.port)
    for (let i = 0; i < 2; i++) expect(cls(await box.request(F.upload))).toBe('cloud.ack-getactual')
    expect(proxy.state().state).toBe('offline')
    await expect.poll(() => of('probe').length).toBeGreaterThanOrEqual(1)
    expect(of('probe')[0]).toMatchObject({ result: 'refused' })
    expect(proxy.state().state).toBe('offline')

    const back = await startTestMock({ port })
    await expect.poll(() => proxy.state().state).toBe('online')
    expect(of('mode').map((e) => [e.from, e.to, e.failCount])).toEqual([
      ['online', 'offline', 2],
      ['offline', 'online', 0],
    ])
    expect(proxy.state().failCount).toBe(0)
    expect(cls(await box.request(F.mergedIsNewSet))).toBe('cloud.end-time')
    await expect.poll(() => back.mock.state().counters.framesIn).toBe(1)
    expect(of('mode')).toHaveLength(2)
  })

  it('rescues on a refused upstream with the legacy table when that set is active', async () => {
    const { proxy } = await startTestProxy({
      mode: 'hybrid',
      upstream: local(await closedPort()),
      localReplies: 'legacy',
    })
    const box = await BoxClient.connect(proxy.port)
    expect(cls(await box.request(F.upload))).toBe('cloud.ack')
    expect(proxy.state().counters.upstreamFailures.refused).toBe(1)
  })
})
