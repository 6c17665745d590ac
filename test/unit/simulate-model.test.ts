import { describe, expect, it } from 'vitest'
import { classifyText } from '../../src/protocol/classify.js'
import {
  formatCzech,
  formatCzechSettingDt,
  formatUtc,
  parseCzech,
} from '../../src/protocol/cz-time.js'
import { END_FAMILY, isPollClass, type FrameClass } from '../../src/protocol/frame-class.js'
import { getTag, parseFrame, tagNames, type ParsedFrame } from '../../src/protocol/frame.js'
import { parseCaptureTs } from '../../src/capture/rows.js'
import { boxIdSet } from '../../src/simulate/frames.js'
import {
  SYNTHETIC_DEVICE_ID,
  SyntheticOptionsError,
  generateSyntheticRows,
  type SyntheticOptions,
  type SyntheticRow,
} from '../../src/simulate/model.js'
import { loadCaptureFrames } from '../helpers/captures.js'

const rowsOf = (opts: SyntheticOptions): SyntheticRow[] => [...generateSyntheticRows(opts)]
const sideOf = (r: SyntheticRow): 'box' | 'cloud' =>
  r.direction === 'box_to_proxy' ? 'box' : 'cloud'
const tsMs = (r: SyntheticRow): number => parseCaptureTs(r.ts)!

function parsed(r: SyntheticRow): ParsedFrame {
  const p = parseFrame(r.raw)
  if (!p.ok) throw new Error(`not a frame: ${r.raw}`)
  return p.frame
}

// One simulated day with the default rate, and a busy run with many setting handshakes.
const DAY = rowsOf({ seed: 1, days: 1 })
const BUSY = rowsOf({ seed: 42, days: 2, settingsPerDay: 90 })
const ALL = [...DAY, ...BUSY]

/** Splits rows into request/reply pairs; every connection is strictly request → reply. */
function pairs(rows: readonly SyntheticRow[]): Array<[SyntheticRow, SyntheticRow]> {
  const out: Array<[SyntheticRow, SyntheticRow]> = []
  for (let i = 0; i + 1 < rows.length; i += 2) out.push([rows[i]!, rows[i + 1]!])
  return out
}

describe('generateSyntheticRows: determinism', () => {
  it('gives the same rows for the same seed and options', () => {
    expect(rowsOf({ seed: 7, sessions: 40 })).toEqual(rowsOf({ seed: 7, sessions: 40 }))
  })

  it('gives different rows for different seeds', () => {
    const a = rowsOf({ seed: 7, sessions: 40 }).map((r) => r.raw)
    const b = rowsOf({ seed: 8, sessions: 40 }).map((r) => r.raw)
    expect(a).not.toEqual(b)
  })

  it('starts at the fixed default instant, not at the wall clock', () => {
    expect(DAY[0]!.ts).toBe('2026-01-05T00:00:00.000000+00:00')
    expect(rowsOf({ seed: 1, sessions: 1, start: '2025-12-10T20:00:00Z' })[0]!.ts).toBe(
      '2025-12-10T20:00:00.000000+00:00',
    )
  })

  it('yields exactly the requested number of rows, as a prefix of the longer stream', () => {
    const long = rowsOf({ seed: 3, sessions: 200 })
    for (const n of [1, 2, 17, 1000, 2345]) {
      const rows = rowsOf({ seed: 3, rows: n })
      expect(rows).toHaveLength(n)
      expect(rows).toEqual(long.slice(0, n))
    }
  })

  it('stops after the requested number of sessions', () => {
    const rows = rowsOf({ seed: 3, sessions: 25 })
    expect(new Set(rows.map((r) => r.connId)).size).toBe(25)
    expect(rows.at(-1)!.tableName).toBe('END')
  })

  it('starts no session after the requested span of days', () => {
    const end = Date.parse('2026-01-05T12:00:00Z')
    const rows = rowsOf({ seed: 3, days: 0.5 })
    const starts = new Map<number, number>()
    for (const r of rows) if (!starts.has(r.connId)) starts.set(r.connId, tsMs(r))
    expect(Math.max(...starts.values())).toBeLessThan(end)
    expect(starts.size).toBeGreaterThan(100)
  })

  it.each([
    [{ seed: 1, days: 1, rows: 5 }, /only one of days, sessions, rows/],
    [{ seed: 1, rows: 0 }, /invalid rows 0/],
    [{ seed: 1, sessions: 1.5 }, /invalid sessions 1.5/],
    [{ seed: 1, days: -1 }, /invalid days -1/],
    [{ seed: 1.5 }, /invalid seed/],
    [{ seed: 1, start: '2026-01-05T00:00:00' }, /invalid start/],
    [{ seed: 1, start: 'yesterday' }, /invalid start/],
  ])('refuses invalid options %j', (opts, message) => {
    expect(() => rowsOf(opts)).toThrow(SyntheticOptionsError)
    expect(() => rowsOf(opts)).toThrow(message)
  })
})

