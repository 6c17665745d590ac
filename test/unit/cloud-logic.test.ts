import { describe, expect, it } from 'vitest'
import { ReplyPolicy } from '../../src/contract/reply-policy.js'
import { classifyText } from '../../src/protocol/classify.js'
import { formatUtc } from '../../src/protocol/cz-time.js'
import { END_FAMILY, type BoxClass } from '../../src/protocol/frame-class.js'
import { getTag, parseFrame, tagNames, type ParsedFrame } from '../../src/protocol/frame.js'
import { CloudLogic } from '../../src/targets/replies/cloud-logic.js'
import { SettingQueue } from '../../src/targets/replies/setting-queue.js'
import {
  bare,
  realFrames,
  shippedContract,
  SYNTHETIC_ISNEWFW,
  SYNTHETIC_ISNEWWEATHER,
  SYNTHETIC_SETTING_NACK,
  withBadCrc,
} from '../helpers/box-frames.js'

const F = realFrames()
const contract = shippedContract()
const policy = new ReplyPolicy(contract)
/** 2026-02-17 08:05:13 UTC = 09:05:13 in Prague (CET), the real session's first frame. */
const NOW = Date.UTC(2026, 1, 17, 8, 5, 13)
const MODE = { table: 'tbl_box_prms', item: 'MODE', value: '3' }
/** The cloud Setting fields in the order of PROTOCOL.md §2. */
const SETTING_TAGS = [
  'ID', 'ID_Device', 'ID_Set', 'ID_SubD', 'DT', 'NewValue', 'Confirm',
  'TblName', 'TblItem', 'ID_Server', 'mytimediff', 'Reason', 'TSec', 'ver',
] // prettier-ignore

function setup(options: { settingPolls?: BoxClass[]; random?: () => number } = {}) {
  const queue = new SettingQueue(13589888)
  const logic = new CloudLogic({ policy, queue, ...options })
  return { queue, logic }
}

function parsed(reply: string | null): ParsedFrame {
  const r = parseFrame(reply ?? '')
  if (!r.ok) throw new Error(`reply is not a frame: ${reply}`)
  return r.frame
}

const classOf = (reply: string | null): string => classifyText(reply ?? '', 'cloud').class

