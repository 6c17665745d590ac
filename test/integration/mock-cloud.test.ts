import { describe, expect, it } from 'vitest'
import { OigError } from '../../src/errors.js'
import { classifyText } from '../../src/protocol/classify.js'
import { formatUtc } from '../../src/protocol/cz-time.js'
import { getTag, parseFrame } from '../../src/protocol/frame.js'
import { startMockCloud } from '../../src/targets/mock-cloud/server.js'
import { BoxClient } from '../helpers/box-client.js'
import { realFrames, shippedContract, withBadCrc } from '../helpers/box-frames.js'
import { observedReplies, realSessionPairs } from '../helpers/real-session.js'
import { startTestMock } from '../helpers/mock-cloud.js'

const F = realFrames()
const contract = shippedContract()
const cls = (frame: string | null): string => classifyText(frame ?? '', 'cloud').class
const tag = (frame: string | null, name: string): string | undefined => {
  const r = parseFrame(frame ?? '')
  return r.ok ? getTag(r.frame, name) : undefined
}

describe('mock cloud over TCP: the real session conn2315', () => {
  it('answers every BOX frame with a class the contract observed, the real one wherever it can tell', async () => {
    const { mock } = await startTestMock()
    const box = await BoxClient.connect(mock.port)
    const pairs = realSessionPairs()
    expect(pairs).toHaveLength(12)
    const differing: number[] = []
    for (const p of pairs) {
      const before = Date.now()
      const reply = await box.request(p.box)
      const observed = observedReplies(contract, p.box)
      expect(observed.has(cls(reply)), `frame ${p.id}`).toBe(true)
      if (observed.size === 1) expect(cls(reply), `frame ${p.id}`).toBe(cls(p.cloud))
      if (cls(reply) !== cls(p.cloud)) differing.push(p.id)
      if (cls(reply) === 'cloud.end-time') {
        expect([formatUtc(before), formatUtc(Date.now())]).toContain(tag(reply, 'UTCTime'))
      }
    }
    // Only the second tbl_actual differs: the real cloud sent a bare ACK there, and the contract
    // cannot tell it from the first tbl_actual (answered ACK+GetActual) by request or context.
    expect(differing).toEqual([13814])
    expect(observedReplies(contract, pairs.find((p) => p.id === 13814)!.box)).toEqual(
      new Set(['cloud.ack', 'cloud.ack-getactual']),
    )
  })
})

