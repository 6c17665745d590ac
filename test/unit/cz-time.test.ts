import { afterEach, describe, expect, it } from 'vitest'
import {
  czechOffsetHours,
  formatCzech,
  formatCzechSettingDt,
  formatUtc,
  parseCzech,
} from '../../src/protocol/cz-time.js'
import { getTag, parseFrame, type ParsedFrame } from '../../src/protocol/frame.js'
import { loadCaptureFrames } from '../helpers/captures.js'

const frames = loadCaptureFrames()

/** Independent of the module under test: `YYYY-MM-DD HH:MM:SS` read as UTC. */
const utc = (text: string): number => {
  const ms = Date.parse(`${text.replace(' ', 'T')}Z`)
  if (Number.isNaN(ms)) throw new Error(`bad UTC text ${text}`)
  return ms
}

function parsedFrames(): Array<{ file: string; id: number; frame: ParsedFrame }> {
  return frames.map((f) => {
    const result = parseFrame(f.raw)
    if (!result.ok) throw new Error(`${f.file} row ${f.id}: ${result.problem.code}`)
    return { file: f.file, id: f.id, frame: result.frame }
  })
}

/** Cloud END+Time frames: `Time` is Czech civil time, `UTCTime` the same instant in UTC. */
const TIME_PAIRS = parsedFrames()
  .filter(({ frame }) => getTag(frame, 'Time') !== undefined)
  .map(
    ({ file, id, frame }) => [file, id, getTag(frame, 'Time')!, getTag(frame, 'UTCTime')!] as const,
  )

/** Cloud Settings: `DT` is the Czech time of the user's request, `ID_Set` its Unix time. */
const SETTING_DTS = parsedFrames()
  .filter(
    ({ frame }) => getTag(frame, 'Reason') === 'Setting' && getTag(frame, 'TSec') !== undefined,
  )
  .map(
    ({ file, id, frame }) =>
      [file, id, getTag(frame, 'DT')!, Number(getTag(frame, 'ID_Set'))] as const,
  )

/** Summer time starts and ends at 01:00 UTC on the last Sunday of March / October. */
const SWITCHES = [
  ['2025-03-30 01:00:00', 'spring', '2025-03-30 01:59:59', '2025-03-30 03:00:00'],
  ['2025-10-26 01:00:00', 'autumn', '2025-10-26 02:59:59', '2025-10-26 02:00:00'],
  ['2026-03-29 01:00:00', 'spring', '2026-03-29 01:59:59', '2026-03-29 03:00:00'],
  ['2026-10-25 01:00:00', 'autumn', '2026-10-25 02:59:59', '2026-10-25 02:00:00'],
] as const

describe('czechOffsetHours', () => {
  it.each(SWITCHES)('switches at %s UTC (%s)', (instant, season) => {
    const at = utc(instant)
    const [before, after] = season === 'spring' ? [1, 2] : [2, 1]
    expect(czechOffsetHours(at - 1000)).toBe(before)
    expect(czechOffsetHours(at)).toBe(after)
    expect(czechOffsetHours(at + 1000)).toBe(after)
  })

  it.each([
    ['2025-12-10 20:42:58', 1],
    ['2026-01-01 00:00:00', 1],
    ['2026-07-01 12:00:00', 2],
    ['2025-12-31 23:59:59', 1],
  ] as const)('gives %s UTC offset +%i', (instant, offset) => {
    expect(czechOffsetHours(utc(instant))).toBe(offset)
  })
})

describe('formatCzech', () => {
  it.each(SWITCHES)(
    'formats one second before and at the %s switch (%s)',
    (instant, _season, localBefore, localAt) => {
      expect(formatCzech(utc(instant) - 1000)).toBe(localBefore)
      expect(formatCzech(utc(instant))).toBe(localAt)
    },
  )

  it('finds the cloud END+Time frames in the captures', () => {
    expect(TIME_PAIRS).toHaveLength(6)
  })

  it.each(TIME_PAIRS)('turns UTCTime into Time for %s row %i (%s)', (_file, _id, time, utcTime) => {
    expect(formatCzech(utc(utcTime))).toBe(time)
    expect(formatUtc(utc(utcTime))).toBe(utcTime)
  })
})