describe('CloudLogic replies with the shipped contract', () => {
  // The reply depends on the poll's form: the merged 2026 form gets END+Time+UTCTime (frames), the
  // short 2025 form END with ToDo GetActual (pairs; the member END+Time+UTCTime+GetActual is the
  // one a captured frame shows).
  it.each([
    ['merged', F.mergedIsNewSet, NOW, 'cloud.end-time', '2026-02-17 09:05:13', '2026-02-17 08:05:13'],
    ['short', F.shortIsNewSet, NOW, 'cloud.end-time-getactual', '2026-02-17 09:05:13', '2026-02-17 08:05:13'],
    ['short, in summer time', F.shortIsNewSet, Date.UTC(2025, 6, 1, 10), 'cloud.end-time-getactual', '2025-07-01 12:00:00', '2025-07-01 10:00:00'],
  ])('answers a %s IsNewSet with its form\'s END reply at the current instant', (_f, frame, now, cls, cz, utc) => {
    const d = setup().logic.onFrame(1, frame, now)
    expect([d.request, d.replyClass, d.context]).toEqual(['box.poll.isnewset', cls, 'normal'])
    expect(classOf(d.reply)).toBe(cls)
    expect([getTag(parsed(d.reply), 'Time'), getTag(parsed(d.reply), 'UTCTime')]).toEqual([cz, utc])
  }) // prettier-ignore

  it('answers every upload of the real session with ACK+GetActual', () => {
    const { logic } = setup()
    const uploads = F.session.filter(
      (f) => f.side === 'box' && classifyText(f.raw, 'box').class === 'box.upload',
    )
    expect(uploads).toHaveLength(10)
    for (const u of uploads) {
      const d = logic.onFrame(1, bare(u.raw), NOW)
      expect([d.request, d.replyClass]).toEqual(['box.upload', 'cloud.ack-getactual'])
      expect(d.reply).toBe(
        '<Frame><Result>ACK</Result><ToDo>GetActual</ToDo><CRC>00167</CRC></Frame>\r\n',
      )
    }
  })

  it('answers the BOX END with what the contract shows: a bare ACK', () => {
    const d = setup().logic.onFrame(1, F.boxEnd, NOW)
    expect([d.request, d.replyClass]).toEqual(['box.end', 'cloud.ack'])
    expect(d.reply).toBe('<Frame><Result>ACK</Result><CRC>54590</CRC></Frame>\r\n')
  })

  it('answers the real IsNewFW with END (the pairs show END; END+Time+UTCTime is the member a frame shows)', () => {
    const d = setup().logic.onFrame(1, F.isNewFw, NOW)
    expect([d.request, d.replyClass, d.unobserved, d.unbuildable]).toEqual([
      'box.poll.isnewfw',
      'cloud.end-time',
      null,
      null,
    ])
    expect(getTag(parsed(d.reply), 'Result')).toBe('END')
  })

  it('answers a (constructed) IsNewWeather with the END family and says the weather reply is unbuildable', () => {
    const d = setup().logic.onFrame(1, SYNTHETIC_ISNEWWEATHER, NOW)
    expect([d.request, d.replyClass]).toEqual(['box.poll.isnewweather', 'cloud.end-time'])
    expect(END_FAMILY).toContain(d.replyClass)
    expect(d.unbuildable).toMatch(
      /^weather \(\d+(\.\d)? % of observed replies\) has no captured frame; sent cloud\.end-time/,
    )
  })

  it('sends no reply to a request class with no evidence at all, and says why', () => {
    const bare = structuredClone(contract)
    bare.transitions = bare.transitions.filter((t) => t.request.class !== 'box.poll.isnewfw')
    const logic = new CloudLogic({ policy: new ReplyPolicy(bare), queue: new SettingQueue() })
    const d = logic.onFrame(1, F.isNewFw, NOW)
    expect([d.request, d.reply, d.replyClass]).toEqual(['box.poll.isnewfw', null, null])
    expect(d.unobserved).toMatch(/no captured cloud reply to box\.poll\.isnewfw/)
  })

  it('sends no reply to a BOX setting ACK that follows no Setting (never an ACK to an ACK)', () => {
    const d = setup().logic.onFrame(1, F.boxSettingAck, NOW)
    expect([d.request, d.context, d.reply]).toEqual(['box.setting-ack', 'normal', null])
    expect(d.unobserved).toMatch(/box\.setting-ack/)
  })

  it.each([
    ['the real bad-CRC probe', F.badCrcProbe],
    ['a merged IsNewSet with a wrong CRC', withBadCrc(F.mergedIsNewSet)],
    ['an upload with a wrong CRC', withBadCrc(F.upload)],
  ])('answers %s with NACK WC', (_n, frame) => {
    const d = setup().logic.onFrame(1, frame, NOW)
    expect([d.crcOk, d.replyClass]).toEqual([false, 'cloud.nack-wc'])
    expect(d.reply).toBe(
      '<Frame><Result>NACK</Result><Reason>WC</Reason><CRC>21736</CRC></Frame>\r\n',
    )
  })
})

