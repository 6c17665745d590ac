import { describe, expect, it } from 'vitest'
import { ReplyPolicy } from '../../src/contract/reply-policy.js'
import { readContract } from '../../src/contract/files.js'
import { CLOUD_ACK, CLOUD_END, cloudEndTime } from '../../src/protocol/cloud-frames.js'
import { classifyText } from '../../src/protocol/classify.js'
import { END_FAMILY, type CloudClass } from '../../src/protocol/frame-class.js'
import { buildFrameFromPairs, getTag, parseFrame } from '../../src/protocol/frame.js'
import { CloudLogic } from '../../src/targets/replies/cloud-logic.js'
import { SettingQueue } from '../../src/targets/replies/setting-queue.js'
import { inspectBoxFrame } from '../../src/targets/replies/frame-info.js'
import { LEGACY_REPLY } from '../../src/targets/replies/legacy-set.js'
import { LocalReplies } from '../../src/targets/replies/local-replies.js'
import type { LocalReplySet } from '../../src/targets/replies/local-reply.js'
import { captureFrame, loadCaptureFrames } from '../helpers/captures.js'
import { REPO_ROOT } from '../helpers/cli.js'

const frames = loadCaptureFrames()
const { contract } = readContract(`${REPO_ROOT}/contracts/oig-cloud.contract.json`)
const NOW = Date.UTC(2026, 1, 17, 8, 5, 13)

/** A real BOX frame without its line ending. */
const real = (file: string, id: number): string =>
  captureFrame(frames, file, id)
    .raw.replace(/\r?\n$/, '')
    .replace(/\r$/, '')

const SESSION = 'session-2026-02-17-conn2315.db'
const HANDSHAKE_10 = 'setting-handshake-2025-12-10.db'
const MERGED_ISNEWSET = real(SESSION, 13794)
const SHORT_ISNEWSET = real('probe-frames-2026-02.db', 2)
const TBL_DC_IN = real(SESSION, 13796)
const TBL_ACTUAL = real(SESSION, 13808)
const BOX_END = real(SESSION, 13816)
const EVENTS_CHANGE = real('events-change-2026-03-02.db', 1)
const PRMS_UPLOAD = real('events-change-2026-03-02.db', 2)
const BOX_SETTING_ACK = real(HANDSHAKE_10, 3)
const BAD_CRC_PROBE = real('nack-wc-2026-02-01.db', 871951)
// The one real IsNewFW poll.
const ISNEWFW = real('probe-isnewfw-2025-12-11.db', 1)
// SYNTHETIC: no IsNewWeather or BOX NACK was captured; built from PROTOCOL.md §2.
const ISNEWWEATHER = buildFrameFromPairs([
  ['Result', 'IsNewWeather'],
  ['ID_Device', '2206237016'],
  ['Geobaseid', '1'],
  ['LoadedOn', ''],
  ['ver', '23456'],
]).trimEnd()
const BOX_SETTING_NACK = buildFrameFromPairs([
  ['Result', 'NACK'],
  ['Rdt', '2025-12-18 20:26:21'],
  ['Reason', 'Setting'],
  ['ver', '34567'],
]).trimEnd()

function make(set: LocalReplySet): { local: LocalReplies; queue: SettingQueue } {
  const policy = new ReplyPolicy(contract)
  const queue = new SettingQueue()
  let seed = 1
  const random = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647
  const logic = new CloudLogic({ policy, queue, random })
  return { local: new LocalReplies({ logic, policy, set }), queue }
}

function reply(local: LocalReplies, conn: number, text: string, now = NOW) {
  return local.reply(conn, text, inspectBoxFrame(text), now)
}

const classOf = (text: string | null): CloudClass | null =>
  text === null ? null : (classifyText(text, 'cloud').class as CloudClass)

const MODE3 = { table: 'tbl_box_prms', item: 'MODE', value: '3' }

