import { describe, expect, it } from 'vitest'
import { mapDirection, parseCaptureTs } from '../../src/capture/rows.js'
import { loadCaptureFrames } from '../helpers/captures.js'

describe('mapDirection', () => {
  it.each([
    ['box_to_proxy', 'box', 'cloud', 'proxy'],
    ['cloud_to_proxy', 'cloud', 'box', 'proxy'],
    ['proxy_to_box', 'proxy', 'box', 'proxy'],
    ['proxy_to_cloud', 'proxy', 'cloud', 'proxy'],
    ['box_to_cloud', 'box', 'cloud', 'direct'],
    ['cloud_to_box', 'cloud', 'box', 'direct'],
  ] as const)('maps %s', (direction, origin, destination, vocabulary) => {
    expect(mapDirection(direction)).toEqual({ origin, destination, vocabulary })
  })

  it('tolerates case and surrounding blanks', () => {
    expect(mapDirection(' Box_To_Proxy\n')).toEqual({
      origin: 'box',
      destination: 'cloud',
      vocabulary: 'proxy',
    })
  })

  it.each([
    ['NULL', null],
    ['undefined', undefined],
    ['an empty string', ''],
    ['an unknown value', 'sideways'],
    ['a half value', 'box_to'],
    ['a prototype key', 'constructor'],
  ])('returns null for %s', (_name, direction) => {
    expect(mapDirection(direction)).toBeNull()
  })

  it('maps every direction found in the real captures', () => {
    for (const frame of loadCaptureFrames()) {
      const mapped = mapDirection(frame.direction)
      expect(mapped, `${frame.file} row ${frame.id}`).not.toBeNull()
      // A frame that goes to the BOX is the cloud side; one that goes to the cloud is the BOX's.
      expect(mapped?.destination === 'box' ? 'cloud' : 'box').toBe(frame.side)
    }
  })
})

describe('parseCaptureTs', () => {
  const base = Date.UTC(2025, 11, 7, 20, 7, 47)

  it.each([
    ['microseconds and +00:00 (older add-on)', '2025-12-07T20:07:47.302186+00:00', base + 302.186],
    ['whole seconds and +00:00 (newer add-on)', '2025-12-07T20:07:47+00:00', base],
    ['Z', '2025-12-07T20:07:47Z', base],
    ['milliseconds and Z', '2025-12-07T20:07:47.302Z', base + 302],
    ['a space separator', '2025-12-07 20:07:47.302186', base + 302.186],
    ['no zone (UTC)', '2025-12-07T20:07:47', base],
    ['nanoseconds', '2025-12-07T20:07:47.302186999Z', base + 302.186999],
    ['a positive offset', '2025-12-07T21:07:47+01:00', base],
    ['a negative offset', '2025-12-07T15:07:47-05:00', base],
    ['an offset without colon', '2025-12-07T21:37:47+0130', base],
    ['surrounding blanks', ' 2025-12-07T20:07:47Z ', base],
  ])('parses a ts with %s', (_name, ts, expected) => {
    const ms = parseCaptureTs(ts)
    expect(ms).not.toBeNull()
    expect(ms!).toBeCloseTo(expected, 3)
  })

  it.each([
    ['NULL', null],
    ['undefined', undefined],
    ['an empty string', ''],
    ['garbage', 'yesterday'],
    ['a date only', '2025-12-07'],
    ['a time without seconds', '2025-12-07T20:07Z'],
    ['a trailing word', '2025-12-07T20:07:47Z now'],
    ['a bad zone', '2025-12-07T20:07:47+1'],
    ['month 13', '2025-13-07T20:07:47Z'],
    ['a two-digit year padded to four', '0025-12-07T20:07:47Z'],
    ['February 30th', '2025-02-30T20:07:47Z'],
    ['hour 24', '2025-12-07T24:00:00Z'],
    ['minute 60', '2025-12-07T20:60:00Z'],
    ["February 30th in the add-on's layout", '2025-02-30T20:07:47.000001+00:00'],
    ["hour 24 in the add-on's layout", '2025-12-07T24:00:00+00:00'],
    ["a letter in the time in the add-on's layout", '2025-12-07T2x:00:00.5+00:00'],
    ["second 60 in the add-on's layout", '2025-12-07T20:07:60+00:00'],
  ])('returns null for %s', (_name, ts) => {
    expect(parseCaptureTs(ts)).toBeNull()
  })

  it("reads the add-on's layout the same as the general path, across day changes", () => {
    const ts = [
      '2025-12-31T23:59:59.999999+00:00',
      '2026-01-01T00:00:00.000001+00:00',
      '2025-12-31T12:00:00+00:00',
      '2024-02-29T08:05:13.198931+00:00',
    ]
    expect(ts.map((t) => parseCaptureTs(t))).toEqual(
      ts.map((t) => parseCaptureTs(t.replace('+00:00', 'Z'))),
    )
    expect(parseCaptureTs(ts[1]!)! - parseCaptureTs(ts[0]!)!).toBeCloseTo(0.002, 3)
  })

  it('keeps the microsecond order of two rows within one millisecond', () => {
    const a = parseCaptureTs('2026-02-17T08:05:13.198931+00:00')!
    const b = parseCaptureTs('2026-02-17T08:05:13.198932+00:00')!
    expect(b).toBeGreaterThan(a)
  })
})
