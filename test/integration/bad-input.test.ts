/**
 * Bad input at both servers over real sockets (issue 12 items 1, 7): frames whose key tags are
 * Object.prototype names (SYNTHETIC, built on real frames), garbage and a valid frame in one read,
 * a partial frame at FIN, oversize frames and a burst beyond the proxy's queue limit.
 */
import { describe, expect, it } from 'vitest'
import { classifyText } from '../../src/protocol/classify.js'
import { buildFrameFromPairs, carriedCrcOk } from '../../src/protocol/frame.js'
import { MAX_QUEUED_FRAMES } from '../../src/targets/proxy/box-connection.js'
import { BoxClient } from '../helpers/box-client.js'
import { bare, realFrames, withBadCrc } from '../helpers/box-frames.js'
import { burst } from '../helpers/box-burst.js'
import { PROTOTYPE_NAMES } from '../helpers/fuzz-frames.js'
import { postSetting, startTestMock } from '../helpers/mock-cloud.js'
import { startTestProxy } from '../helpers/proxy.js'

const F = realFrames()
const cls = (frame: string | null): string => classifyText(frame ?? '', 'cloud').class
const MODE3 = { table: 'tbl_box_prms', item: 'MODE', value: '3' }

/** SYNTHETIC frames with a prototype name in a classifying tag (valid CRC unless `bad`). */
function hostile(name: string): string[] {
  const frames = [
    bare(
      buildFrameFromPairs([
        ['Result', name],
        ['ID_Device', '2206237016'],
        ['ver', '1'],
      ]),
    ),
    bare(
      buildFrameFromPairs([
        ['TblName', name],
        ['Reason', 'Table'],
        ['ID_Device', name],
      ]),
    ),
    bare(
      buildFrameFromPairs([
        ['TblName', 'tbl_events'],
        ['Type', name],
        ['Reason', 'Table'],
      ]),
    ),
    bare(
      buildFrameFromPairs([
        ['Result', 'ACK'],
        ['Reason', name],
        ['ToDo', name],
      ]),
    ),
  ]
  return [...frames, ...frames.map(withBadCrc)]
}

const HOSTILE = PROTOTYPE_NAMES.flatMap(hostile)

describe('frames keyed by Object.prototype names', () => {
  it.each([
    ['offline, legacy replies, nothing queued', { mode: 'offline', localReplies: 'legacy' }, false],
    ['offline, contract replies, a Setting queued', { mode: 'offline' }, true],
  ] as const)('leave the proxy serving (%s)', async (_name, options, queue) => {
    const { proxy, of } = await startTestProxy(options)
    if (queue) proxy.queue.add(MODE3, Date.now())
    const box = await BoxClient.connect(proxy.port)
    const answered = await burst(
      proxy.port,
      HOSTILE.map((f) => Buffer.from(`${f}\r\n`)),
    )
    expect(of('close').map((c) => c.reason)).not.toContainEqual(expect.stringMatching(/internal/))
    expect(of('frame').filter((e) => e.dir === 'in')).toHaveLength(HOSTILE.length)
    expect(answered.replies.length).toBe(proxy.state().counters.localReplies)
    expect(cls(await box.request(F.upload))).toMatch(/^cloud\.ack/)
    for (const e of of('frame')) expect(e.class).toMatch(/^(box|cloud)\.[a-z.-]+$/)
  })

  it.each(['online', 'hybrid'] as const)(
    'leave the proxy serving with a queued Setting (%s, upstream the mock)',
    async (mode) => {
      const { mock } = await startTestMock()
      const upstream = { host: '127.0.0.1', port: mock.port }
      const { proxy, of } = await startTestProxy({ mode, upstream, replyTimeoutMs: 300 })
      proxy.queue.add(MODE3, Date.now())
      const box = await BoxClient.connect(proxy.port)
      for (const f of hostile('constructor').concat(hostile('__proto__')))
        await box.write(`${f}\r\n`)
      expect(cls(await box.request(F.shortIsNewSet))).toMatch(/^cloud\./)
      expect(of('close').map((c) => c.reason)).not.toContainEqual(expect.stringMatching(/internal/))
      const other = await BoxClient.connect(proxy.port)
      expect(cls(await other.request(F.upload))).toBe('cloud.ack-getactual')
    },
  )

  it('leave the mock serving, its log classes in the closed vocabulary', async () => {
    const { mock, api, events } = await startTestMock()
    expect((await postSetting(api, MODE3)).status).toBe(201)
    const answered = await burst(
      mock.port,
      HOSTILE.map((f) => Buffer.from(`${f}\r\n`)),
    )
    expect(answered.replies.length).toBe(mock.state().counters.repliesOut)
    const box = await BoxClient.connect(mock.port)
    expect(cls(await box.request(F.upload))).toBe('cloud.ack-getactual')
    const frames = events.filter((e) => e.event === 'frame')
    for (const e of frames) expect(e.class).toMatch(/^(box|cloud)\.[a-z.-]+$/)
    expect(JSON.stringify(events)).not.toMatch(/native code/)
  })
})