describe('formatCzechSettingDt', () => {
  it('finds the real cloud Settings in the captures', () => {
    expect(SETTING_DTS).toHaveLength(9)
  })

  it.each(SETTING_DTS)(
    'turns ID_Set into DT for %s row %i (%s, hour not zero-padded)',
    (_file, _id, dt, idSet) => {
      expect(formatCzechSettingDt(idSet * 1000)).toBe(dt)
    },
  )

  it('does not pad the hour: 08.12.2025 4:08:59', () => {
    expect(formatCzechSettingDt(utc('2025-12-08 03:08:59'))).toBe('08.12.2025 4:08:59')
  })

  it('pads day, month, minutes and seconds in summer time', () => {
    expect(formatCzechSettingDt(utc('2026-07-04 22:05:09'))).toBe('05.07.2026 0:05:09')
  })
})

describe('parseCzech', () => {
  it.each(TIME_PAIRS)(
    'turns Time back into UTCTime for %s row %i (%s)',
    (_file, _id, time, utcTime) => {
      expect(parseCzech(time)).toBe(utc(utcTime))
    },
  )

  it.each(SWITCHES)('inverts formatCzech around the %s switch (%s)', (instant, season) => {
    for (const delta of [-3_600_000, -1000, 0, 1000, 3_599_000, 3_600_000]) {
      const at = utc(instant) + delta
      // The first autumn hour after the switch repeats the last CEST hour: it parses to the
      // earlier (CEST) instant, one hour before.
      const repeated = season === 'autumn' && delta >= 0 && delta < 3_600_000
      expect(parseCzech(formatCzech(at)), `delta ${delta}`).toBe(repeated ? at - 3_600_000 : at)
    }
  })

  it('takes the earlier (CEST) reading of the repeated autumn hour', () => {
    expect(formatCzech(utc('2026-10-25 00:30:00'))).toBe('2026-10-25 02:30:00')
    expect(formatCzech(utc('2026-10-25 01:30:00'))).toBe('2026-10-25 02:30:00')
    expect(parseCzech('2026-10-25 02:30:00')).toBe(utc('2026-10-25 00:30:00'))
    expect(parseCzech('2026-10-25 01:59:59')).toBe(utc('2026-10-24 23:59:59'))
    expect(parseCzech('2026-10-25 03:00:00')).toBe(utc('2026-10-25 02:00:00'))
  })

  it('maps a time in the skipped spring hour as CET', () => {
    expect(parseCzech('2026-03-29 02:30:00')).toBe(utc('2026-03-29 01:30:00'))
    expect(parseCzech('2026-03-29 01:59:59')).toBe(utc('2026-03-29 00:59:59'))
    expect(parseCzech('2026-03-29 03:00:00')).toBe(utc('2026-03-29 01:00:00'))
  })

  it('accepts a non-padded hour', () => {
    expect(parseCzech('2025-12-08 4:08:59')).toBe(utc('2025-12-08 03:08:59'))
  })

  it.each(['', 'garbage', '08.12.2025 4:08:59', '2026-02-17T09:05:13', '2026-02-17 09:05'])(
    'returns null for %j',
    (text) => {
      expect(parseCzech(text)).toBeNull()
    },
  )
})

describe('independence from the host time zone', () => {
  const savedTz = process.env.TZ
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ
    else process.env.TZ = savedTz
  })

  function snapshot(): unknown[] {
    return [
      ...SWITCHES.flatMap(([instant]) => {
        const at = utc(instant)
        return [formatCzech(at - 1000), formatCzech(at), czechOffsetHours(at), formatUtc(at)]
      }),
      ...TIME_PAIRS.map(([, , time]) => parseCzech(time)),
      ...SETTING_DTS.map(([, , , idSet]) => formatCzechSettingDt(idSet * 1000)),
    ]
  }

  it.each(['America/New_York', 'Asia/Kolkata', 'Europe/Prague', 'UTC'])(
    'gives the same results with TZ=%s',
    (tz) => {
      process.env.TZ = 'UTC'
      const reference = snapshot()
      process.env.TZ = tz
      // The host zone really changed (except for UTC itself), so the comparison means something.
      if (tz === 'America/New_York') expect(new Date(utc('2026-01-15 12:00:00')).getHours()).toBe(7)
      expect(snapshot()).toEqual(reference)
    },
  )
})
