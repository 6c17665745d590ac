/**
 * The simulated BOXes of a soak at the I/O edge: each lane is one BOX that replays sessions back to
 * back over real sockets (runReplay), paced by the recorded gaps divided by the time scale, until
 * the simulated duration is used up. Counts every BOX frame sent and every reply received.
 */
import { runReplay } from '../replay/client.js'
import type { ReplayPlan } from '../replay/plan.js'
import type { ReplayStepResult } from '../replay/transcript-schema.js'
import { createRng } from '../simulate/prng.js'
import { fitPlan } from './box-traffic.js'
import { FRAME_INTERVAL_S } from './schedule.js'

export interface LaneOptions {
  readonly plans: readonly ReplayPlan[]
  readonly lanes: number
  readonly port: number
  readonly durationS: number
  readonly timeScale: number
  /** How long a BOX waits for each reply (wall ms) before it counts the frame as lost. */
  readonly boxReplyTimeoutMs: number
  readonly seed: number
  /** Simulated seconds since the soak started. */
  readonly simNowS: () => number
}

export interface LaneTotals {
  /** Sessions replayed (BOX connections). */
  sessions: number
  boxFrames: number
  /** Reply frames received, including extra ones. */
  replies: number
  /** Frames without a reply (timed out, connection closed, could not connect). */
  lost: number
  /** Replies beyond the one each frame gets. */
  duplicated: number
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function tally(totals: LaneTotals, steps: readonly ReplayStepResult[]): void {
  for (const s of steps) {
    totals.duplicated += s.extra.length
    totals.replies += s.extra.length
    if (s.outcome === 'skipped') continue
    totals.boxFrames++
    if (s.outcome === 'reply') totals.replies++
    else totals.lost++
  }
}

/** Runs `lanes` BOXes concurrently until the simulated duration is over; resolves with totals. */
export async function runBoxLanes(opts: LaneOptions): Promise<LaneTotals> {
  const totals: LaneTotals = { sessions: 0, boxFrames: 0, replies: 0, lost: 0, duplicated: 0 }
  const maxGapMs = FRAME_INTERVAL_S * 1000
  const rng = createRng(opts.seed ^ 0x5eed)
  let next = 0
  const lane = async (i: number): Promise<void> => {
    // Lanes start staggered so that their frames interleave.
    await sleep(((i * FRAME_INTERVAL_S) / opts.lanes / opts.timeScale) * 1000)
    for (;;) {
      const leftMs = (opts.durationS - opts.simNowS()) * 1000
      const plan = fitPlan(opts.plans[next++ % opts.plans.length]!, leftMs, maxGapMs)
      if (plan === null) return
      totals.sessions++
      const steps = await runReplay(
        plan,
        { host: '127.0.0.1', port: opts.port },
        {
          speed: opts.timeScale,
          maxSpeed: false,
          replyTimeoutMs: opts.boxReplyTimeoutMs,
          holdAfterS: 0,
          maxGapMs: maxGapMs / opts.timeScale,
        },
      )
      tally(totals, steps)
      // The BOX reconnects after one of its usual pauses (§3), not the capture's long idle gaps.
      await sleep((rng.float(3.5, FRAME_INTERVAL_S) / opts.timeScale) * 1000)
    }
  }
  await Promise.all(Array.from({ length: opts.lanes }, (_, i) => lane(i)))
  return totals
}
