/**
 * A stand-in BOX for socket tests: connects over TCP on 127.0.0.1, sends raw bytes and hands back
 * the frames it receives, one at a time, in order (framed with the project's FrameSplitter).
 */
import net from 'node:net'
import { onTestFinished } from 'vitest'
import { FrameSplitter } from '../../src/protocol/frame-splitter.js'

const REPLY_TIMEOUT_MS = 5_000

export class BoxClient {
  private readonly frames: string[] = []
  /** Every frame received so far, as the bytes that came off the wire. */
  readonly received: Buffer[] = []
  private readonly waiters: Array<(frame: string | null) => void> = []
  private readonly splitter = new FrameSplitter()
  private ended = false
  /** Resolves when the socket is fully closed (by either side). */
  readonly closed: Promise<void>

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const e of this.splitter.push(chunk)) {
        if (e.type !== 'frame') continue
        const waiter = this.waiters.shift()
        const text = e.bytes.toString('utf8')
        this.received.push(e.bytes)
        if (waiter) waiter(text)
        else this.frames.push(text)
      }
    })
    socket.on('error', () => undefined)
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.ended = true
        for (const w of this.waiters.splice(0)) w(null)
        resolve()
      }),
    )
  }

  /** Connects to 127.0.0.1:port; the socket is destroyed when the test finishes. */
  static connect(port: number): Promise<BoxClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, noDelay: true })
      socket.once('error', reject)
      socket.once('connect', () => {
        socket.off('error', reject)
        onTestFinished(() => {
          socket.destroy()
        })
        resolve(new BoxClient(socket))
      })
    })
  }

  /** Writes bytes as they are (a string as latin1); resolves once they are handed to the OS. */
  write(data: string | Buffer): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data
    return new Promise((resolve, reject) =>
      this.socket.write(bytes, (error) => (error ? reject(error) : resolve())),
    )
  }

  /** The next frame received (without its line ending); null when the connection closed first. */
  next(timeoutMs = REPLY_TIMEOUT_MS): Promise<string | null> {
    const ready = this.frames.shift()
    if (ready !== undefined) return Promise.resolve(ready)
    if (this.ended) return Promise.resolve(null)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no frame within ${timeoutMs} ms`)),
        timeoutMs,
      )
      this.waiters.push((frame) => {
        clearTimeout(timer)
        resolve(frame)
      })
    })
  }

  /** Sends one frame (CRLF added when missing) and returns the reply to it. */
  async request(frame: string): Promise<string | null> {
    await this.write(/\r\n$/.test(frame) ? frame : `${frame}\r\n`)
    return this.next()
  }

  end(): void {
    this.socket.end()
  }
}