describe('generateSyntheticRows: frames', () => {
  it('builds frames whose CRC verifies and whose class is the one the model meant', () => {
    const counts = new Map<FrameClass, number>()
    const bad: string[] = []
    for (const r of ALL) {
      const c = classifyText(r.raw, sideOf(r))
      if (c.crcOk !== true || c.class !== r.frameClass || c.class.endsWith('.unknown')) {
        bad.push(`${c.class} (model ${r.frameClass}, crc ${String(c.crcOk)}): ${r.raw}`)
      }
      counts.set(c.class, (counts.get(c.class) ?? 0) + 1)
    }
    expect(bad).toEqual([])
    for (const cls of [
      'box.upload',
      'box.events',
      'box.poll.isnewset',
      'box.poll.isnewfw',
      'box.poll.isnewweather',
      'box.setting-ack',
      'box.end',
      'cloud.ack',
      'cloud.ack-getactual',
      'cloud.end',
      'cloud.end-time',
      'cloud.end-time-getactual',
      'cloud.end-getactual',
      'cloud.setting',
    ] as const) {
      expect(counts.get(cls) ?? 0, cls).toBeGreaterThan(0)
    }
  })

  it('fills the row columns the way the add-on does', () => {
    const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/
    const bad = ALL.filter((r) => {
      const id = getTag(parsed(r), 'ID_Device')
      return !(
        r.raw.endsWith('</Frame>\r\n') &&
        r.length === Buffer.byteLength(r.raw, 'utf8') &&
        TS.test(r.ts) &&
        r.peer === 'synthetic' &&
        r.parsed === '{}' &&
        (r.direction === 'box_to_proxy' || r.direction === 'cloud_to_proxy') &&
        (id === undefined || id === SYNTHETIC_DEVICE_ID) &&
        r.deviceId === (id ?? null)
      )
    })
    expect(bad).toEqual([])
    expect(DAY[0]!.length).toBe(DAY[0]!.raw.length)
  })

  it('numbers connections from 1 and keeps capture order', () => {
    expect(DAY[0]!.connId).toBe(1)
    for (let i = 1; i < DAY.length; i++) {
      const step = DAY[i]!.connId - DAY[i - 1]!.connId
      expect(step === 0 || step === 1).toBe(true)
      expect(tsMs(DAY[i]!)).toBeGreaterThan(tsMs(DAY[i - 1]!))
    }
  })

  it('alternates BOX request and cloud reply within each connection', () => {
    const bad = pairs(ALL).filter(
      ([req, reply]) =>
        req.direction !== 'box_to_proxy' ||
        reply.direction !== 'cloud_to_proxy' ||
        reply.connId !== req.connId ||
        // The add-on labels a cloud row with the table of the request it answers (§6).
        reply.tableName !== req.tableName,
    )
    expect(bad).toEqual([])
    expect(ALL.length % 2).toBe(0)
  })

  it('labels polls by name, BOX END as END and BOX setting ACKs as ACK', () => {
    const expected: Partial<Record<FrameClass, string>> = {
      'box.poll.isnewset': 'IsNewSet',
      'box.poll.isnewfw': 'IsNewFW',
      'box.poll.isnewweather': 'IsNewWeather',
      'box.end': 'END',
      'box.setting-ack': 'ACK',
      'box.events': 'tbl_events',
    }
    const bad = ALL.filter((r) => {
      const label =
        r.frameClass === 'box.upload' ? getTag(parsed(r), 'TblName') : expected[r.frameClass]
      return label !== undefined && r.tableName !== label
    })
    expect(bad).toEqual([])
  })

  it('gives every frame a 5-digit ver that differs within its connection', () => {
    const seen = new Map<number, Set<string>>()
    const bad: string[] = []
    let last = ''
    let count = 0
    for (const r of ALL) {
      const ver = getTag(parsed(r), 'ver')
      if (ver === undefined) continue
      const set = seen.get(r.connId) ?? new Set<string>()
      if (!/^\d{5}$/.test(ver) || ver === last || set.has(ver)) bad.push(`${r.ts} ${ver}`)
      seen.set(r.connId, set.add(ver))
      last = ver
      count++
    }
    expect(bad).toEqual([])
    expect(count).toBeGreaterThan(10_000)
    // Both BOX END variants occur: with ver (2025) and without (2026).
    const ends = ALL.filter((r) => r.frameClass === 'box.end').map((r) => r.raw.includes('<ver>'))
    expect(new Set(ends)).toEqual(new Set([true, false]))
  })

  it('sends IsNewSet in the short and the merged form, about twice as often as each other poll', () => {
    const forms = new Map<string, number>()
    for (const r of DAY.filter((x) => x.frameClass === 'box.poll.isnewset')) {
      const form = classifyText(r.raw, 'box').pollForm!
      forms.set(form, (forms.get(form) ?? 0) + 1)
    }
    expect(forms.get('short')).toBeGreaterThan(0)
    expect(forms.get('merged')).toBeGreaterThan(0)
    const n = (cls: FrameClass): number => DAY.filter((r) => r.frameClass === cls).length
    const ratio =
      n('box.poll.isnewset') / ((n('box.poll.isnewfw') + n('box.poll.isnewweather')) / 2)
    expect(ratio).toBeGreaterThan(1.5)
    expect(ratio).toBeLessThan(2.7)
  })

  it('never synthesises a weather reply: IsNewWeather gets a bare END or a Setting', () => {
    for (const [req, reply] of pairs(ALL)) {
      if (req.frameClass !== 'box.poll.isnewweather') continue
      expect(['cloud.end', 'cloud.setting']).toContain(reply.frameClass)
    }
    expect(
      ALL.some((r) => r.direction === 'cloud_to_proxy' && /Weather|Forecast/i.test(r.raw)),
    ).toBe(false)
  })

  it('answers IsNewSet with END+Time+UTCTime taken from the reply timestamp', () => {
    let checked = 0
    for (const [req, reply] of pairs(ALL)) {
      if (req.frameClass !== 'box.poll.isnewset' || reply.frameClass !== 'cloud.end-time') continue
      const f = parsed(reply)
      const ms = Math.floor(tsMs(reply))
      expect(getTag(f, 'UTCTime')).toBe(formatUtc(ms))
      expect(getTag(f, 'Time')).toBe(formatCzech(ms))
      checked++
    }
    expect(checked).toBeGreaterThan(100)
  })

  it('answers uploads with ACK+GetActual about 92 % of the time, else a bare ACK', () => {
    const replies = pairs(DAY)
      .filter(([req]) => req.frameClass === 'box.upload')
      .map(([, reply]) => reply.frameClass)
    const share = replies.filter((c) => c === 'cloud.ack-getactual').length / replies.length
    expect(share).toBeGreaterThan(0.89)
    expect(share).toBeLessThan(0.95)
    expect(new Set(replies)).toEqual(new Set(['cloud.ack-getactual', 'cloud.ack']))
  })

  it('derives upload ID_Set from the Czech DT, a few seconds behind capture time', () => {
    const bad = ALL.filter((r) => {
      if (r.frameClass !== 'box.upload' && r.frameClass !== 'box.events') return false
      const f = parsed(r)
      const dt = getTag(f, 'DT')!
      const offset = Number(getTag(f, 'ID_Set')) - boxIdSet(dt)
      const fiveMinute = r.frameClass === 'box.upload' && getTag(f, 'TblName') !== 'tbl_actual'
      const lagMs = tsMs(r) - parseCzech(dt)!
      return (
        (fiveMinute ? offset !== 1 && offset !== 2 : offset !== 0) ||
        lagMs < 0 ||
        lagMs >= (fiveMinute ? 400_000 : 20_000)
      )
    })
    expect(bad).toEqual([])
  })
})