describe('CloudLogic Setting delivery', () => {
  it('does not deliver a queued Setting while only uploads and END arrive; the next IsNewSet gets it', () => {
    const { queue, logic } = setup()
    queue.add(MODE, NOW - 60_000)
    for (const f of F.session.filter((r) => r.side === 'box').slice(1)) {
      const d = logic.onFrame(1, bare(f.raw), NOW)
      expect(d.replyClass).not.toBe('cloud.setting')
    }
    expect(queue.get('s1')?.state).toBe('pending')
    const d = logic.onFrame(2, F.mergedIsNewSet, NOW)
    expect(d.replyClass).toBe('cloud.setting')
    expect(d.transition).toBe('setting s1 delivered on conn 2')
  })

  it('builds the Setting exactly as PROTOCOL.md §2 and the real 2025-12-10 Setting show', () => {
    const { queue, logic } = setup()
    // Queued at 05:40:08 UTC = 6:40:08 in Prague: DT has a non-padded hour.
    const queuedAt = Date.UTC(2025, 11, 10, 5, 40, 8, 750)
    queue.add(MODE, queuedAt)
    const sentAt = Date.UTC(2025, 11, 10, 5, 42, 51)
    const d = logic.onFrame(1, F.shortIsNewSet, sentAt)
    const frame = parsed(d.reply)
    expect(tagNames(frame)).toEqual(SETTING_TAGS)
    expect(tagNames(frame)).toEqual(tagNames(parsed(F.cloudSetting)))
    expect(Object.fromEntries(frame.children.map((c) => [c.tag, c.value]))).toMatchObject({
      ID: '13589888',
      ID_Device: '2206237016',
      ID_Set: String(Math.floor(queuedAt / 1000)),
      ID_SubD: '0',
      DT: '10.12.2025 6:40:08',
      NewValue: '3',
      Confirm: 'New',
      TblName: 'tbl_box_prms',
      TblItem: 'MODE',
      ID_Server: '5',
      mytimediff: '0',
      Reason: 'Setting',
      TSec: '2025-12-10 05:42:51',
    })
    expect(getTag(frame, 'ver')).toMatch(/^\d{5}$/)
    expect(frame.crcOk).toBe(true)
    expect(d.reply!.endsWith('</Frame>\r\n')).toBe(true)
    expect(classifyText(d.reply!, 'cloud')).toMatchObject({
      class: 'cloud.setting',
      table: 'tbl_box_prms',
      item: 'MODE',
    })
  })

  it('changes ver on every Setting frame, even when the random source repeats itself', () => {
    const values = [0.5, 0.5, 0.5, 0.25, 0.25, 0.75]
    let i = 0
    const { queue, logic } = setup({ random: () => values[i++ % values.length]! })
    queue.add(MODE, NOW)
    const vers = Array.from({ length: 12 }, (_, k) =>
      getTag(parsed(logic.onFrame(1, F.shortIsNewSet, NOW + k * 1000).reply), 'ver')!,
    )
    expect(vers.every((v) => /^\d{5}$/.test(v))).toBe(true)
    for (let k = 1; k < vers.length; k++) expect(vers[k]).not.toBe(vers[k - 1])
  })

  it('after the BOX ACK on the same connection sends the next Setting, then the END family', () => {
    const { queue, logic } = setup()
    queue.add(MODE, NOW)
    queue.add({ table: 'tbl_batt_prms', item: 'BAT_DI', value: '100.0' }, NOW)
    expect(logic.onFrame(1, F.shortIsNewSet, NOW).transition).toBe('setting s1 delivered on conn 1')
    const second = logic.onFrame(1, F.boxSettingAck, NOW + 7000)
    expect([second.context, second.replyClass]).toEqual(['setting-batch', 'cloud.setting'])
    expect(getTag(parsed(second.reply), 'TblItem')).toBe('BAT_DI')
    expect(second.transition).toBe('setting s1 acked; setting s2 delivered on conn 1')
    const close = logic.onFrame(1, F.boxSettingAck, NOW + 14_000)
    const expected = policy.batchClose()
    expect(expected.kind).toBe('reply')
    expect(close.replyClass).toBe(expected.kind === 'reply' ? expected.class : null)
    expect(END_FAMILY).toContain(close.replyClass)
    expect(classOf(close.reply)).toBe(close.replyClass)
    expect(close.transition).toBe('setting s2 acked')
    expect(queue.counts()).toEqual({ pending: 0, delivered: 0, acked: 2, nacked: 0 })
    // The batch is closed: the next frame is back in the normal context.
    expect(logic.onFrame(1, F.upload, NOW + 20_000).context).toBe('normal')
  })

  it('records a BOX setting NACK as nacked and closes the batch with the END family', () => {
    const { queue, logic } = setup()
    queue.add(MODE, NOW)
    logic.onFrame(1, F.shortIsNewSet, NOW)
    const d = logic.onFrame(1, SYNTHETIC_SETTING_NACK, NOW + 5000)
    expect(d.request).toBe('box.setting-nack')
    expect(END_FAMILY).toContain(d.replyClass)
    expect(queue.get('s1')?.state).toBe('nacked')
  })

  it('does not resolve a Setting by an ACK on another connection', () => {
    const { queue, logic } = setup()
    queue.add(MODE, NOW)
    logic.onFrame(1, F.shortIsNewSet, NOW)
    const other = logic.onFrame(2, F.boxSettingAck, NOW + 6000)
    expect([other.context, other.reply, other.transition]).toEqual(['normal', null, null])
    expect(queue.get('s1')?.state).toBe('delivered')
    expect(logic.onFrame(1, F.boxSettingAck, NOW + 7000).transition).toBe('setting s1 acked')
  })

  it('re-delivers after a disconnect with the same ID, ID_Set and DT and a fresh TSec, ver and CRC', () => {
    const { queue, logic } = setup()
    queue.add(MODE, NOW - 120_000)
    const first = parsed(logic.onFrame(1, F.shortIsNewSet, NOW).reply)
    logic.close(1)
    expect(queue.get('s1')?.state).toBe('delivered')
    const d = logic.onFrame(2, F.mergedIsNewSet, NOW + 65_000)
    expect(d.transition).toBe('setting s1 re-delivered on conn 2')
    const again = parsed(d.reply)
    for (const tag of ['ID', 'ID_Set', 'DT', 'NewValue', 'TblName', 'TblItem'])
      expect(getTag(again, tag)).toBe(getTag(first, tag))
    expect(getTag(again, 'TSec')).toBe(formatUtc(NOW + 65_000))
    expect(getTag(again, 'TSec')).not.toBe(getTag(first, 'TSec'))
    expect(getTag(again, 'ver')).not.toBe(getTag(first, 'ver'))
    expect(again.crcText).not.toBe(first.crcText)
    expect(queue.get('s1')?.deliveries.map((x) => x.connId)).toEqual([1, 2])
  })

  it.each([
    ['box.poll.isnewset', F.shortIsNewSet],
    ['box.poll.isnewfw', SYNTHETIC_ISNEWFW],
    ['box.poll.isnewweather', SYNTHETIC_ISNEWWEATHER],
  ] as const)('answers %s with exactly one frame: the Setting when configured to carry one, never END too', (cls, frame) => {
    const { queue, logic } = setup({ settingPolls: [cls] })
    queue.add(MODE, NOW)
    const d = logic.onFrame(1, frame, NOW)
    expect(d.replyClass).toBe('cloud.setting')
    expect(d.reply!.match(/<Frame>/g)).toHaveLength(1)
    expect(d.reply).not.toMatch(/<Result>END<\/Result>/)
  }) // prettier-ignore

  it('by default delivers on the polls the evidence shows carrying a Setting (IsNewSet, IsNewFW), not IsNewWeather', () => {
    const { queue, logic } = setup()
    expect(policy.settingPolls()).toEqual(['box.poll.isnewfw', 'box.poll.isnewset'])
    queue.add(MODE, NOW)
    expect(logic.onFrame(1, SYNTHETIC_ISNEWWEATHER, NOW).replyClass).toBe('cloud.end-time')
    expect(queue.get('s1')?.state).toBe('pending')
    expect(logic.onFrame(1, F.isNewFw, NOW).replyClass).toBe('cloud.setting')
    expect(queue.get('s1')?.state).toBe('delivered')
  })

  it('delivers on IsNewWeather only when --setting-polls lists it', () => {
    const { queue, logic } = setup({ settingPolls: ['box.poll.isnewweather'] })
    queue.add(MODE, NOW)
    expect(logic.onFrame(1, SYNTHETIC_ISNEWWEATHER, NOW).replyClass).toBe('cloud.setting')
  })

  it('answers a bad-CRC poll with NACK WC and keeps the Setting for a later poll', () => {
    const { queue, logic } = setup()
    queue.add(MODE, NOW)
    expect(logic.onFrame(1, withBadCrc(F.shortIsNewSet), NOW).replyClass).toBe('cloud.nack-wc')
    expect(queue.get('s1')?.state).toBe('pending')
  })
})
