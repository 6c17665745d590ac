/**
 * The replaying BOX against tiny inline TCP servers on 127.0.0.1: late, doubled and garbage
 * replies, a target that closes or never accepts, pacing and the hold after the last reply. The
 * frames are SYNTHETIC (built with buildFrameFromPairs); each reply carries the number of the
 * request it answers in `<Seq>`, so a reply taken for the wrong request shows.
 */
import net, { type AddressInfo } from 'node:net'
import { Worker } from 'node:worker_threads'
import { describe, expect, it, onTestFinished } from 'vitest'
import { buildFrameFromPairs } from '../../src/protocol/frame.js'
import { FrameSplitter } from '../../src/protocol/frame-splitter.js'
import { ReplayConnection, runReplay, type ReplayPacing } from '../../src/replay/client.js'
import type { ReplayPlan, ReplayStep } from '../../src/replay/plan.js'
import type { ReplyRecord } from '../../src/replay/transcript-schema.js'

/**
 * The reply wait of these tests: the servers run in this process, so a prompt reply needs this
 * process to run; 100 ms was less than the event-loop stalls seen on a loaded 2-core machine
 * (up to ~380 ms at load 11), a prompt reply could then count as no-reply.
 */
const REPLY_WAIT_MS = 1000
const MAX_SPEED: ReplayPacing = {
  speed: 1,
  maxSpeed: true,
  replyTimeoutMs: REPLY_WAIT_MS,
  holdAfterS: 0,
}

const request = (seq: number): string =>
  buildFrameFromPairs([
    ['TblName', 'tbl_actual'],
    ['Reason', 'Table'],
    ['Seq', String(seq)],
  ])
const reply = (label: string): string =>
  buildFrameFromPairs([
    ['Result', 'ACK'],
    ['ToDo', 'GetActual'],
    ['Seq', label],
  ])
const seqOf = (frame: string): string | undefined => /<Seq>([^<]*)<\/Seq>/.exec(frame)?.[1]
const labels = (records: readonly (ReplyRecord | null)[]): Array<string | undefined> =>
  records.map((r) => (r ? seqOf(r.raw) : undefined))

/** A plan of `count` SYNTHETIC uploads, `gapMs` apart in the "recording". */
function planOf(count: number, gapMs: number | null = null): ReplayPlan {
  const steps: ReplayStep[] = Array.from({ length: count }, (_, i) => ({
    seq: i + 1,
    id: 100 + i,
    class: 'box.upload',
    table: 'tbl_actual',
    eventType: null,
    pollForm: null,
    raw: request(i + 1),
    gapMs: i === 0 ? null : gapMs,
    recorded: null,
    answersSetting: false,
    context: 'normal',
    settingPollCaptured: false,
  }))
  return { sessionId: 'synthetic', source: 'replay-client.test', steps, settings: [] }
}

interface Received {
  readonly conn: number
  readonly seq: number
  readonly at: number
  readonly socket: net.Socket
}

interface TestServer {
  readonly port: number
  readonly received: Received[]
  /** Connections (1-based) that have closed. */
  readonly closed: number[]
}

