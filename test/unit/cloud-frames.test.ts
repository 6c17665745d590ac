import { describe, expect, it } from 'vitest'
import { buildCloudReply } from '../../src/protocol/cloud-frames.js'
import { classifyText } from '../../src/protocol/classify.js'
import { CLOUD_CLASSES } from '../../src/protocol/frame-class.js'
import { parseFrame, tagNames } from '../../src/protocol/frame.js'
import { bare } from '../helpers/box-frames.js'
import { loadCaptureFrames } from '../helpers/captures.js'

const NOW = Date.UTC(2025, 11, 18, 19, 26, 47)
/** Tags whose values are the reply's own instant. */
const TIMES = new Set(['Time', 'UTCTime'])

describe('every reply a target builds has the shape of a captured frame of its class', () => {
  const captured = loadCaptureFrames().filter((f) => f.side === 'cloud')
  const byClass = new Map<string, string[]>()
  for (const f of captured) {
    const c = classifyText(f.raw, 'cloud').class
    byClass.set(c, [...(byClass.get(c) ?? []), bare(f.raw)])
  }
  const buildable = CLOUD_CLASSES.filter((c) => buildCloudReply(c, NOW) !== null)

  it.each(buildable.filter((c) => byClass.has(c)))('%s: same tag order, same bytes but for the times', (cls) => {
    const built = bare(buildCloudReply(cls, NOW)!)
    const real = byClass.get(cls)![0]!
    const b = parseFrame(built)
    const r = parseFrame(real)
    if (!b.ok || !r.ok) throw new Error('not a frame')
    expect(tagNames(b.frame)).toEqual(tagNames(r.frame))
    expect(b.frame.crcOk).toBe(true)
    const mask = (s: string): string =>
      [...TIMES].reduce((t, tag) => t.replace(new RegExp(`<${tag}>[^<]*</${tag}>`), `<${tag}/>`), s)
        .replace(/<CRC>\d{5}<\/CRC>/, '<CRC/>')
    const timed = tagNames(b.frame).some((t) => TIMES.has(t))
    expect(timed ? mask(built) : built).toBe(timed ? mask(real) : real)
  }) // prettier-ignore

  it('names the buildable classes no captured frame shows (targets never send them)', () => {
    // Bare END (34500) is listed in PROTOCOL.md §2 but no frame in ../shared shows it.
    expect(buildable.filter((c) => !byClass.has(c))).toEqual(['cloud.end'])
  })
})
