import { describe, expect, it } from 'vitest'
import {
  FrameSplitter,
  MAX_FRAME_BYTES,
  type SplitterEvent,
} from '../../src/protocol/frame-splitter.js'
import { captureFrame, loadCaptureFrames } from '../helpers/captures.js'

const frames = loadCaptureFrames()
const SESSION = frames.filter((f) => f.file === 'session-2026-02-17-conn2315.db')
const MERGED_ISNEWSET = captureFrame(frames, 'session-2026-02-17-conn2315.db', 13794)
const SHORT_ISNEWSET = captureFrame(frames, 'probe-frames-2026-02.db', 2)
const CLOUD_ACK = captureFrame(frames, 'session-2026-02-17-conn2315.db', 13815)
const SETTING_NO_CRLF = captureFrame(frames, 'setting-handshake-2025-12-18-conn1.db', 1)
const BOX_ACK_NO_CRLF = captureFrame(frames, 'setting-handshake-2025-12-18-conn1.db', 2)

/** A captured frame without its line ending: what the splitter emits. */
const bare = (raw: string): string => raw.replace(/\r\n$/, '')

function feed(
  splitter: FrameSplitter,
  chunks: ReadonlyArray<string | Uint8Array>,
): SplitterEvent[] {
  return chunks.flatMap((chunk) => splitter.push(chunk))
}

function run(chunks: ReadonlyArray<string | Uint8Array>): SplitterEvent[] {
  const splitter = new FrameSplitter()
  const events = feed(splitter, chunks)
  return [...events, ...splitter.end()]
}

const frameEvent = (raw: string): SplitterEvent => ({
  type: 'frame',
  bytes: Buffer.from(bare(raw)),
})
const garbage = (text: string): SplitterEvent => ({
  type: 'garbage',
  bytes: text.length,
  sample: text.slice(0, 64),
})