describe('generateSyntheticRows: timing', () => {
  it('replies within 4–50 ms, with rare outliers up to ~3 s, and the documented averages', () => {
    const latencies = new Map<string, number[]>()
    let outliers = 0
    let total = 0
    const bad: number[] = []
    for (const [req, reply] of pairs(ALL)) {
      const ms = tsMs(reply) - tsMs(req)
      if (ms < 4 || ms > 3000) bad.push(ms)
      if (ms > 50) outliers++
      total++
      const key = req.frameClass === 'box.upload' ? 'upload' : req.tableName
      latencies.set(key, [...(latencies.get(key) ?? []), ms])
    }
    expect(bad).toEqual([])
    expect(outliers / total).toBeLessThan(0.005)
    const avg = (k: string): number => {
      const xs = latencies.get(k)!.filter((x) => x <= 50)
      return xs.reduce((a, b) => a + b, 0) / xs.length
    }
    expect(avg('upload')).toBeGreaterThan(8)
    expect(avg('upload')).toBeLessThan(12)
    expect(avg('IsNewSet')).toBeGreaterThan(14)
    expect(avg('IsNewSet')).toBeLessThan(20)
    expect(avg('IsNewWeather')).toBeGreaterThan(16)
    expect(avg('IsNewWeather')).toBeLessThan(24)
  })

  it('has the BOX wait 3.5–8 s after a reply before its next frame', () => {
    const gaps: number[] = []
    for (let i = 1; i + 1 < ALL.length; i += 2) {
      const reply = ALL[i]!
      const next = ALL[i + 1]!
      if (next.connId === reply.connId) gaps.push(tsMs(next) - tsMs(reply))
    }
    expect(gaps.length).toBeGreaterThan(5000)
    expect(gaps.filter((g) => g < 3500 || g > 8000)).toEqual([])
  })

  it('starts sessions every few minutes', () => {
    const starts: number[] = []
    for (const r of DAY) if (starts.length < r.connId) starts.push(tsMs(r))
    const gaps = starts.slice(1).map((s, i) => s - starts[i]!)
    expect(Math.min(...gaps)).toBeGreaterThan(60_000)
    expect(Math.max(...gaps)).toBeLessThan(10 * 60_000)
  })
})

