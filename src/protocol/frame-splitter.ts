/**
 * Stream framing (PROTOCOL.md §1): split a byte stream on `</Frame>`, swallow one optional CRLF,
 * lone CR or lone LF after it, tolerate half frames, several frames per chunk and garbage between
 * frames, and bound memory with an oversize guard. Frames come out as the bytes received.
 */
import { FRAME_CLOSE, FRAME_OPEN, wireBytes } from './frame.js'

/**
 * A frame without `</Frame>` past this many bytes is an error, not unbounded memory. The one
 * default of oigctl (mock, proxy, upstream, soak): the largest real frame is ~760 bytes (§1).
 */
export const MAX_FRAME_BYTES = 16 * 1024

export type SplitterEvent =
  /** A complete frame, `<Frame>` … `</Frame>` without its line ending, byte for byte. */
  | { readonly type: 'frame'; readonly bytes: Buffer }
  | { readonly type: 'garbage'; readonly bytes: number; readonly sample: string }
  | { readonly type: 'oversize'; readonly bytes: number }

export interface FrameSplitterOptions {
  readonly maxFrameBytes?: number
}

/** Incremental splitter: push chunks, get complete frames (without line ending) and problems. */
export class FrameSplitter {
  private buffer = ''
  /** A CR was swallowed at the very end of the previous chunk; a LF may still follow. */
  private afterCr = false
  /** A frame ended at the very end of the previous chunk; its line ending may follow. */
  private afterFrame = false
  /** Discarding an oversize frame until the next `<Frame>`. */
  private skipping = false
  private readonly maxFrameBytes: number

  constructor(options: FrameSplitterOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES
  }

  /** Bytes held for an incomplete frame. */
  get pendingBytes(): number {
    return this.buffer.length
  }

  /**
   * Feeds a chunk and returns what it completed. Bytes are held 1:1 as latin1 chars (a string is
   * text and stands for its UTF-8 bytes).
   */
  push(chunk: Uint8Array | string): SplitterEvent[] {
    let data = wireBytes(chunk).toString('latin1')
    const events: SplitterEvent[] = []
    if (data.length === 0) return events
    if (this.afterCr) {
      this.afterCr = false
      if (data.startsWith('\n')) data = data.slice(1)
    } else if (this.afterFrame) {
      this.afterFrame = false
      if (data.startsWith('\r\n')) data = data.slice(2)
      else if (data.startsWith('\r')) {
        if (data.length === 1) this.afterCr = true
        data = data.slice(1)
      } else if (data.startsWith('\n')) data = data.slice(1)
    }
    this.buffer += data
    this.drain(events)
    return events
  }

  /** Ends the stream: reports whatever incomplete data is left as garbage. */
  end(): SplitterEvent[] {
    const events: SplitterEvent[] = []
    if (this.buffer.length > 0 && !this.skipping) {
      events.push({ type: 'garbage', bytes: this.buffer.length, sample: this.buffer.slice(0, 64) })
    }
    this.buffer = ''
    this.skipping = false
    return events
  }

  private drain(events: SplitterEvent[]): void {
    for (;;) {
      const open = this.buffer.indexOf(FRAME_OPEN)
      if (this.skipping) {
        if (open < 0) {
          this.keepTail()
          return
        }
        this.skipping = false
        this.buffer = this.buffer.slice(open)
        continue
      }
      if (open < 0) {
        // Keep a possible partial "<Frame" at the end; the rest is garbage.
        const cut = this.buffer.length - partialOpenSuffix(this.buffer)
        if (cut > 0) {
          events.push({
            type: 'garbage',
            bytes: cut,
            sample: this.buffer.slice(0, Math.min(cut, 64)),
          })
        }
        this.buffer = this.buffer.slice(cut)
        return
      }
      if (open > 0) {
        events.push({
          type: 'garbage',
          bytes: open,
          sample: this.buffer.slice(0, Math.min(open, 64)),
        })
        this.buffer = this.buffer.slice(open)
      }
      const close = this.buffer.indexOf(FRAME_CLOSE)
      if (close < 0) {
        if (this.buffer.length > this.maxFrameBytes) {
          events.push({ type: 'oversize', bytes: this.buffer.length })
          this.buffer = this.buffer.slice(FRAME_OPEN.length)
          this.skipping = true
          continue
        }
        return
      }
      // A second <Frame> before </Frame> means the first one was cut short: drop it as garbage.
      const reopen = this.buffer.lastIndexOf(FRAME_OPEN, close)
      if (reopen > 0) {
        events.push({
          type: 'garbage',
          bytes: reopen,
          sample: this.buffer.slice(0, Math.min(reopen, 64)),
        })
        this.buffer = this.buffer.slice(reopen)
        continue
      }
      const end = close + FRAME_CLOSE.length
      // An oversize frame's line ending is swallowed like any other, not reported as garbage.
      events.push(
        end > this.maxFrameBytes
          ? { type: 'oversize', bytes: end }
          : { type: 'frame', bytes: Buffer.from(this.buffer.slice(0, end), 'latin1') },
      )
      this.buffer = this.swallowLineEnding(this.buffer.slice(end))
    }
  }

  /** Drops one CRLF, CR or LF after `</Frame>`, remembering a line ending that may continue. */
  private swallowLineEnding(rest: string): string {
    if (rest.length === 0) this.afterFrame = true
    else if (rest.startsWith('\r\n')) return rest.slice(2)
    else if (rest.startsWith('\r')) {
      if (rest.length === 1) this.afterCr = true
      return rest.slice(1)
    } else if (rest.startsWith('\n')) return rest.slice(1)
    return rest
  }

  private keepTail(): void {
    // While skipping an oversize frame keep only what could be the start of the next "<Frame>".
    this.buffer = this.buffer.slice(this.buffer.length - partialOpenSuffix(this.buffer))
  }
}

/** Length of the longest suffix of `s` that is a proper prefix of `<Frame>`. */
function partialOpenSuffix(s: string): number {
  for (let n = Math.min(FRAME_OPEN.length - 1, s.length); n > 0; n--) {
    if (FRAME_OPEN.startsWith(s.slice(s.length - n))) return n
  }
  return 0
}
