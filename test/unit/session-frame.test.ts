/**
 * toSessionFrame parses the cloud's constant replies once and classifies them once per side: a row
 * with one of those texts must give exactly the frame that parsing and classifying it afresh gives,
 * whatever its direction (a constant sent by the BOX is not a cloud reply).
 */
import { describe, expect, it } from 'vitest'
import { toSessionFrame } from '../../src/capture/session-frame.js'
import type { CaptureRow } from '../../src/capture/rows.js'
import { CLASSIFY_TAGS, classifyFrame, inferSide } from '../../src/protocol/classify.js'
import { CLOUD_CONSTANT_FRAMES } from '../../src/protocol/cloud-frames.js'
import { parseFrame } from '../../src/protocol/frame.js'

const row = (raw: string, direction: string | null, bytes?: Uint8Array): CaptureRow => ({
  id: 1,
  ts: '2025-12-10T08:00:00.000000+00:00',
  tsMs: Date.parse('2025-12-10T08:00:00Z'),
  tableName: null,
  raw,
  ...(bytes === undefined ? {} : { bytes }),
  direction,
  connId: 7,
})

/** What the frame's class and CRC are when the text is parsed and classified without any memo. */
function fresh(raw: string, direction: string | null): { class: string; crcOk: boolean | null } {
  const parsed = parseFrame(raw, { keepTags: CLASSIFY_TAGS })
  if (!parsed.ok) return { class: 'unparsed', crcOk: parsed.crcOk }
  const side =
    direction === null
      ? inferSide(parsed.frame)
      : direction.startsWith('box') || direction === 'proxy_to_cloud'
        ? 'box'
        : 'cloud'
  // A frame whose side cannot be told is taken as the BOX's, unclassified.
  if (side === null) return { class: 'box.unknown', crcOk: parsed.frame.crcOk }
  const c = classifyFrame(parsed.frame, side)
  return { class: c.class, crcOk: parsed.frame.crcOk }
}

describe('toSessionFrame on the cloud constant replies', () => {
  const directions = ['cloud_to_proxy', 'box_to_proxy', 'cloud_to_box', 'proxy_to_cloud', null]

  it('gives what a fresh parse gives, on every side, twice in a row', () => {
    const classes = new Set<string>()
    for (const constant of CLOUD_CONSTANT_FRAMES) {
      for (const direction of directions) {
        // A copy of the text, not the module's own string: the memo must go by content.
        const text = Buffer.from(constant).toString('utf8')
        for (let pass = 0; pass < 2; pass++) {
          const f = toSessionFrame(row(text, direction))
          expect({ class: f.class, crcOk: f.crcOk }, `${direction} ${text}`).toEqual(
            fresh(text, direction),
          )
          expect(f.raw).toBe(text)
          // The whole frame, as the same row given as bytes (which never takes the memo) gives it.
          const { rawB64: _b64, ...viaBytes } = toSessionFrame(
            row(text, direction, Buffer.from(text)),
          )
          expect(f).toEqual(viaBytes)
          classes.add(f.class)
        }
      }
    }
    // Cloud classes on the cloud side, BOX classes (unknown) on the BOX side.
    expect([...classes].some((c) => c.startsWith('cloud.'))).toBe(true)
    expect([...classes].some((c) => c.startsWith('box.'))).toBe(true)
  })

  it('a text one character off a constant, and a constant given as bytes, are parsed as they are', () => {
    const ack = CLOUD_CONSTANT_FRAMES[1]!
    const broken = ack.replace('ACK', 'ACX')
    expect(broken.length).toBe(ack.length)
    const f = toSessionFrame(row(broken, 'cloud_to_proxy'))
    expect({ class: f.class, crcOk: f.crcOk }).toEqual(fresh(broken, 'cloud_to_proxy'))
    expect(f.crcOk).toBe(false)
    const b = toSessionFrame(row(ack, 'cloud_to_proxy', Buffer.from(ack)))
    expect({ class: b.class, crcOk: b.crcOk }).toEqual(fresh(ack, 'cloud_to_proxy'))
  })
})