describe('generateSyntheticRows: setting handshakes', () => {
  const SETTING_TAGS = [
    'ID',
    'ID_Device',
    'ID_Set',
    'ID_SubD',
    'DT',
    'NewValue',
    'Confirm',
    'TblName',
    'TblItem',
    'ID_Server',
    'mytimediff',
    'Reason',
    'TSec',
    'ver',
  ]
  const settingAt = BUSY.flatMap((r, i) => (r.frameClass === 'cloud.setting' ? [i] : []))

  it('occurs at the configured rate', () => {
    expect(settingAt.length).toBeGreaterThan(120)
    expect(settingAt.length).toBeLessThan(240)
    const perDefaultDay = DAY.filter((r) => r.frameClass === 'cloud.setting').length
    expect(perDefaultDay).toBeLessThan(15)
  })

  it('sends the Setting children in the captured order with the captured constants', () => {
    for (const i of settingAt) {
      const f = parsed(BUSY[i]!)
      expect(tagNames(f)).toEqual(SETTING_TAGS)
      expect(getTag(f, 'ID_Server')).toBe('5')
      expect(getTag(f, 'mytimediff')).toBe('0')
      expect(getTag(f, 'Confirm')).toBe('New')
      expect(getTag(f, 'Reason')).toBe('Setting')
      expect(getTag(f, 'ID_SubD')).toBe('0')
      const requestMs = Number(getTag(f, 'ID_Set')) * 1000
      const dt = getTag(f, 'DT')!
      expect(dt).toMatch(/^\d{2}\.\d{2}\.\d{4} [1-9]?\d:\d{2}:\d{2}$/)
      expect(dt).toBe(formatCzechSettingDt(requestMs))
      const sentMs = Math.floor(tsMs(BUSY[i]!))
      expect(getTag(f, 'TSec')).toBe(formatUtc(sentMs))
      // The user asked some seconds or minutes before the poll that carries the change.
      expect(requestMs).toBeLessThan(sentMs - 1000)
    }
  })

  it('runs poll → Setting → BOX ACK (5–7 s) → END family → tbl_events Setting', () => {
    for (const i of settingAt) {
      const [poll, setting, ack, close] = BUSY.slice(i - 1, i + 3)
      expect(isPollClass(poll!.frameClass)).toBe(true)
      expect(setting!.tableName).toBe(poll!.tableName)
      expect(ack!.frameClass).toBe('box.setting-ack')
      expect(tsMs(ack!) - tsMs(setting!)).toBeGreaterThanOrEqual(5000)
      expect(tsMs(ack!) - tsMs(setting!)).toBeLessThanOrEqual(7000)
      expect(tagNames(parsed(ack!))).toEqual(['Result', 'Rdt', 'Reason', 'Tmr', 'ver'])
      expect(getTag(parsed(ack!), 'Tmr')).toBe('100')
      expect(END_FAMILY).toContain(close!.frameClass)
      expect(['cloud.end-time-getactual', 'cloud.end-getactual']).toContain(close!.frameClass)
      const events = BUSY.slice(i + 3).find(
        (r) => r.connId === setting!.connId && r.frameClass === 'box.events',
      )
      expect(events).toBeDefined()
      const e = parsed(events!)
      expect(getTag(e, 'Type')).toBe('Setting')
      const m = /^Remotely : tbl_box_prms \/ MODE: \[(\d)\]->\[(\d)\]$/.exec(getTag(e, 'Content')!)
      expect(m).not.toBeNull()
      expect(m![2]).toBe(getTag(parsed(setting!), 'NewValue'))
      expect(m![1]).not.toBe(m![2])
      expect(getTag(e, 'DT')).toBe(getTag(parsed(ack!), 'Rdt'))
    }
  })
})