describe.each(['mock', 'proxy'] as const)('%s: bad input beside good frames', (target) => {
  async function start(): Promise<{
    port: number
    counters: () => { crcErrors: number; garbage: number; oversize: number }
    problems: () => Array<{ problem: string; bytes: number }>
    closes: () => string[]
  }> {
    if (target === 'mock') {
      const { mock, events } = await startTestMock({ maxFrameBytes: 2048 })
      const of = (k: string): Array<Record<string, unknown>> =>
        events.filter((e) => e.event === k) as unknown as Array<Record<string, unknown>>
      return {
        port: mock.port,
        counters: () => mock.state().counters,
        problems: () => of('problem') as Array<{ problem: string; bytes: number }>,
        closes: () => of('close').map((e) => String(e.reason)),
      }
    }
    const { proxy, of } = await startTestProxy({ maxFrameBytes: 2048 })
    return {
      port: proxy.port,
      counters: () => proxy.state().counters,
      problems: () => of('problem'),
      closes: () => of('close').map((e) => e.reason),
    }
  }

  it('answers a valid frame that arrives in the same read as garbage, then closes', async () => {
    const s = await start()
    const box = await BoxClient.connect(s.port)
    await box.write(`${F.upload}\r\nGET / HTTP/1.1\r\n\r\n${F.upload}\r\n`)
    expect(cls(await box.next())).toBe('cloud.ack-getactual')
    expect(cls(await box.next())).toBe('cloud.ack-getactual')
    await box.closed
    expect(s.counters()).toMatchObject({ garbage: 1, crcErrors: 0 })
    expect(s.problems()).toEqual([expect.objectContaining({ problem: 'garbage', bytes: 18 })])
    await expect.poll(() => s.closes()).toEqual([expect.stringMatching(/^garbage: 18 byte/)])
  })

  it('logs and counts a partial frame left at FIN', async () => {
    const s = await start()
    const box = await BoxClient.connect(s.port)
    await box.write(`${F.upload}\r\n${F.upload.slice(0, 50)}`)
    expect(cls(await box.next())).toBe('cloud.ack-getactual')
    box.socket.end()
    await box.closed
    await expect
      .poll(() => s.problems())
      .toEqual([
        expect.objectContaining({ problem: 'garbage', bytes: 50, sample: F.upload.slice(0, 50) }),
      ])
    expect(s.counters()).toMatchObject({ garbage: 1 })
    await expect
      .poll(() => s.closes())
      .toEqual([expect.stringMatching(/^partial frame at FIN: 50 byte/)])
  })

  it('counts bad CRCs and an oversize frame, and answers the frame before it', async () => {
    const s = await start()
    const box = await BoxClient.connect(s.port)
    await box.write(`${withBadCrc(F.upload)}\r\n<Frame>${'<A>1</A>'.repeat(400)}`)
    expect(cls(await box.next())).toBe('cloud.nack-wc')
    await box.closed
    expect(s.counters()).toMatchObject({ crcErrors: 1, oversize: 1 })
    await expect.poll(() => s.closes()).toEqual([expect.stringMatching(/^oversize frame/)])
  })
})

describe('proxy: frames queued beyond the limit', () => {
  it(`answers a burst of ${4 * MAX_QUEUED_FRAMES} back-to-back frames in full, with the pause logged`, async () => {
    const { proxy, of } = await startTestProxy()
    const n = 4 * MAX_QUEUED_FRAMES
    const frames = Array.from({ length: n }, () => Buffer.from(`${F.upload}\r\n`))
    const r = await burst(proxy.port, frames, n)
    expect(r.replies.map((b) => cls(b.toString()))).toEqual(Array(n).fill('cloud.ack-getactual'))
    expect(of('problem')).toContainEqual(expect.objectContaining({ problem: 'backlog' }))
    expect(proxy.state().counters.backlogPauses).toBeGreaterThan(0)
    expect(of('close')).toEqual([expect.objectContaining({ framesIn: n, framesOut: n })])
  })
})

describe.each(['mock', 'proxy'] as const)('%s: a non-ASCII Setting value', (target) => {
  it('goes out UTF-8-encoded with a CRC over exactly the bytes sent', async () => {
    const { port, api } =
      target === 'mock'
        ? await startTestMock().then((m) => ({ port: m.mock.port, api: m.api }))
        : await startTestProxy().then((p) => ({ port: p.proxy.port, api: p.api }))
    const queued = await postSetting(api, { ...MODE3, value: 'ř é' })
    expect(queued.status).toBe(201)
    const box = await BoxClient.connect(port)
    expect(cls(await box.request(F.shortIsNewSet))).toBe('cloud.setting')
    const sent = box.received.at(-1)!
    expect(sent.includes(Buffer.from('<NewValue>ř é</NewValue>', 'utf8'))).toBe(true)
    expect(carriedCrcOk(sent)).toBe(true)
  })
})
