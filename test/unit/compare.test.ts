import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compareSession, onlineRun, type TargetRun } from '../../src/compare/compare.js'
import type { Contract } from '../../src/contract/schema.js'
import { planReplay } from '../../src/replay/plan.js'
import type { FixtureFrame } from '../../src/evidence/schemas/session-fixture.js'
import { REPO_ROOT } from '../helpers/cli.js'

const contract = JSON.parse(
  readFileSync(join(REPO_ROOT, 'contracts', 'oig-cloud.contract.json'), 'utf8'),
) as Contract

// A recorded handshake, frames as extract writes them (SYNTHETIC raw: only classes matter here).
const frame = (
  id: number,
  origin: 'box' | 'cloud',
  cls: string,
  extra: Partial<FixtureFrame> = {},
): FixtureFrame => ({
  id,
  ts: null,
  origin,
  destination: origin === 'box' ? 'cloud' : 'box',
  direction: null,
  connId: 1,
  class: cls as FixtureFrame['class'],
  table: null,
  eventType: null,
  pollForm: null,
  item: null,
  crcOk: true,
  raw: '<Frame></Frame>',
  tableName: null,
  gapMs: null,
  answers: origin === 'cloud' ? id - 1 : null,
  replyId: origin === 'box' ? id + 1 : null,
  latencyMs: 10,
  notes: [],
  ...extra,
})
const plan = planReplay('s#1', 'x.db', [
  frame(1, 'box', 'box.poll.isnewset'),
  frame(2, 'cloud', 'cloud.setting'),
  frame(3, 'box', 'box.setting-ack'),
  frame(4, 'cloud', 'cloud.end-time-getactual'),
])

function run(
  name: string,
  steps: Array<[TargetRun['steps'][number]['outcome'], string | null]>,
): TargetRun {
  return {
    name,
    steps: steps.map(([outcome, cls], i) => ({
      seq: i + 1,
      id: plan.steps[i]!.id,
      requestClass: plan.steps[i]!.class,
      table: null,
      outcome,
      reply: cls ? { class: cls as never, raw: '', crcOk: true, latencyMs: 5 } : null,
      recorded: null,
      extra: [],
      notes: [],
    })),
  }
}

describe('compareSession', () => {
  it('passes a target that delivers the Setting at the same poll and closes the batch with the END family', () => {
    const c = compareSession(
      contract,
      plan,
      [
        onlineRun(plan),
        run('mock', [
          ['reply', 'cloud.setting'],
          ['reply', 'cloud.end-time'],
        ]),
      ],
      { strictTiming: false },
    )
    expect(c.rows.map((r) => [r.critical, r.cells.mock!.verdict])).toEqual([
      [true, 'PASS'],
      [true, 'PASS'],
    ])
    expect(c.lines).toEqual([])
  })

  it('fails a target that gives no Setting at that poll, so the BOX ACK cannot be sent', () => {
    const c = compareSession(
      contract,
      plan,
      [
        onlineRun(plan),
        run('mock', [
          ['reply', 'cloud.end-time'],
          ['skipped', null],
        ]),
      ],
      { strictTiming: false },
    )
    expect(c.rows.map((r) => r.cells.mock!.verdict)).toEqual(['MISMATCH', 'MISMATCH'])
    expect(c.lines[0]).toBe(
      'seq 1 box.poll.isnewset: online=cloud.setting mock=cloud.end-time (contract: cloud.end-time|cloud.setting) MISMATCH mock: no Setting at the poll where the real cloud delivered one',
    )
    expect(c.lines[1]).toMatch(
      /^seq 2 box\.setting-ack: .* MISMATCH mock: the BOX ACK could not be sent/,
    )
  })

  it('fails an ACK answered with anything but the END family or the next Setting', () => {
    const c = compareSession(
      contract,
      plan,
      [
        onlineRun(plan),
        run('legacy', [
          ['reply', 'cloud.setting'],
          ['reply', 'cloud.ack'],
        ]),
      ],
      { strictTiming: false },
    )
    expect(c.rows[1]!.cells.legacy).toMatchObject({ verdict: 'MISMATCH', classMatch: false })
  })

  it('turns a reply outside the latency window into a warning, or a mismatch under strict timing', () => {
    const slow: TargetRun = run('mock', [
      ['reply', 'cloud.setting'],
      ['reply', 'cloud.end-time'],
    ])
    ;(slow.steps[0]!.reply as { latencyMs: number }).latencyMs = 1_000_000
    expect(
      compareSession(contract, plan, [slow], { strictTiming: false }).rows[0]!.cells.mock!.verdict,
    ).toBe('WARN')
    expect(
      compareSession(contract, plan, [slow], { strictTiming: true }).rows[0]!.cells.mock!.verdict,
    ).toBe('MISMATCH')
  })
})
