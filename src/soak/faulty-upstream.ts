/**
 * A fault-injecting upstream: a small TCP front on 127.0.0.1 that relays each frame to the mock
 * cloud and its reply back, unless told otherwise per frame (reset the connection, swallow the
 * frame, reply late, reply garbage) or told to refuse connects (listener closed, open ones dropped).
 */
import net from 'node:net'
import { OigError, reasonOf } from '../errors.js'
import { runningTimeout, type RunningTimeout } from '../running-timeout.js'
import { CRLF } from '../protocol/frame.js'
import { FrameSplitter } from '../protocol/frame-splitter.js'
import type { Endpoint } from '../targets/proxy/upstream.js'
import type { FrameFault } from './schedule.js'

/** Bytes that are no frame (no `<Frame>`): the proxy's splitter can never make a reply of them. */
const GARBAGE = '\u0015\u0000GARBAGE \u00ff\u00fe not a frame \u0007\r\n'

export interface FaultyUpstreamOptions {
  /** Where good frames go (the mock cloud). */
  readonly target: Endpoint
  /** The fault for the frame that just arrived, or null to relay it. */
  readonly decide: () => FrameFault | null
  /**
   * How long a `slow` reply is held back (wall ms of running time, the clock the proxy's reply
   * timeout uses: a stall of the loop delays both alike, so a slow reply stays slower than it).
   */
  readonly slowDelayMs: number
}

export interface FaultyUpstream {
  readonly port: number
  /** Frames received from the proxy. */
  readonly frames: number
  /** Frames each frame fault was applied to. */
  readonly injected: Readonly<Record<FrameFault, number>>
  /** Closes the listener and drops every open connection (true), or listens again (false). */
  setRefusing(on: boolean): Promise<void>
  close(): Promise<void>
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve((server.address() as net.AddressInfo).port)
    })
  })
}

/** Starts the front on a free loopback port. */
export async function startFaultyUpstream(opts: FaultyUpstreamOptions): Promise<FaultyUpstream> {
  const injected: Record<FrameFault, number> = { reset: 0, timeout: 0, slow: 0, garbage: 0 }
  const sockets = new Set<net.Socket>()
  const timers = new Set<RunningTimeout>()
  let frames = 0

  const onConnection = (box: net.Socket): void => {
    const cloud = net.connect({ host: opts.target.host, port: opts.target.port, noDelay: true })
    sockets.add(box)
    box.setNoDelay(true)
    const drop = (): void => {
      box.destroy()
      cloud.destroy()
    }
    box.on('error', drop)
    cloud.on('error', drop)
    box.on('close', () => {
      sockets.delete(box)
      cloud.destroy()
    })
    cloud.on('close', () => box.destroy())
    /** Per relayed frame, in order: whether its reply is held back. */
    const held: boolean[] = []
    const fromCloud = new FrameSplitter()
    cloud.on('data', (chunk: Buffer) => {
      for (const ev of fromCloud.push(chunk)) {
        if (ev.type !== 'frame') continue
        const reply = Buffer.concat([ev.bytes, CRLF])
        if (!held.shift()) {
          box.write(reply)
          continue
        }
        const timer = runningTimeout(() => {
          timers.delete(timer)
          if (!box.destroyed) box.write(reply)
        }, opts.slowDelayMs)
        timers.add(timer)
      }
    })
    const fromBox = new FrameSplitter()
    box.on('data', (chunk: Buffer) => {
      for (const ev of fromBox.push(chunk)) {
        if (ev.type !== 'frame' || box.destroyed) continue
        frames++
        const fault = opts.decide()
        if (fault !== null) injected[fault]++
        if (fault === 'reset') {
          box.resetAndDestroy()
          cloud.destroy()
          return
        }
        if (fault === 'timeout') continue
        if (fault === 'garbage') {
          box.write(GARBAGE, 'latin1')
          continue
        }
        held.push(fault === 'slow')
        cloud.write(Buffer.concat([ev.bytes, CRLF]))
      }
    })
  }

  let server = net.createServer({ noDelay: true }, onConnection)
  const port = await listen(server, 0)
  let refusing = false

  const stop = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const s of sockets) s.destroy()
    await closed
  }
  return {
    port,
    get frames() {
      return frames
    },
    injected,
    async setRefusing(on) {
      if (on === refusing) return
      refusing = on
      if (on) return stop()
      server = net.createServer({ noDelay: true }, onConnection)
      try {
        await listen(server, port)
      } catch (error) {
        throw new OigError(
          'LISTEN_FAILED',
          `Failed to reopen the faulty upstream on 127.0.0.1:${port}: ${reasonOf(error)}.`,
          {
            hint: 'Another program took the port during the soak; run the soak again.',
            cause: error,
          },
        )
      }
    },
    async close() {
      for (const t of timers) t.cancel()
      timers.clear()
      if (!refusing) await stop()
      refusing = true
    },
  }
}