/** A TCP server on 127.0.0.1:0 that hands every BOX frame it receives to `onFrame`. */
async function startServer(onFrame: (r: Received) => void): Promise<TestServer> {
  const received: Received[] = []
  const closed: number[] = []
  const sockets = new Set<net.Socket>()
  let conns = 0
  const server = net.createServer((socket) => {
    const conn = ++conns
    const splitter = new FrameSplitter()
    sockets.add(socket)
    socket.setNoDelay(true)
    socket.on('error', () => undefined)
    socket.on('close', () => {
      sockets.delete(socket)
      closed.push(conn)
    })
    socket.on('data', (chunk) => {
      for (const e of splitter.push(chunk)) {
        if (e.type !== 'frame') continue
        const r = {
          conn,
          seq: Number(seqOf(e.bytes.toString('utf8'))),
          at: performance.now(),
          socket,
        }
        received.push(r)
        onFrame(r)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { port: (server.address() as AddressInfo).port, received, closed }
}

const at = (port: number): { host: string; port: number } => ({ host: '127.0.0.1', port })

describe('replay client over real sockets', () => {
  it('goes on with a new connection after a no-reply, so a late reply is not taken for the next one', async () => {
    let held: Received | null = null
    const server = await startServer((r) => {
      // The reply to the first frame is late: it goes out only when the next frame comes in.
      if (r.conn === 1 && r.seq === 1) held = r
      else if (held && r.conn === held.conn) r.socket.write(reply('1') + reply(String(r.seq)))
      else r.socket.write(reply(String(r.seq)))
    })
    const steps = await runReplay(planOf(3), at(server.port), MAX_SPEED)
    expect(steps.map((s) => s.outcome)).toEqual(['no-reply', 'reply', 'reply'])
    expect(labels(steps.map((s) => s.reply))).toEqual([undefined, '2', '3'])
    expect(steps.map((s) => s.notes)).toEqual([
      [`no reply within ${REPLY_WAIT_MS} ms`],
      ['reconnected after no-reply'],
      [],
    ])
    expect(server.received.map((r) => [r.conn, r.seq])).toEqual([
      [1, 1],
      [2, 2],
      [2, 3],
    ])
    await expect.poll(() => server.closed).toContain(1)
  })

  it('closes a live connection after a no-reply and names the reason on every later step', async () => {
    const server = await startServer((r) => {
      if (r.seq !== 2) r.socket.write(reply(String(r.seq)))
    })
    const conn = await ReplayConnection.open(at(server.port))
    try {
      const steps = await conn.replay(planOf(4), MAX_SPEED)
      expect(steps.map((s) => s.outcome)).toEqual(['reply', 'no-reply', 'closed', 'closed'])
      const reason = `out of sync: no reply to seq 2 within ${REPLY_WAIT_MS} ms, so a later reply could be taken for the reply to another frame`
      expect(conn.closed).toBe(true)
      expect(conn.closeReason).toBe(reason)
      expect(steps[3]!.notes).toEqual([`connection closed: ${reason}`])
      expect(server.received.map((r) => r.seq)).toEqual([1, 2])
    } finally {
      conn.destroy()
    }
  })

  it('records a second frame that follows a reply at once as extra, not as the next reply', async () => {
    const server = await startServer((r) => {
      if (r.seq === 1) {
        // A faulty target: two replies to one request (e.g. END, then a Setting) 1 ms apart.
        r.socket.write(reply('1'))
        setTimeout(() => r.socket.write(reply('1+')), 1)
      } else setTimeout(() => r.socket.write(reply(String(r.seq))), 3)
    })
    const steps = await runReplay(planOf(3), at(server.port), MAX_SPEED)
    expect(labels(steps.map((s) => s.reply))).toEqual(['1', '2', '3'])
    expect(steps.map((s) => labels(s.extra))).toEqual([['1+'], [], []])
  })

  it('notes the byte count of garbage a target sends instead of (or before) a reply', async () => {
    const junk = 'HTTP/1.1 400 Bad Request\r\n\r\n'
    const server = await startServer((r) => {
      if (r.seq === 1) r.socket.write(junk)
      else r.socket.write(`xx${reply(String(r.seq))}`)
    })
    const steps = await runReplay(planOf(2), at(server.port), MAX_SPEED)
    expect(steps.map((s) => s.outcome)).toEqual(['no-reply', 'reply'])
    expect(steps[0]!.notes).toEqual([
      `no reply within ${REPLY_WAIT_MS} ms`,
      `garbage from target: ${junk.length} bytes`,
    ])
    expect(steps[1]!.notes).toEqual(['reconnected after no-reply', 'garbage from target: 2 bytes'])
  })

  it('records the frames after the target closed the connection as closed', async () => {
    const server = await startServer((r) => {
      if (r.seq < 3) r.socket.write(reply(String(r.seq)))
      else r.socket.destroy()
    })
    const steps = await runReplay(planOf(4), at(server.port), MAX_SPEED)
    expect(steps.map((s) => s.outcome)).toEqual(['reply', 'reply', 'closed', 'closed'])
    expect(steps.slice(2).map((s) => s.notes)).toEqual([
      ['connection closed: closed by the target'],
      ['connection closed: closed by the target'],
    ])
    expect(server.received.map((r) => [r.conn, r.seq])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
    ])
  })

  it('paces the frames by the recorded gaps divided by --speed', async () => {
    const server = await startServer((r) => r.socket.write(reply(String(r.seq))))
    const pacing = { speed: 8, maxSpeed: false, replyTimeoutMs: 1000, holdAfterS: 0 }
    const steps = await runReplay(planOf(3, 800), at(server.port), pacing)
    expect(steps.map((s) => s.outcome)).toEqual(['reply', 'reply', 'reply'])
    const [a, b, c] = server.received.map((r) => r.at)
    // 800 ms recorded / 8 = 100 ms (timers may fire a little late, never 8x late).
    for (const gap of [b! - a!, c! - b!]) {
      expect(gap).toBeGreaterThanOrEqual(99)
      expect(gap).toBeLessThan(400)
    }
  })

  it('catches a frame sent after the last reply as extra while --hold-after-s holds the connection', async () => {
    const server = await startServer((r) => {
      r.socket.write(reply(String(r.seq)))
      if (r.seq === 2)
        setTimeout(() => {
          r.socket.write(reply('late'))
          r.socket.end()
        }, 30)
    })
    const started = performance.now()
    const steps = await runReplay(planOf(2), at(server.port), { ...MAX_SPEED, holdAfterS: 30 })
    expect(steps.map((s) => labels(s.extra))).toEqual([[], ['late']])
    // The hold ends when the target closes, not after 30 s.
    expect(performance.now() - started).toBeLessThan(10_000)

    const without = await runReplay(planOf(2), at(server.port), MAX_SPEED)
    expect(without.map((s) => labels(s.extra))).toEqual([[], []])
  })

  it('leaves no timer behind once it resolves, so the process can exit right after the last reply', async () => {
    const server = await startServer((r) => r.socket.write(reply(String(r.seq))))
    const timers = (): number =>
      process.getActiveResourcesInfo().filter((t) => t === 'Timeout').length
    const before = timers()
    const steps = await runReplay(planOf(3), at(server.port), {
      ...MAX_SPEED,
      replyTimeoutMs: 30_000,
    })
    expect(steps.map((s) => s.outcome)).toEqual(['reply', 'reply', 'reply'])
    // Other tests' server timers may still run out; a reply wait of 30 s would stay.
    await expect.poll(timers).toBeLessThanOrEqual(before)
  })

  it(
    'reports every frame as not sent when the target never accepts the connection',
    { timeout: 10_000 },
    async () => {
      const port = await startBlackhole()
      const started = performance.now()
      const steps = await runReplay(planOf(2), at(port), { ...MAX_SPEED, replyTimeoutMs: 200 })
      expect(steps.map((s) => [s.outcome, ...s.notes])).toEqual([
        ['not-sent', `could not connect to 127.0.0.1:${port}`, 'no connection within 200 ms'],
        ['not-sent', `could not connect to 127.0.0.1:${port}`, 'no connection within 200 ms'],
      ])
      expect(performance.now() - started).toBeLessThan(5000)
    },
  )
})

/**
 * A loopback listener whose thread is blocked (it never accepts) with its accept queue filled:
 * further connects hang like ones to a blackholed host.
 */
async function startBlackhole(): Promise<number> {
  const worker = new Worker(
    `const net = require('node:net')
     const { parentPort } = require('node:worker_threads')
     const server = net.createServer().listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
       parentPort.postMessage(server.address().port)
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
     })`,
    { eval: true },
  )
  onTestFinished(() => worker.terminate().then(() => undefined))
  const port = await new Promise<number>((resolve) => worker.once('message', resolve))
  // backlog 1 queues two connections on Linux; these fill the queue before the replay connects.
  const fillers = Array.from({ length: 3 }, () =>
    net.connect({ host: '127.0.0.1', port }).on('error', () => undefined),
  )
  onTestFinished(() => {
    for (const s of fillers) s.destroy()
  })
  return port
}