describe('generateSyntheticRows: shapes match the real captures', () => {
  const real = loadCaptureFrames()
  const realShape = (pick: (tags: string[]) => boolean): string[] => {
    const f = real
      .map((c) => parseFrame(c.raw))
      .flatMap((p) => (p.ok ? [tagNames(p.frame)] : []))
      .find(pick)
    if (f === undefined) throw new Error('no such real frame')
    return f
  }
  const synthShape = (pick: (r: SyntheticRow, tags: string[]) => boolean): string[] => {
    const r = ALL.find((x) => pick(x, tagNames(parsed(x))))
    if (r === undefined) throw new Error('no such synthetic frame')
    return tagNames(parsed(r))
  }

  it.each(['tbl_dc_in', 'tbl_ac_in', 'tbl_ac_out', 'tbl_batt', 'tbl_boiler', 'tbl_box'])(
    'uploads %s with the tags of the real upload',
    (t) => {
      const realTags = real
        .filter((c) => c.raw.startsWith(`<Frame><TblName>${t}</TblName>`))
        .map((c) => parseFrame(c.raw))
        .flatMap((p) => (p.ok ? [tagNames(p.frame)] : []))
      expect(realTags.length).toBeGreaterThan(0)
      const synth = synthShape((r) => r.raw.startsWith(`<Frame><TblName>${t}</TblName>`))
      expect(realTags).toContainEqual(synth)
    },
  )

  it('uploads tbl_actual and the merged IsNewSet with the tags of the 2026 captures', () => {
    const realActual = realShape((tags) => tags[0] === 'TblName' && tags.includes('FVE_PROD'))
    expect(synthShape((r, tags) => tags[0] === 'TblName' && r.tableName === 'tbl_actual')).toEqual(
      realActual,
    )
    const realMerged = realShape((tags) => tags[0] === 'Result' && tags.includes('TblName'))
    expect(synthShape((r, tags) => r.tableName === 'IsNewSet' && tags.includes('TblName'))).toEqual(
      realMerged,
    )
  })

  it('builds the short IsNewSet, BOX END and tbl_events with the real tag order', () => {
    const short = ['Result', 'ID_Device', 'Lat', 'ver']
    expect(realShape((t) => t.join() === short.join())).toEqual(short)
    expect(synthShape((r, t) => r.frameClass === 'box.poll.isnewset' && t.length === 4)).toEqual(
      short,
    )
    const realEvents = realShape((t) => t.includes('Type') && t.includes('Content'))
    expect(synthShape((r) => r.frameClass === 'box.events')).toEqual(realEvents)
    const realEnd = realShape((t) => t[0] === 'Result' && t.includes('Rdt') && t.includes('ver'))
    expect(synthShape((r, t) => r.frameClass === 'box.end' && t.includes('ver'))).toEqual(realEnd)
  })

  it.each([
    ['2026-02-17 13:37:12', 842535432],
    ['2026-03-02 06:40:47', 843892847],
    ['2025-12-10 21:42:48', 836602968],
    ['2026-02-17 09:05:49', 842519149],
  ])('derives ID_Set %s → %i as the real BOX does', (dt, idSet) => {
    expect(boxIdSet(dt)).toBe(idSet)
  })
})