describe('legacy reply set (PROTOCOL.md §5 table)', () => {
  it.each([
    ['BOX END `All data sent`', BOX_END, cloudEndTime(NOW, false)],
    ['merged IsNewSet (classified by Result)', MERGED_ISNEWSET, cloudEndTime(NOW, false)],
    ['short IsNewSet', SHORT_ISNEWSET, cloudEndTime(NOW, false)],
    ['IsNewFW', ISNEWFW, CLOUD_END],
    ['IsNewWeather', ISNEWWEATHER, CLOUD_END],
    ['tbl_actual upload', TBL_ACTUAL, CLOUD_ACK],
    ['tbl_dc_in upload', TBL_DC_IN, CLOUD_ACK],
    ['tbl_invertor_prms upload', PRMS_UPLOAD, CLOUD_ACK],
    ['tbl_events upload', EVENTS_CHANGE, CLOUD_ACK],
    ['BOX setting ACK', BOX_SETTING_ACK, CLOUD_ACK],
    ['BOX setting NACK', BOX_SETTING_NACK, CLOUD_ACK],
    ['unknown frame (bad-CRC probe)', BAD_CRC_PROBE, CLOUD_ACK],
  ])('answers %s exactly as the add-on did', (_name, box, expected) => {
    const { local } = make('legacy')
    const d = reply(local, 1, box)
    expect(d.reply).toBe(expected)
    expect(d.set).toBe('legacy')
  })

  it('uses the exact constant frames (CRC 54590 and 34500)', () => {
    expect(CLOUD_ACK).toBe('<Frame><Result>ACK</Result><CRC>54590</CRC></Frame>\r\n')
    expect(CLOUD_END).toBe('<Frame><Result>END</Result><CRC>34500</CRC></Frame>\r\n')
    expect(LEGACY_REPLY['box.poll.isnewset']).toBe('cloud.end-time')
  })

  it.each([
    ['short IsNewSet', SHORT_ISNEWSET],
    ['merged IsNewSet', MERGED_ISNEWSET],
    ['IsNewFW', ISNEWFW],
    ['IsNewWeather', ISNEWWEATHER],
  ])('answers any poll (%s) with the pending Setting instead', (_name, poll) => {
    const { local, queue } = make('legacy')
    const s = queue.add(MODE3, NOW - 60_000)
    const d = reply(local, 1, poll)
    expect(classOf(d.reply)).toBe('cloud.setting')
    const frame = parseFrame(d.reply!.trimEnd())
    expect(frame.ok && getTag(frame.frame, 'ID')).toBe(String(s.cloudId))
    expect(frame.ok && getTag(frame.frame, 'ID_Device')).toBe('2206237016')
    expect(queue.get(s.id)?.state).toBe('delivered')
  })

  it('answers an upload with a bare ACK even while a Setting is pending', () => {
    const { local, queue } = make('legacy')
    queue.add(MODE3, NOW)
    expect(reply(local, 1, TBL_ACTUAL).reply).toBe(CLOUD_ACK)
    expect(local.claims(1, inspectBoxFrame(TBL_ACTUAL))).toBe(false)
  })

  it('acks the BOX ACK with a bare ACK and resolves the Setting of that connection only', () => {
    const { local, queue } = make('legacy')
    const s = queue.add(MODE3, NOW)
    reply(local, 1, SHORT_ISNEWSET)
    expect(reply(local, 2, BOX_SETTING_ACK).reply).toBe(CLOUD_ACK)
    expect(queue.get(s.id)?.state).toBe('delivered')
    const d = reply(local, 1, BOX_SETTING_ACK)
    expect(d.reply).toBe(CLOUD_ACK)
    expect(d.transition).toBe(`setting ${s.id} acked`)
    expect(queue.get(s.id)?.state).toBe('acked')
  })

  it('re-delivers an un-ACKed Setting on a later poll with the same ID/ID_Set and a fresh ver', () => {
    const { local, queue } = make('legacy')
    queue.add(MODE3, NOW - 5000)
    const first = parseFrame(reply(local, 1, SHORT_ISNEWSET).reply!.trimEnd())
    local.close(1)
    const again = reply(local, 2, SHORT_ISNEWSET, NOW + 60_000)
    expect(again.transition).toMatch(/re-delivered on conn 2/)
    const second = parseFrame(again.reply!.trimEnd())
    if (!first.ok || !second.ok) throw new Error('unparseable Setting')
    for (const tag of ['ID', 'ID_Set', 'DT'])
      expect(getTag(second.frame, tag)).toBe(getTag(first.frame, tag))
    expect(getTag(second.frame, 'ver')).not.toBe(getTag(first.frame, 'ver'))
    expect(getTag(second.frame, 'TSec')).not.toBe(getTag(first.frame, 'TSec'))
  })
})

