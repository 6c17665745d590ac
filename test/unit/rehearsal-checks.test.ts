import { describe, expect, it } from 'vitest'
import { ReplyPolicy } from '../../src/contract/reply-policy.js'
import {
  expectedReplies,
  rehearsalChecks,
  tallyPhase,
  type RehearsalFacts,
} from '../../src/rehearse/rehearsal-checks.js'
import type { ReplayStepResult } from '../../src/replay/transcript-schema.js'
import type { CloudClass } from '../../src/protocol/frame-class.js'
import { realFrames, shippedContract, SYNTHETIC_ISNEWFW } from '../helpers/box-frames.js'

const policy = new ReplyPolicy(shippedContract())
const real = realFrames()
// The real 2026-02-17 session's merged IsNewSet, a table upload and the BOX END.
const FRAMES = [real.mergedIsNewSet, real.upload, real.boxEnd]
const raws = new Map(FRAMES.map((f, i) => [i + 1, f]))

function steps(replies: Array<CloudClass | null>, extra = 0): ReplayStepResult[] {
  const classes = ['box.poll.isnewset', 'box.upload', 'box.end'] as const
  return replies.map((cls, i) => ({
    seq: i + 1,
    id: i + 1,
    requestClass: classes[i]!,
    table: null,
    outcome: cls === null ? 'no-reply' : 'reply',
    reply: cls === null ? null : { class: cls, raw: '', crcOk: true, latencyMs: 1 },
    recorded: null,
    extra:
      i === 0
        ? Array.from({ length: extra }, () => ({
            class: 'cloud.ack',
            raw: '',
            crcOk: true,
            latencyMs: 1,
          }))
        : [],
    notes: [],
  }))
}

const CONTRACT_REPLIES: CloudClass[] = ['cloud.end-time', 'cloud.ack-getactual', 'cloud.ack']
const LEGACY_REPLIES: CloudClass[] = ['cloud.end-time', 'cloud.ack', 'cloud.end-time']

function facts(
  over: Partial<RehearsalFacts> & { legacy?: Array<CloudClass | null>; extra?: number } = {},
): RehearsalFacts {
  const ok = { accepted: true, confirmed: true, logged: true, detail: 'ok' }
  return {
    phases: [
      tallyPhase('contract', steps(CONTRACT_REPLIES), raws, policy, 0),
      tallyPhase('legacy', steps(over.legacy ?? LEGACY_REPLIES, over.extra ?? 0), raws, policy, 0),
      tallyPhase('contract', steps(CONTRACT_REPLIES), raws, policy, 0),
    ],
    toLegacy: ok,
    back: ok,
    connections: 1,
    closed: false,
    closeReason: null,
    ...over,
  }
}
const failed = (f: RehearsalFacts): string[] =>
  rehearsalChecks(f)
    .filter((c) => !c.pass)
    .map((c) => c.id)

describe('rollback rehearsal checks', () => {
  it('expects the contract replies and the legacy table of PROTOCOL.md §5 for real frames', () => {
    expect(expectedReplies('contract', FRAMES, policy)).toEqual(CONTRACT_REPLIES)
    expect(expectedReplies('legacy', FRAMES, policy)).toEqual(LEGACY_REPLIES)
    // IsNewFW: the pairs show END; the contract set builds the END member a frame shows
    // (END+Time+UTCTime), legacy sends a bare END.
    expect(expectedReplies('contract', [SYNTHETIC_ISNEWFW], policy)).toEqual(['cloud.end-time'])
    expect(expectedReplies('legacy', [SYNTHETIC_ISNEWFW], policy)).toEqual(['cloud.end'])
  })

  it('passes when each set served its own replies on one open connection', () => {
    const f = facts()
    expect(failed(f)).toEqual([])
    expect(f.phases[1]).toMatchObject({
      sent: 3,
      replies: 3,
      lost: 0,
      extra: 0,
      distinguishing: 2,
      mismatches: [],
    })
  })

  it('fails legacy-served when the contract replies are still served after the switch', () => {
    const f = facts({ legacy: CONTRACT_REPLIES })
    expect(failed(f)).toEqual(['legacy-served'])
    expect(f.phases[1]!.mismatches).toEqual([
      { seq: 2, request: 'box.upload', expected: 'cloud.ack', got: 'cloud.ack-getactual' },
      { seq: 3, request: 'box.end', expected: 'cloud.end-time', got: 'cloud.ack' },
    ])
  })

  it('fails nothing-dropped on a lost reply or an extra frame', () => {
    expect(failed(facts({ legacy: ['cloud.end-time', null, 'cloud.end-time'] }))).toEqual([
      'legacy-served',
      'nothing-dropped',
    ])
    expect(failed(facts({ extra: 1 }))).toEqual(['legacy-served', 'nothing-dropped'])
  })

  it('fails the switch checks when the control API refused or did not log the switch', () => {
    const refused = { accepted: false, confirmed: false, logged: false, detail: 'POST → 400' }
    expect(failed(facts({ toLegacy: refused }))).toEqual(['flip-to-legacy'])
    expect(failed(facts({ back: { ...refused, accepted: true, confirmed: true } }))).toEqual([
      'flip-back',
    ])
  })

  it('fails same-connection when the connection closed or a second one was opened', () => {
    expect(failed(facts({ closed: true, closeReason: 'closed by the target' }))).toEqual([
      'same-connection',
    ])
    expect(failed(facts({ connections: 2 }))).toEqual(['same-connection'])
  })

  it('fails legacy-served when no frame of the session tells the two sets apart', () => {
    const only = new Map([[1, real.mergedIsNewSet]])
    const one = (cls: CloudClass): ReplayStepResult[] => steps([cls]).slice(0, 1)
    const f = facts({
      phases: [
        tallyPhase('contract', one('cloud.end-time'), only, policy, 0),
        tallyPhase('legacy', one('cloud.end-time'), only, policy, 0),
        tallyPhase('contract', one('cloud.end-time'), only, policy, 0),
      ],
    })
    const check = rehearsalChecks(f).find((c) => c.id === 'legacy-served')!
    expect(check.pass).toBe(false)
    expect(check.detail).toContain('the switch cannot be observed')
  })
})