describe('generateSyntheticRows: 2025-style long connections', () => {
  const LONG = rowsOf({ seed: 3, days: 1, connectionMinutes: 30 })

  it('carries many batches on one connection, each younger than connectionMinutes', () => {
    const byConn = new Map<number, SyntheticRow[]>()
    for (const r of LONG) byConn.set(r.connId, [...(byConn.get(r.connId) ?? []), r])
    const lifetimesMs = [...byConn.values()].map((rows) => tsMs(rows.at(-1)!) - tsMs(rows[0]!))
    const batches = [...byConn.values()].map(
      (rows) => rows.filter((r) => r.frameClass === 'box.end').length,
    )
    expect(byConn.size).toBeGreaterThan(40)
    expect(byConn.size).toBeLessThan(60)
    expect(Math.min(...batches.slice(0, -1))).toBeGreaterThan(5)
    // A batch starting just before the 30 minutes are up still belongs to the connection.
    expect(Math.max(...lifetimesMs)).toBeLessThan(36 * 60_000)
    expect(Math.max(...lifetimesMs)).toBeGreaterThan(25 * 60_000)
  })

  it('keeps every frame of a batch in strict request/reply order and the model otherwise the same', () => {
    for (const [req, reply] of pairs(LONG)) {
      expect(req.direction).toBe('box_to_proxy')
      expect(reply.direction).toBe('cloud_to_proxy')
      expect(reply.connId).toBe(req.connId)
    }
    expect(LONG.map((r) => r.raw).slice(0, 40)).toEqual(DAY_SEED3.map((r) => r.raw).slice(0, 40))
  })

  it('counts connections, not batches, for the sessions stop', () => {
    const rows = rowsOf({ seed: 3, sessions: 4, connectionMinutes: 30 })
    expect(new Set(rows.map((r) => r.connId))).toEqual(new Set([1, 2, 3, 4]))
    expect(rows.filter((r) => r.frameClass === 'box.end').length).toBeGreaterThan(20)
  })

  it('refuses a connection lifetime that is not a positive number', () => {
    expect(() => rowsOf({ seed: 1, connectionMinutes: 0 })).toThrow(SyntheticOptionsError)
  })
})

const DAY_SEED3 = rowsOf({ seed: 3, sessions: 3 })