describe('contract reply set (CloudLogic)', () => {
  it.each([
    ['merged IsNewSet', MERGED_ISNEWSET, 'cloud.end-time'],
    ['tbl_dc_in upload', TBL_DC_IN, 'cloud.ack-getactual'],
    ['tbl_actual upload', TBL_ACTUAL, 'cloud.ack-getactual'],
    ['BOX END', BOX_END, 'cloud.ack'],
    ['tbl_events upload', EVENTS_CHANGE, 'cloud.ack-getactual'],
    ['bad-CRC probe', BAD_CRC_PROBE, 'cloud.nack-wc'],
  ])('answers %s with the class the contract shows', (_name, box, expected) => {
    const { local } = make('contract')
    expect(classOf(reply(local, 1, box).reply)).toBe(expected)
  })

  it('answers IsNewFW with the END family the real cloud uses for it (pairs), built from a captured frame', () => {
    const { local } = make('contract')
    const d = reply(local, 1, ISNEWFW)
    expect(classOf(d.reply)).toBe('cloud.end-time')
    expect(d.unobserved).toBeNull()
  })

  it('never answers a BOX ACK with an ACK', () => {
    const { local, queue } = make('contract')
    for (const box of [BOX_SETTING_ACK, BOX_SETTING_NACK]) {
      expect(reply(local, 1, box).reply).toBeNull()
    }
    queue.add(MODE3, NOW)
    expect(classOf(reply(local, 2, SHORT_ISNEWSET).reply)).toBe('cloud.setting')
    const close = reply(local, 2, BOX_SETTING_ACK)
    expect(END_FAMILY).toContain(classOf(close.reply))
    expect(close.transition).toMatch(/acked/)
  })

  it('answers a poll with the Setting alone, never END and Setting together', () => {
    const { local, queue } = make('contract')
    queue.add(MODE3, NOW)
    const d = reply(local, 1, MERGED_ISNEWSET)
    expect(classOf(d.reply)).toBe('cloud.setting')
    expect(d.reply!.match(/<Frame>/g)).toHaveLength(1)
    expect(d.reply).not.toContain('<Result>END</Result>')
  })

  it('delivers only on the polls the contract shows carrying a Setting (IsNewSet, IsNewFW)', () => {
    const { local, queue } = make('contract')
    queue.add(MODE3, NOW)
    expect(local.claims(1, inspectBoxFrame(ISNEWFW))).toBe(true)
    expect(local.claims(1, inspectBoxFrame(ISNEWWEATHER))).toBe(false)
    expect(local.claims(1, inspectBoxFrame(TBL_ACTUAL))).toBe(false)
    expect(local.claims(1, inspectBoxFrame(SHORT_ISNEWSET))).toBe(true)
    expect(classOf(reply(local, 1, TBL_ACTUAL).reply)).toBe('cloud.ack-getactual')
  })

  it('closes the batch after the upstream Setting when a rescued BOX ACK comes', () => {
    const { local } = make('contract')
    local.noteForwarded(1, 'cloud.setting')
    const info = inspectBoxFrame(BOX_SETTING_ACK)
    expect(local.claims(1, info)).toBe(false)
    expect(END_FAMILY).toContain(classOf(local.reply(1, BOX_SETTING_ACK, info, NOW).reply))
  })

  it('claims the BOX ACK right after a local Setting, not after an upstream reply', () => {
    const { local, queue } = make('contract')
    queue.add(MODE3, NOW)
    reply(local, 1, SHORT_ISNEWSET)
    expect(local.claims(1, inspectBoxFrame(BOX_SETTING_ACK))).toBe(true)
    expect(local.claims(2, inspectBoxFrame(BOX_SETTING_ACK))).toBe(false)
    local.noteForwarded(1, 'cloud.ack-getactual')
    expect(local.claims(1, inspectBoxFrame(BOX_SETTING_ACK))).toBe(false)
  })
})

describe('switching the reply set at runtime', () => {
  it('reports a change once and flips the replies', () => {
    const { local } = make('contract')
    expect(classOf(reply(local, 1, TBL_DC_IN).reply)).toBe('cloud.ack-getactual')
    expect(local.setSet('legacy', NOW)).toEqual({
      at: new Date(NOW).toISOString(),
      from: 'contract',
      to: 'legacy',
    })
    expect(local.setSet('legacy', NOW)).toBeNull()
    expect(reply(local, 1, TBL_DC_IN).reply).toBe(CLOUD_ACK)
    expect(reply(local, 1, BOX_SETTING_ACK).reply).toBe(CLOUD_ACK)
    local.setSet('contract', NOW)
    expect(reply(local, 1, BOX_SETTING_ACK).reply).toBeNull()
  })

  it('lets the contract set close a batch the legacy set opened', () => {
    const { local, queue } = make('legacy')
    const s = queue.add(MODE3, NOW)
    expect(classOf(reply(local, 1, SHORT_ISNEWSET).reply)).toBe('cloud.setting')
    local.setSet('contract', NOW)
    const d = reply(local, 1, BOX_SETTING_ACK)
    expect(END_FAMILY).toContain(classOf(d.reply))
    expect(queue.get(s.id)?.state).toBe('acked')
  })
})
