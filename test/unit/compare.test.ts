import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compareSession, onlineRun, type TargetRun } from '../../src/compare/compare.js'
import type { Contract } from '../../src/contract/schema.js'
import { planReplay } from '../../src/replay/plan.js'
import { REPO_ROOT } from '../helpers/cli.js'
import { fixtureFrame } from '../helpers/fixture-frame.js'

const contract = JSON.parse(
  readFileSync(join(REPO_ROOT, 'contracts', 'oig-cloud.contract.json'), 'utf8'),
) as Contract

// A recorded handshake, frames as extract writes them (SYNTHETIC raw: only classes matter here).
const frame = fixtureFrame
const plan = planReplay('s#1', 'x.db', [
  frame(1, 'box', 'box.poll.isnewset'),
  frame(2, 'cloud', 'cloud.setting'),
  frame(3, 'box', 'box.setting-ack'),
  frame(4, 'cloud', 'cloud.end-time-getactual'),
])

function run(
  name: string,
  steps: Array<[TargetRun['steps'][number]['outcome'], string | null]>,
  p: ReturnType<typeof planReplay> = plan,
): TargetRun {
  return {
    name,
    steps: steps.map(([outcome, cls], i) => ({
      seq: i + 1,
      id: p.steps[i]!.id,
      requestClass: p.steps[i]!.class,
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
      'seq 1 box.poll.isnewset: online=cloud.setting mock=cloud.end-time (contract: cloud.end|cloud.end-getactual|cloud.end-time|cloud.end-time-getactual|cloud.setting) MISMATCH mock: no Setting at the poll where the real cloud delivered one',
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

describe('compareSession: not captured is not "no reply" (issue 11)', () => {
  // SYNTHETIC frame lists (only classes and order matter): a BOX-only batch, as an add-on that
  // recorded only the BOX side would store it.
  const boxOnly = (classes: string[]): ReturnType<typeof planReplay> =>
    planReplay(
      'b#1',
      'b.db',
      classes.map((cls, i) =>
        frame(i + 1, 'box', cls, {
          replyId: null,
          latencyMs: null,
          pollForm: cls === 'box.poll.isnewset' ? 'short' : null,
        }),
      ),
    )
  const onlineOf = (c: ReturnType<typeof compareSession>): string[] =>
    c.rows.map(
      (r) =>
        `${r.cells.online!.outcome}:${r.cells.online!.class ?? '-'}:${r.cells.online!.inferred ?? '-'}`,
    )

  const BATCH = boxOnly([
    'box.poll.isnewset',
    'box.setting-ack',
    'box.setting-ack',
    'box.setting-ack',
  ])

  it('infers a Setting before each setting ACK and judges the last ACK against the contract', () => {
    const p = BATCH
    const target = run(
      'mock',
      [
        ['reply', 'cloud.setting'],
        ['reply', 'cloud.setting'],
        ['reply', 'cloud.setting'],
        ['reply', 'cloud.end-time'],
      ],
      p,
    )
    const c = compareSession(contract, p, [onlineRun(p), target], { strictTiming: false })
    expect(c.boxOnly).toBe(true)
    expect(onlineOf(c)).toEqual([
      'not-captured:cloud.setting:setting-ack-follows-setting',
      'not-captured:cloud.setting:setting-ack-follows-setting',
      'not-captured:cloud.setting:setting-ack-follows-setting',
      'not-captured:-:-',
    ])
    expect(c.rows.map((r) => r.context)).toEqual([
      'normal',
      'setting-batch',
      'setting-batch',
      'setting-batch',
    ])
    expect(c.rows.map((r) => [r.cells.mock!.verdict, r.cells.mock!.judged])).toEqual([
      ['PASS', true],
      ['PASS', true],
      ['PASS', true],
      ['PASS', true],
    ])
    expect(c.lines).toEqual([])
    expect(c.contradictions).toEqual([])
    expect(c.handshakes).toEqual([
      { firstSeq: 1, lastSeq: 4, settings: 3, complete: true, targets: { mock: 'PASS' } },
    ])
  })

  it('fails a target that closes the batch after the first Setting (the ACKs prove three)', () => {
    const p = BATCH
    const target = run(
      'mock',
      [
        ['reply', 'cloud.setting'],
        ['reply', 'cloud.end-time'],
        ['skipped', null],
        ['skipped', null],
      ],
      p,
    )
    const c = compareSession(contract, p, [onlineRun(p), target], { strictTiming: false })
    expect(c.rows.map((r) => r.cells.mock!.verdict)).toEqual([
      'PASS',
      'MISMATCH',
      'MISMATCH',
      'MISMATCH',
    ])
    expect(c.handshakes[0]!.targets.mock).toBe('FAIL')
    expect(c.lines[0]).toContain('online=cloud.setting (inferred) mock=cloud.end-time')
  })

  it('does not read a missing reply as no-reply: a Setting at an uncaptured poll is judged, not refused', () => {
    const p = boxOnly(['box.poll.isnewset', 'box.upload'])
    const c = compareSession(
      contract,
      p,
      [
        onlineRun(p),
        run(
          'mock',
          [
            ['reply', 'cloud.end-time'],
            ['reply', 'cloud.ack-getactual'],
          ],
          p,
        ),
      ],
      { strictTiming: false },
    )
    expect(onlineOf(c)[0]).toBe('not-captured:-:-')
    expect(c.rows[0]!.cells.mock).toMatchObject({ verdict: 'PASS', judged: true })
  })

  it('keeps no-reply for a reply known to be absent (cloud side captured, the BOX spoke again)', () => {
    const p = planReplay('n#1', 'n.db', [
      frame(1, 'box', 'box.poll.isnewset', { replyId: null }),
      frame(2, 'box', 'box.upload', { replyId: 3 }),
      frame(3, 'cloud', 'cloud.ack-getactual', { answers: 2 }),
    ])
    const c = compareSession(
      contract,
      p,
      [
        onlineRun(p),
        run(
          'mock',
          [
            ['no-reply', null],
            ['reply', 'cloud.ack-getactual'],
          ],
          p,
        ),
      ],
      { strictTiming: false },
    )
    expect(c.boxOnly).toBe(false)
    expect(onlineOf(c)).toEqual(['no-reply:-:-', 'reply:cloud.ack-getactual:-'])
    expect(c.rows[0]!.cells.mock!.verdict).toBe('PASS')
  })

  it('marks a reply neither the capture nor the contract shows as unjudged, never as a pass', () => {
    const p = boxOnly(['box.poll.isnewfw'])
    const noFw = structuredClone(contract)
    noFw.transitions = noFw.transitions.filter((t) => t.request.class !== 'box.poll.isnewfw')
    const c = compareSession(noFw, p, [onlineRun(p), run('mock', [['no-reply', null]], p)], {
      strictTiming: false,
    })
    expect(c.rows[0]!.cells.mock).toMatchObject({ verdict: 'WARN', judged: false })
    expect(c.rows[0]!.cells.mock!.reason).toMatch(/^unjudged: neither the capture nor contract/)
    // With the shipped contract (the pairs show the cloud answering IsNewFW) silence fails.
    const shipped = compareSession(
      contract,
      p,
      [onlineRun(p), run('mock', [['no-reply', null]], p)],
      {
        strictTiming: false,
      },
    )
    expect(shipped.rows[0]!.cells.mock).toMatchObject({ verdict: 'MISMATCH', judged: true })
  })

  it('does not infer without the contract rule (a contract whose rule does not hold)', () => {
    const weak = {
      ...contract,
      sequenceRules: contract.sequenceRules.filter((r) => r.id !== 'setting-ack-follows-setting'),
    }
    const p = boxOnly(['box.poll.isnewset', 'box.setting-ack'])
    const c = compareSession(weak, p, [onlineRun(p)], { strictTiming: false })
    expect(onlineOf(c)[0]).toBe('not-captured:-:-')
  })
})
