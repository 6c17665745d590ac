/**
 * A BOX that pipelines: sends a list of frames on one connection as fast as TCP takes them, then
 * half-closes and collects every frame that comes back until the server closes (for fuzz and
 * volume tests, where waiting for each reply would take minutes).
 */
import net from 'node:net'
import { FrameSplitter } from '../../src/protocol/frame-splitter.js'

export interface BurstResult {
  /** `127.0.0.1:<local port>`: the peer the server logs for this connection. */
  readonly peer: string
  readonly sent: number
  /** Frames received, as the bytes that came off the wire. */
  readonly replies: Buffer[]
}

/** Sends `frames` (each with its line ending) in writes of `perWrite` frames, then FIN. */
export function burst(
  port: number,
  frames: readonly Buffer[],
  perWrite = 50,
): Promise<BurstResult> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true })
    const splitter = new FrameSplitter()
    const replies: Buffer[] = []
    let peer = ''
    socket.on('data', (chunk: Buffer) => {
      for (const e of splitter.push(chunk)) if (e.type === 'frame') replies.push(e.bytes)
    })
    socket.on('error', reject)
    socket.on('close', () => resolve({ peer, sent: frames.length, replies }))
    socket.once('connect', async () => {
      peer = `127.0.0.1:${socket.localPort}`
      for (let i = 0; i < frames.length; i += perWrite) {
        const ok = socket.write(Buffer.concat(frames.slice(i, i + perWrite)))
        if (!ok) await new Promise((r) => socket.once('drain', r))
      }
      socket.end()
    })
  })
}

/** Runs `lanes` bursts in parallel over the frames, split evenly. */
export async function bursts(
  port: number,
  frames: readonly Buffer[],
  lanes: number,
): Promise<BurstResult[]> {
  const per = Math.ceil(frames.length / lanes)
  const parts = Array.from({ length: lanes }, (_, i) => frames.slice(i * per, (i + 1) * per))
  return Promise.all(parts.filter((p) => p.length > 0).map((p) => burst(port, p)))
}
