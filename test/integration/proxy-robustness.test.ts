import { describe, expect, it } from 'vitest'
import { classifyText } from '../../src/protocol/classify.js'
import { BoxClient } from '../helpers/box-client.js'
import { realFrames } from '../helpers/box-frames.js'
import { startFaultServer, startTestProxy } from '../helpers/proxy.js'

const F = realFrames()
const cls = (frame: string | null): string => classifyText(frame ?? '', 'cloud').class

describe('proxy robustness', () => {
  it('closes a BOX that sends garbage and keeps serving the others', async () => {
    const { proxy, of } = await startTestProxy()
    const good = await BoxClient.connect(proxy.port)
    const bad = await BoxClient.connect(proxy.port)
    await bad.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await bad.closed
    expect(of('problem')).toEqual([expect.objectContaining({ conn: 2, problem: 'garbage' })])
    expect(cls(await good.request(F.upload))).toBe('cloud.ack-getactual')
  })

  it('closes a BOX that sends an oversize frame', async () => {
    const { proxy, of } = await startTestProxy({ maxFrameBytes: 2048 })
    const box = await BoxClient.connect(proxy.port)
    await box.write(`<Frame>${'<A>1</A>'.repeat(400)}`)
    await box.closed
    expect(of('problem')).toEqual([expect.objectContaining({ problem: 'oversize' })])
  })

  it('answers a frame the BOX sent just before half-closing, then closes', async () => {
    const { proxy, of } = await startTestProxy()
    const box = await BoxClient.connect(proxy.port)
    await box.write(`${F.upload}\r\n`)
    box.end()
    expect(cls(await box.next())).toBe('cloud.ack-getactual')
    await box.closed
    await expect
      .poll(() => of('close'))
      .toEqual([
        expect.objectContaining({ framesIn: 1, framesOut: 1, reason: 'closed by the BOX' }),
      ])
  })

  it('closes a stalled BOX after the idle timeout', async () => {
    const { proxy, of } = await startTestProxy({ idleTimeoutMs: 150 })
    const box = await BoxClient.connect(proxy.port)
    await box.write(F.upload.slice(0, 40))
    await box.closed
    await expect.poll(() => of('close')[0]?.reason).toBe('idle for 150 ms')
  })

  it('refuses connections beyond the cap and logs them', async () => {
    const { proxy, of } = await startTestProxy({ maxConnections: 2 })
    const a = await BoxClient.connect(proxy.port)
    const b = await BoxClient.connect(proxy.port)
    const c = await BoxClient.connect(proxy.port)
    await c.closed
    expect(of('reject')).toEqual([
      expect.objectContaining({ reason: 'at the cap of 2 connections' }),
    ])
    expect(cls(await a.request(F.upload))).toBe('cloud.ack-getactual')
    expect(cls(await b.request(F.upload))).toBe('cloud.ack-getactual')
    expect(proxy.state().connections).toMatchObject({ open: 2, rejected: 1 })
  })

  it('reconnects upstream for the next frame when the upstream closed between frames', async () => {
    const closing = await startFaultServer({ delayMs: 0, closeAfterReply: true })
    const { proxy } = await startTestProxy({
      mode: 'online',
      upstream: { host: '127.0.0.1', port: closing.port },
    })
    const box = await BoxClient.connect(proxy.port)
    for (let i = 0; i < 3; i++) expect(cls(await box.request(F.upload))).toBe('cloud.ack-getactual')
    expect(closing.connections).toBe(3)
    expect(proxy.state().counters).toMatchObject({ upstreamReplies: 3, unanswered: 0 })
  })

  it('does not count a BOX that resets mid-exchange as an upstream failure', async () => {
    const slow = await startFaultServer({ delayMs: 200 })
    const { proxy, of } = await startTestProxy({
      mode: 'hybrid',
      upstream: { host: '127.0.0.1', port: slow.port },
      failThreshold: 1,
    })
    const box = await BoxClient.connect(proxy.port)
    await box.write(`${F.upload}\r\n`)
    await expect.poll(() => slow.frames).toBe(1)
    box.socket.resetAndDestroy()
    await expect.poll(() => of('close')).toEqual([expect.objectContaining({ framesOut: 0 })])
    expect(of('upstream-failure')).toEqual([])
    expect(proxy.state()).toMatchObject({ state: 'online', failCount: 0 })
    const next = await BoxClient.connect(proxy.port)
    expect(cls(await next.request(F.upload))).toBe('cloud.ack-getactual')
  })

  it('finishes in-flight replies on close, then closes the connection', async () => {
    const slow = await startFaultServer({ delayMs: 300 })
    const { proxy, of } = await startTestProxy({
      mode: 'online',
      upstream: { host: '127.0.0.1', port: slow.port },
    })
    const box = await BoxClient.connect(proxy.port)
    await box.write(`${F.upload}\r\n`)
    await expect.poll(() => slow.frames).toBe(1)
    const closing = proxy.close('test')
    expect(cls(await box.next())).toBe('cloud.ack-getactual')
    await closing
    await box.closed
    expect(of('close')).toEqual([expect.objectContaining({ reason: 'shutdown', framesOut: 1 })])
    expect(of('shutdown')).toEqual([expect.objectContaining({ reason: 'test' })])
    await expect(BoxClient.connect(proxy.port)).rejects.toThrow()
  })
})
