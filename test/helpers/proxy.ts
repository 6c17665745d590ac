/**
 * Proxy test helpers: a proxy on 127.0.0.1:0 with its events collected, and tiny inline upstream
 * fault servers (reset, stall, garbage, delayed reply) plus a port nobody listens on (refused).
 */
import net from 'node:net'
import { onTestFinished } from 'vitest'
import type { ProxyLogEvent } from '../../src/evidence/schemas/proxy-events.js'
import { CLOUD_ACK_GETACTUAL } from '../../src/protocol/cloud-frames.js'
import { FrameSplitter } from '../../src/protocol/frame-splitter.js'
import { startProxy, type ProxyHandle, type ProxyOptions } from '../../src/targets/proxy/server.js'
import { shippedContract } from './box-frames.js'

export interface TestProxy {
  readonly proxy: ProxyHandle
  readonly events: ProxyLogEvent[]
  /** `http://127.0.0.1:<controlPort>` */
  readonly api: string
  /** Events of one kind, in order. */
  of<K extends ProxyLogEvent['event']>(kind: K): Array<Extract<ProxyLogEvent, { event: K }>>
}

export async function startTestProxy(overrides: Partial<ProxyOptions> = {}): Promise<TestProxy> {
  const events: ProxyLogEvent[] = []
  const proxy = await startProxy({
    listen: { host: '127.0.0.1', port: 0 },
    mode: 'offline',
    replyTimeoutMs: 1000,
    failThreshold: 3,
    retryIntervalMs: 60_000,
    localReplies: 'contract',
    contract: shippedContract(),
    controlPort: 0,
    idleTimeoutMs: 60_000,
    maxConnections: 100,
    log: { write: (e) => events.push(e) },
    ...overrides,
  })
  onTestFinished(() => proxy.close())
  return {
    proxy,
    events,
    api: `http://127.0.0.1:${proxy.controlPort ?? 0}`,
    of: <K extends ProxyLogEvent['event']>(kind: K) =>
      events.filter((e): e is Extract<ProxyLogEvent, { event: K }> => e.event === kind),
  }
}

export type FaultBehaviour =
  /** Reset the connection when a frame arrives. */
  | 'reset'
  /** Read frames, never answer. */
  | 'stall'
  /** Answer each frame with bytes that are no frame. */
  | 'garbage'
  /** Answer each frame with ACK+GetActual after a delay (and then close, if told to). */
  | { readonly delayMs: number; readonly closeAfterReply?: boolean }

export interface FaultServer {
  readonly port: number
  /** Connections accepted so far. */
  connections: number
  /** Frames received so far. */
  frames: number
  close(): Promise<void>
}

/** Starts an upstream that misbehaves as told; closed when the test finishes. */
export async function startFaultServer(behaviour: FaultBehaviour): Promise<FaultServer> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    state.connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    const splitter = new FrameSplitter()
    socket.on('data', (chunk) => {
      for (const ev of splitter.push(chunk)) {
        if (ev.type !== 'frame') continue
        state.frames++
        if (behaviour === 'reset') socket.resetAndDestroy()
        else if (behaviour === 'garbage') socket.write('this is no frame\r\n')
        else if (behaviour !== 'stall')
          setTimeout(() => {
            socket.write(CLOUD_ACK_GETACTUAL)
            if (behaviour.closeAfterReply) socket.end()
          }, behaviour.delayMs)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as net.AddressInfo
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy()
      if (!server.listening) resolve()
      else server.close(() => resolve())
    })
  const state: FaultServer = { port: address.port, connections: 0, frames: 0, close }
  onTestFinished(close)
  return state
}

/** A loopback port with nothing listening (connecting to it is refused). */
export async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** POSTs JSON to the control API. */
export async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}