describe('FrameSplitter', () => {
  it.each(
    [MERGED_ISNEWSET, SHORT_ISNEWSET, CLOUD_ACK, SETTING_NO_CRLF].map(
      (f) => [f.file, f.id, f.raw] as const,
    ),
  )('joins %s row %i split in two at every byte offset', (_file, _id, raw) => {
    for (let at = 0; at <= raw.length; at++) {
      const splitter = new FrameSplitter()
      const events = feed(splitter, [raw.slice(0, at), raw.slice(at)])
      expect(events, `split at ${at}`).toEqual([frameEvent(raw)])
      expect(splitter.pendingBytes, `split at ${at}`).toBe(0)
      expect(splitter.end(), `split at ${at}`).toEqual([])
    }
  })

  it('joins a real frame delivered as Uint8Array chunks split at every byte offset', () => {
    const bytes = Buffer.from(MERGED_ISNEWSET.raw, 'latin1')
    for (let at = 0; at <= bytes.length; at++) {
      expect(run([bytes.subarray(0, at), bytes.subarray(at)]), `split at ${at}`).toEqual([
        frameEvent(MERGED_ISNEWSET.raw),
      ])
    }
  })

  it('splits a whole real session that arrives in one chunk', () => {
    expect(run([SESSION.map((f) => f.raw).join('')])).toEqual(SESSION.map((f) => frameEvent(f.raw)))
  })

  it('splits a whole real session that arrives one byte at a time', () => {
    const stream = SESSION.map((f) => f.raw).join('')
    expect(run([...stream])).toEqual(SESSION.map((f) => frameEvent(f.raw)))
  })

  it('splits every real frame when all captures are streamed in 1000-byte chunks', () => {
    const stream = frames.map((f) => f.raw).join('')
    const chunks: string[] = []
    for (let at = 0; at < stream.length; at += 1000) chunks.push(stream.slice(at, at + 1000))
    expect(run(chunks)).toEqual(frames.map((f) => frameEvent(f.raw)))
  })

  describe.each([
    ['CRLF', '\r\n'],
    ['lone CR', '\r'],
    ['lone LF', '\n'],
    ['no terminator', ''],
  ] as const)('with %s between frames', (_name, sep) => {
    const a = bare(SHORT_ISNEWSET.raw)
    const b = bare(CLOUD_ACK.raw)
    const stream = a + sep + b + sep

    it('splits two frames that arrive in one chunk', () => {
      expect(run([stream])).toEqual([frameEvent(a), frameEvent(b)])
    })

    it('yields no garbage wherever the stream is cut in two', () => {
      for (let at = 0; at <= stream.length; at++) {
        expect(run([stream.slice(0, at), stream.slice(at)]), `cut at ${at}`).toEqual([
          frameEvent(a),
          frameEvent(b),
        ])
      }
    })

    it('yields no garbage when the line ending arrives in chunks of its own', () => {
      const chunks = [a, ...sep, b, ...sep]
      expect(run(chunks)).toEqual([frameEvent(a), frameEvent(b)])
    })
  })

  it('swallows a CR at the end of one chunk and the LF at the start of the next', () => {
    const splitter = new FrameSplitter()
    expect(splitter.push(`${bare(SHORT_ISNEWSET.raw)}\r`)).toEqual([frameEvent(SHORT_ISNEWSET.raw)])
    expect(splitter.push(`\n${CLOUD_ACK.raw}`)).toEqual([frameEvent(CLOUD_ACK.raw)])
    expect(splitter.pendingBytes).toBe(0)
    expect(splitter.end()).toEqual([])
  })

  it('keeps frames whose captures have no CRLF apart from the next one', () => {
    expect(run([SETTING_NO_CRLF.raw + BOX_ACK_NO_CRLF.raw])).toEqual([
      frameEvent(SETTING_NO_CRLF.raw),
      frameEvent(BOX_ACK_NO_CRLF.raw),
    ])
  })

  it('reports garbage before and between frames and still splits the frames after it', () => {
    const bytes = Buffer.from(`noise${SHORT_ISNEWSET.raw}\x00\xff junk ${CLOUD_ACK.raw}`, 'latin1')
    expect(run([bytes])).toEqual([
      garbage('noise'),
      frameEvent(SHORT_ISNEWSET.raw),
      garbage('\x00\xff junk '),
      frameEvent(CLOUD_ACK.raw),
    ])
  })

  it('reports garbage that arrives in its own chunks and keeps a partial <Frame> for later', () => {
    const splitter = new FrameSplitter()
    expect(splitter.push('abc<Fr')).toEqual([garbage('abc')])
    expect(splitter.pendingBytes).toBe(3)
    expect(splitter.push(SHORT_ISNEWSET.raw.slice(3))).toEqual([frameEvent(SHORT_ISNEWSET.raw)])
    expect(splitter.end()).toEqual([])
  })

  it('reports a lone "<" that turns out not to start a frame as garbage', () => {
    const splitter = new FrameSplitter()
    expect(splitter.push('<')).toEqual([])
    expect(splitter.push(`x>${CLOUD_ACK.raw}`)).toEqual([garbage('<x>'), frameEvent(CLOUD_ACK.raw)])
  })

  it('drops a truncated frame followed by a new <Frame> as garbage, then splits the good frame', () => {
    const truncated = MERGED_ISNEWSET.raw.slice(0, 200)
    expect(run([truncated + CLOUD_ACK.raw])).toEqual([
      garbage(truncated),
      frameEvent(CLOUD_ACK.raw),
    ])
  })

  it('drops a truncated frame whose successor arrives in a later chunk', () => {
    const truncated = SHORT_ISNEWSET.raw.slice(0, 50)
    expect(run([truncated, CLOUD_ACK.raw.slice(0, 20), CLOUD_ACK.raw.slice(20)])).toEqual([
      garbage(truncated),
      frameEvent(CLOUD_ACK.raw),
    ])
  })

  describe('oversize guard', () => {
    const CHUNK = 4096

    it('reports one oversize event for 1 MiB inside an open frame and keeps memory bounded', () => {
      const splitter = new FrameSplitter()
      const events = splitter.push('<Frame><Result>')
      const junk = 'x'.repeat(CHUNK)
      let maxPending = 0
      for (let sent = 0; sent < 1024 * 1024; sent += CHUNK) {
        events.push(...splitter.push(junk))
        maxPending = Math.max(maxPending, splitter.pendingBytes)
      }
      expect(maxPending).toBeLessThanOrEqual(MAX_FRAME_BYTES + CHUNK)
      expect(events).toHaveLength(1)
      expect(events[0]).toMatchObject({ type: 'oversize' })
      const [oversize] = events
      if (oversize?.type !== 'oversize') throw new Error('expected an oversize event')
      expect(oversize.bytes).toBeGreaterThan(MAX_FRAME_BYTES)
      expect(oversize.bytes).toBeLessThanOrEqual(MAX_FRAME_BYTES + CHUNK)
      expect(splitter.push(`</Result></Frame>\r\n${SHORT_ISNEWSET.raw}`)).toEqual([
        frameEvent(SHORT_ISNEWSET.raw),
      ])
      expect(splitter.pendingBytes).toBe(0)
      expect(splitter.end()).toEqual([])
    })

    it('reports an oversize frame that arrives whole in one chunk, then splits the next frame', () => {
      const big = `<Frame><Result>${'x'.repeat(MAX_FRAME_BYTES)}</Result></Frame>\r\n`
      expect(run([big + CLOUD_ACK.raw])).toEqual([
        { type: 'oversize', bytes: big.length - 2 },
        frameEvent(CLOUD_ACK.raw),
      ])
    })

    it('resumes at a <Frame> that follows the oversize data', () => {
      const splitter = new FrameSplitter()
      const events = feed(splitter, ['<Frame>', 'y'.repeat(MAX_FRAME_BYTES), SHORT_ISNEWSET.raw])
      expect(events.map((e) => e.type)).toEqual(['oversize', 'frame'])
      expect(events[1]).toEqual(frameEvent(SHORT_ISNEWSET.raw))
    })

    it('honours a smaller maxFrameBytes option', () => {
      const splitter = new FrameSplitter({ maxFrameBytes: 100 })
      const events = [...splitter.push(MERGED_ISNEWSET.raw), ...splitter.push(CLOUD_ACK.raw)]
      expect(events).toEqual([
        { type: 'oversize', bytes: bare(MERGED_ISNEWSET.raw).length },
        frameEvent(CLOUD_ACK.raw),
      ])
    })

    it('reports 1 MiB of junk outside any frame as garbage without holding it', () => {
      const splitter = new FrameSplitter()
      let reported = 0
      for (let sent = 0; sent < 1024 * 1024; sent += CHUNK) {
        for (const event of splitter.push('z'.repeat(CHUNK))) {
          expect(event.type).toBe('garbage')
          if (event.type === 'garbage') reported += event.bytes
        }
        expect(splitter.pendingBytes).toBe(0)
      }
      expect(reported).toBe(1024 * 1024)
    })
  })

  describe('end()', () => {
    it('reports an incomplete frame left at the end of the stream as garbage', () => {
      const splitter = new FrameSplitter()
      const partial = MERGED_ISNEWSET.raw.slice(0, 300)
      expect(splitter.push(partial)).toEqual([])
      expect(splitter.pendingBytes).toBe(300)
      expect(splitter.end()).toEqual([garbage(partial)])
      expect(splitter.pendingBytes).toBe(0)
    })

    it('reports a partial "<Frame" left at the end as garbage', () => {
      const splitter = new FrameSplitter()
      expect(splitter.push('<Fra')).toEqual([])
      expect(splitter.end()).toEqual([garbage('<Fra')])
    })

    it('reports nothing when the stream ended cleanly', () => {
      const splitter = new FrameSplitter()
      splitter.push(CLOUD_ACK.raw)
      expect(splitter.end()).toEqual([])
    })

    it('reports nothing more for an oversize frame already reported', () => {
      const splitter = new FrameSplitter()
      const events = feed(splitter, ['<Frame>', 'x'.repeat(MAX_FRAME_BYTES + 10)])
      expect(events.map((e) => e.type)).toEqual(['oversize'])
      expect(splitter.end()).toEqual([])
    })
  })

  it('ignores empty chunks', () => {
    const splitter = new FrameSplitter()
    expect(splitter.push('')).toEqual([])
    expect(splitter.push(new Uint8Array())).toEqual([])
    expect(splitter.pendingBytes).toBe(0)
  })
})
