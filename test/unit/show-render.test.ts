/**
 * `oigctl show`'s sequence diagrams, rendered from hand-built documents (test/helpers/show-docs.ts,
 * each checked against its schema first, so they are documents oigctl would read). The snapshots
 * fix the drawing; the assertions say what each line must carry.
 */
import { describe, expect, it } from 'vitest'
import { renderSequence } from '../../src/show/render-sequence.js'
import { COMPARE, FIXTURE, marked, plain, REPLAY } from '../helpers/show-docs.js'

describe('show: a session fixture (hand-built)', () => {
  const text = renderSequence(FIXTURE, plain)
  const lines = text.split('\n')

  it('draws a header, the handshake count, one line per frame and the findings', async () => {
    expect(lines[0]).toBe(
      'session hand-built#0001-conn7  hand-built.db  6 frames  2026-01-02T10:00:00.100+00:00 → 2026-01-02T10:00:02.5+00:00',
    )
    expect(lines[1]).toBe('setting handshakes: 1')
    expect(lines).toHaveLength(2 + 6 + 1)
    await expect(`${text}\n`).toMatchFileSnapshot('__snapshots__/show-fixture.txt')
  })

  it('puts the capture clock (ms, padded) or the row id, the reply latency on the reply and CRC BAD', () => {
    expect(lines[2]).toBe('10:00:00.100 BOX ──► cloud box.poll.isnewset')
    expect(lines[3]).toBe('10:00:00.131 BOX ◄── cloud cloud.setting MODE=3  32 ms')
    expect(lines[4]).toBe('10:00:01.200 BOX ──► cloud box.setting-ack')
    expect(lines[6]).toBe('10:00:02.500 BOX ──► cloud box.upload tbl_dc_in CRC BAD')
    expect(lines[7]).toBe('#6           BOX ◄── proxy cloud.nack')
    expect(lines[8]).toBe('error crc-failure: row 5: CRC does not match')
  })

  it('paints settings magenta, BOX frames cyan, NACKs and bad CRCs red, findings yellow', () => {
    const m = renderSequence(FIXTURE, marked).split('\n')
    expect(m[2]).toContain('<cyan>box.poll.isnewset</cyan>')
    expect(m[3]).toContain('<magenta>cloud.setting MODE=3</magenta>')
    expect(m[6]).toContain('<red> CRC BAD</red>')
    expect(m[7]).toContain('<red>cloud.nack</red>')
    expect(m[8]).toBe('<yellow>error crc-failure: row 5: CRC does not match</yellow>')
  })
})

describe('show: a replay transcript (hand-built)', () => {
  const text = renderSequence(REPLAY, plain)
  const lines = text.split('\n')

  it('draws the counts, then per step the request and the reply, the outcome or the unsolicited frames', async () => {
    expect(lines).toEqual([
      'replay hand-built#0001-conn7 → mock  sent 3, replies 2, no reply 1, closed 0',
      '#0001        BOX ──► mock    box.poll.isnewset',
      '             BOX ◄── mock    cloud.setting  2 ms',
      '#0002        BOX ──► mock    box.setting-ack',
      '             BOX ◄── mock    cloud.end-time  2 ms CRC BAD',
      '             BOX ◄── mock    cloud.ack  7 ms (unsolicited)',
      '#0003        BOX ──► mock    box.upload tbl_dc_in',
      '             (no-reply)',
    ])
    await expect(`${text}\n`).toMatchFileSnapshot('__snapshots__/show-replay.txt')
  })
})

describe('show: a compare report (hand-built)', () => {
  const text = renderSequence(COMPARE, plain)
  const lines = text.split('\n')

  it('names each target with its verdict and draws one reply line per target with its verdict', async () => {
    expect(lines[0]).toBe(
      'compare contract 9.9.9  verdict FAIL  (online PASS, mock PASS, legacy FAIL)',
    )
    expect(lines).toContain(
      '#0001        BOX ──► box.poll.isnewset  expect cloud.end|cloud.setting',
    )
    expect(lines).toContain('             BOX ◄── online  cloud.setting (inferred)  PASS')
    expect(lines).toContain(
      '             BOX ◄── legacy  cloud.ack  4 ms  MISMATCH  expected cloud.end-time',
    )
    expect(lines).toContain(
      '             BOX ◄── mock    cloud.end-time  4 ms  WARN  slower than 250 ms',
    )
    expect(lines).toContain(
      '#0002        BOX ──► box.setting-ack [setting-batch]  expect cloud.end-time',
    )
    expect(lines).toContain('session hand-built#0002-conn8  BOX-only capture')
    expect(lines).toContain('#0001        BOX ──► box.upload tbl_ac_in  expect -')
    expect(lines).toContain('             BOX ◄── mock    (no-reply)  PASS')
    await expect(`${text}\n`).toMatchFileSnapshot('__snapshots__/show-compare.txt')
  })

  it('paints PASS green, WARN yellow and MISMATCH red', () => {
    const m = renderSequence(COMPARE, marked)
    expect(m).toContain('cloud.ack  4 ms  <red>MISMATCH</red>')
    expect(m).toContain('cloud.end-time  4 ms  <yellow>WARN</yellow>')
    expect(m).toContain('cloud.setting  4 ms  <green>PASS</green>')
  })
})
