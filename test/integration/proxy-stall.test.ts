/**
 * A stall of the proxy's own event loop (CPU starvation on a loaded machine) is not the upstream's
 * delay: the reply timeout counts running time (src/running-timeout.ts). The stall is made on
 * purpose here — a synchronous busy wait in the same process — so these tests are deterministic;
 * with a plain wall-clock timer the first two rescue a reply that was there in time.
 */
import net from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { classifyText } from '../../src/protocol/classify.js'
import { CLOUD_ACK_GETACTUAL } from '../../src/protocol/cloud-frames.js'
import { FrameSplitter } from '../../src/protocol/frame-splitter.js'
import { runningTimeout } from '../../src/running-timeout.js'
import { BoxClient } from '../helpers/box-client.js'
import { realFrames } from '../helpers/box-frames.js'
import { closedPort, startFaultServer, startTestProxy } from '../helpers/proxy.js'
import type { ProxyLogEvent } from '../../src/evidence/schemas/proxy-events.js'

const F = realFrames()
const cls = (frame: string | null): string => classifyText(frame ?? '', 'cloud').class
const REPLY_TIMEOUT_MS = 50
const STALL_MS = 300

/** Blocks this process's event loop for `ms` (what the OS scheduler does to a starved process). */
function stall(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // busy
  }
}

/** An upstream in this process: on each frame, stalls the loop, replying before or after it. */
async function stallingUpstream(replyBeforeStall: boolean): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined)
    const splitter = new FrameSplitter()
    socket.on('data', (chunk) => {
      for (const ev of splitter.push(chunk)) {
        if (ev.type !== 'frame') continue
        if (replyBeforeStall) socket.write(CLOUD_ACK_GETACTUAL)
        stall(STALL_MS)
        // After the stall the reply needs the loop again (as the soak's in-process mock does).
        if (!replyBeforeStall) setImmediate(() => socket.write(CLOUD_ACK_GETACTUAL))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return (server.address() as net.AddressInfo).port
}

describe('proxy reply timeout under a stalled event loop', () => {
  it.each([
    ['waiting in the socket when the stall ends', true],
    ['sent by an upstream that could not run during the stall', false],
  ])('forwards a reply %s (no timeout, no rescue)', async (_n, before) => {
    const port = await stallingUpstream(before)
    const { proxy, of } = await startTestProxy({
      mode: 'hybrid',
      upstream: { host: '127.0.0.1', port },
      replyTimeoutMs: REPLY_TIMEOUT_MS,
    })
    const box = await BoxClient.connect(proxy.port)
    expect(cls(await box.request(F.upload))).toBe('cloud.ack-getactual')
    expect(of('upstream-failure')).toEqual([])
    expect(proxy.state().counters).toMatchObject({ upstreamReplies: 1, rescued: 0 })
  })

  it('still times out an upstream that never replies, stall or not', async () => {
    const silent = await startFaultServer('stall')
    const { proxy, of } = await startTestProxy({
      mode: 'hybrid',
      upstream: { host: '127.0.0.1', port: silent.port },
      replyTimeoutMs: REPLY_TIMEOUT_MS,
    })
    const box = await BoxClient.connect(proxy.port)
    const reply = box.request(F.upload)
    await expect.poll(() => silent.frames).toBe(1)
    stall(STALL_MS)
    expect(cls(await reply)).toBe('cloud.ack-getactual')
    expect(of('upstream-failure')).toEqual([
      expect.objectContaining({ result: 'timeout', decision: 'rescue' }),
    ])
    expect(proxy.state().counters).toMatchObject({ upstreamReplies: 0, rescued: 1 })
  })

  it('still times out a reply slower than the timeout', async () => {
    const slow = await startFaultServer({ delayMs: 4 * REPLY_TIMEOUT_MS })
    const { proxy } = await startTestProxy({
      mode: 'hybrid',
      upstream: { host: '127.0.0.1', port: slow.port },
      replyTimeoutMs: REPLY_TIMEOUT_MS,
    })
    const box = await BoxClient.connect(proxy.port)
    expect(cls(await box.request(F.upload))).toBe('cloud.ack-getactual')
    expect(proxy.state().counters).toMatchObject({ upstreamReplies: 0, rescued: 1 })
    expect(proxy.state().counters.upstreamFailures.timeout).toBe(1)
  })
})

describe('hybrid probes under a stalled event loop', () => {
  it('keeps the probes on the cadence of the switch: a stall delays one probe, not every later one', async () => {
    const RETRY_MS = 250
    const PROBE_STALL_MS = 80
    const PROBES = 6
    const events: ProxyLogEvent[] = []
    const { proxy } = await startTestProxy({
      mode: 'hybrid',
      upstream: { host: '127.0.0.1', port: await closedPort() },
      failThreshold: 1,
      retryIntervalMs: RETRY_MS,
      // Each probe's outcome is followed by a stall, before the proxy sets its next probe.
      log: {
        write: (e) => {
          events.push(e)
          if (e.event === 'probe') stall(PROBE_STALL_MS)
        },
      },
    })
    const box = await BoxClient.connect(proxy.port)
    expect(cls(await box.request(F.upload))).toBe('cloud.ack-getactual')
    const switched = events.find((e) => e.event === 'mode')
    expect(switched).toMatchObject({ to: 'offline', failCount: 1 })
    const probes = (): ProxyLogEvent[] => events.filter((e) => e.event === 'probe')
    await expect.poll(probes, { timeout: 10_000 }).toHaveLength(PROBES)
    const t0 = Date.parse(switched!.at)
    // Lateness of probe k against the cadence; counted from the end of each stall it would grow
    // by the stall every time (≥ 400 ms by the sixth).
    const late = probes().map((e, i) => Date.parse(e.at) - (t0 + (i + 1) * RETRY_MS))
    for (const ms of late) expect(ms).toBeGreaterThanOrEqual(0)
    expect(Math.max(...late)).toBeLessThan(((PROBES - 1) * PROBE_STALL_MS) / 2)
    expect(proxy.state().state).toBe('offline')
  })
})

describe('runningTimeout', () => {
  it('does not count a stall, and keeps two timeouts in order across it', async () => {
    const fired: Array<[string, number]> = []
    const t0 = performance.now()
    const done = new Promise<void>((resolve) => {
      runningTimeout(() => fired.push(['short', performance.now()]), 40)
      runningTimeout(() => {
        fired.push(['long', performance.now()])
        resolve()
      }, 80)
    })
    stall(STALL_MS)
    const stallEnd = performance.now()
    await done
    expect(fired.map(([n]) => n)).toEqual(['short', 'long'])
    // A wall-clock timer would fire right after the stall; these still owe most of their time.
    expect(fired[0]![1] - stallEnd).toBeGreaterThanOrEqual(20)
    expect(fired[1]![1] - stallEnd).toBeGreaterThanOrEqual(60)
    expect(fired[1]![1] - t0).toBeLessThan(STALL_MS + 1000)
  })

  it('fires after its time when nothing stalls, and not after cancel', async () => {
    let n = 0
    const t0 = performance.now()
    await new Promise<void>((resolve) => runningTimeout(resolve, 30))
    expect(performance.now() - t0).toBeGreaterThanOrEqual(29)
    runningTimeout(() => n++, 10).cancel()
    await new Promise((r) => setTimeout(r, 50))
    expect(n).toBe(0)
  })
})