describe('mock cloud over TCP: framing and robustness', () => {
  it('assembles a frame sent in pieces, with its CRLF split across writes', async () => {
    const { mock } = await startTestMock()
    const box = await BoxClient.connect(mock.port)
    const frame = F.mergedIsNewSet
    const pending = () => mock.state().connections.open[0]?.pendingBytes
    await box.write(frame.slice(0, 300))
    await expect.poll(pending).toBe(300)
    await box.write(frame.slice(300, 600))
    await expect.poll(pending).toBe(600)
    await box.write(`${frame.slice(600)}\r`)
    expect(cls(await box.next())).toBe('cloud.end-time')
    await box.write(`\n${F.upload}\r\n`)
    expect(cls(await box.next())).toBe('cloud.ack-getactual')
    expect(mock.state().counters.garbage).toBe(0)
  })

  it('answers several frames that arrive in one write, one reply each, in order', async () => {
    const { mock } = await startTestMock()
    const box = await BoxClient.connect(mock.port)
    await box.write(
      [F.shortIsNewSet, F.upload, F.tblActual, F.boxEnd].map((f) => `${f}\r\n`).join(''),
    )
    const replies = [await box.next(), await box.next(), await box.next(), await box.next()]
    expect(replies.map(cls)).toEqual([
      'cloud.end-time-getactual',
      'cloud.ack-getactual',
      'cloud.ack-getactual',
      'cloud.ack',
    ])
  })

  it('answers a bad CRC with NACK WC and keeps the connection', async () => {
    const { mock, events } = await startTestMock()
    const box = await BoxClient.connect(mock.port)
    expect(cls(await box.request(F.badCrcProbe))).toBe('cloud.nack-wc')
    expect(cls(await box.request(withBadCrc(F.upload)))).toBe('cloud.nack-wc')
    expect(cls(await box.request(F.upload))).toBe('cloud.ack-getactual')
    expect(mock.state().counters.crcErrors).toBe(2)
    expect(events).toContainEqual(
      expect.objectContaining({ event: 'frame', dir: 'in', crcOk: false }),
    )
  })

  it('closes a connection that sends garbage, logs why, and still serves a new one', async () => {
    const { mock, events } = await startTestMock()
    const bad = await BoxClient.connect(mock.port)
    await bad.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await bad.closed
    await expect
      .poll(() => events.find((e) => e.event === 'close'))
      .toMatchObject({ reason: /^garbage/ })
    expect(events).toContainEqual(expect.objectContaining({ event: 'problem', problem: 'garbage' }))
    const good = await BoxClient.connect(mock.port)
    expect(cls(await good.request(F.shortIsNewSet))).toBe('cloud.end-time-getactual')
  })

  it('closes a connection whose frame grows past the size cap', async () => {
    const { mock, events } = await startTestMock({ maxFrameBytes: 1024 })
    const box = await BoxClient.connect(mock.port)
    await box.write(`<Frame><TblName>tbl_actual</TblName><X>${'9'.repeat(2000)}`)
    await box.closed
    await expect
      .poll(() => events.find((e) => e.event === 'close'))
      .toMatchObject({ reason: /^oversize/ })
    expect(mock.state().counters.oversize).toBe(1)
  })

  it('closes an idle connection after the idle timeout and logs it', async () => {
    const { mock, events } = await startTestMock({ idleTimeoutMs: 150 })
    const box = await BoxClient.connect(mock.port)
    await box.closed
    await expect
      .poll(() => events.find((e) => e.event === 'close'))
      .toMatchObject({ reason: /^idle timeout/ })
    expect(mock.state().counters.idleTimeouts).toBe(1)
  })

  it('survives a peer that resets mid-frame and serves the next one', async () => {
    const { mock, events } = await startTestMock()
    const rude = await BoxClient.connect(mock.port)
    await rude.write(F.mergedIsNewSet.slice(0, 100))
    await expect.poll(() => mock.state().connections.open[0]?.pendingBytes).toBe(100)
    rude.socket.resetAndDestroy()
    await expect.poll(() => mock.state().connections.open).toHaveLength(0)
    // The reset is logged with its reason, and the half frame was never answered.
    expect(events.find((e) => e.event === 'close')).toMatchObject({
      reason: 'socket error ECONNRESET',
      framesIn: 0,
      framesOut: 0,
    })
    const next = await BoxClient.connect(mock.port)
    expect(cls(await next.request(F.boxEnd))).toBe('cloud.ack')
  })

  it('refuses connections beyond the cap and logs them', async () => {
    const { mock, events } = await startTestMock({ maxConnections: 1 })
    const first = await BoxClient.connect(mock.port)
    const second = await BoxClient.connect(mock.port)
    await second.closed
    expect(events).toContainEqual(expect.objectContaining({ event: 'reject' }))
    expect(mock.state().connections.rejected).toBe(1)
    expect(cls(await first.request(F.upload))).toBe('cloud.ack-getactual')
  })

  it('on close stops accepting, flushes replies and ends open connections', async () => {
    const { mock, events } = await startTestMock()
    const box = await BoxClient.connect(mock.port)
    expect(cls(await box.request(F.upload))).toBe('cloud.ack-getactual')
    await mock.close('test')
    await box.closed
    expect(events.find((e) => e.event === 'close')).toMatchObject({ reason: 'server shutdown' })
    await expect(BoxClient.connect(mock.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })

  it('fails to start on a port in use with LISTEN_FAILED: address in use', async () => {
    const { mock } = await startTestMock()
    const attempt = startMockCloud({
      host: '127.0.0.1',
      port: mock.port,
      controlPort: null,
      contract,
      idleTimeoutMs: 0,
      maxConnections: 1,
      maxFrameBytes: 1024,
      log: () => undefined,
    })
    await expect(attempt).rejects.toBeInstanceOf(OigError)
    await expect(attempt).rejects.toMatchObject({
      code: 'LISTEN_FAILED',
      message: /address in use/,
    })
  })
})
