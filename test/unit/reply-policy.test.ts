import { describe, expect, it } from 'vitest'
import { ReplyPolicy } from '../../src/contract/reply-policy.js'
import type { RequestKey } from '../../src/contract/schema.js'
import { CloudLogic } from '../../src/targets/replies/cloud-logic.js'
import { SettingQueue } from '../../src/targets/replies/setting-queue.js'
import { realFrames, shippedContract } from '../helpers/box-frames.js'

const contract = shippedContract()
const F = realFrames()
const NOW = Date.UTC(2026, 1, 17, 8, 5, 13)
const key = (over: Partial<RequestKey>): RequestKey => ({
  class: 'box.upload',
  table: null,
  eventType: null,
  pollForm: null,
  ...over,
})
const shareOf = (table: string, response: string): number =>
  contract.transitions.find(
    (t) => t.request.table === table && t.context === 'normal' && t.response === response,
  )!.share

function sampled(seed: number, n: number): string[] {
  const logic = new CloudLogic({
    policy: new ReplyPolicy(contract, { mode: 'sampled', seed }),
    queue: new SettingQueue(),
  })
  return Array.from({ length: n }, () => logic.onFrame(1, F.tblActual, NOW).replyClass ?? 'none')
}

describe('ReplyPolicy on the shipped contract', () => {
  it('answers the dominant reply by default', () => {
    const p = new ReplyPolicy(contract)
    expect(p.replyFor(key({ table: 'tbl_actual' }), 'normal')).toMatchObject({
      kind: 'reply',
      class: 'cloud.ack-getactual',
      unbuildable: null,
    })
  })

  it('--replies sampled: the bare-ACK share of 1,000 tbl_actual uploads is within ±5 points of the contract', () => {
    const replies = sampled(1, 1000)
    const bare = replies.filter((r) => r === 'cloud.ack').length / replies.length
    const expected = shareOf('tbl_actual', 'cloud.ack')
    expect(expected).toBeGreaterThan(0.05)
    expect(Math.abs(bare - expected)).toBeLessThanOrEqual(0.05)
    expect(new Set(replies)).toEqual(new Set(['cloud.ack', 'cloud.ack-getactual']))
  })

  it('--replies sampled is deterministic per seed, and another seed gives another sequence', () => {
    expect(sampled(1, 300)).toEqual(sampled(1, 300))
    expect(sampled(2, 300)).not.toEqual(sampled(1, 300))
  })

  it('uses the most specific rows with evidence: the IsNewSet form first, then form-unknown', () => {
    const p = new ReplyPolicy(contract)
    const merged = p.replyFor(key({ class: 'box.poll.isnewset', pollForm: 'merged' }), 'normal')
    expect(merged).toMatchObject({ class: 'cloud.end-time', name: 'cloud.end-time' })
    // The short form's own rows show only a Setting: the form-unknown pairs rows decide.
    const short = p.replyFor(key({ class: 'box.poll.isnewset', pollForm: 'short' }), 'normal')
    expect(short).toMatchObject({ name: 'cloud.end-getactual|cloud.end-time-getactual' })
  })

  it('builds only classes a captured frame shows, and reports the unbuildable dominant reply', () => {
    const p = new ReplyPolicy(contract)
    expect(p.buildable('cloud.end|cloud.end-time')).toBe('cloud.end-time')
    expect(p.buildable('weather')).toBeNull()
    const w = p.replyFor(key({ class: 'box.poll.isnewweather' }), 'normal')
    expect(w).toMatchObject({
      kind: 'reply',
      class: 'cloud.end-time',
      unbuildable: { reply: 'weather' },
    })
  })

  it('stays unobserved for a request with no evidence at all', () => {
    const c = structuredClone(contract)
    c.transitions = c.transitions.filter((t) => t.request.class !== 'box.poll.isnewweather')
    expect(
      new ReplyPolicy(c).replyFor(key({ class: 'box.poll.isnewweather' }), 'normal').kind,
    ).toBe('unobserved')
  })
})
