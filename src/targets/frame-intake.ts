/**
 * What both servers (mock cloud and proxy) do with the bytes of one read from a BOX (pure): the
 * splitter resynchronises on `<Frame>`, so every complete frame of the read is answered in order,
 * garbage or an oversize frame beside it included; each problem is counted and logged, and ends
 * the connection once the frames already received are answered (PROTOCOL.md §1).
 */
import type { SplitterEvent } from '../protocol/frame-splitter.js'

export interface IntakeProblem {
  readonly problem: 'garbage' | 'oversize'
  readonly bytes: number
  /** First bytes of the garbage, as latin1 text. */
  readonly sample?: string
}

/** The problem counters both servers show in `GET /state` and their stop summary. */
export interface IntakeCounters {
  crcErrors: number
  garbage: number
  oversize: number
}

export interface IntakeRead {
  readonly frames: Buffer[]
  readonly problems: IntakeProblem[]
}

/** Sorts the splitter's events of one read into its frames and its problems, each in order. */
export function takeRead(events: readonly SplitterEvent[]): IntakeRead {
  const frames: Buffer[] = []
  const problems: IntakeProblem[] = []
  for (const e of events) {
    if (e.type === 'frame') frames.push(e.bytes)
    else if (e.type === 'garbage')
      problems.push({ problem: 'garbage', bytes: e.bytes, sample: e.sample })
    else problems.push({ problem: 'oversize', bytes: e.bytes })
  }
  return { frames, problems }
}

/** Counts a problem; returns why it ends the connection (`atEnd`: what the BOX left at its FIN). */
export function countProblem(
  counters: IntakeCounters,
  p: IntakeProblem,
  maxFrameBytes: number,
  atEnd = false,
): string {
  if (p.problem === 'oversize') {
    counters.oversize++
    return `oversize frame: over ${maxFrameBytes} bytes`
  }
  counters.garbage++
  return atEnd
    ? `partial frame at FIN: ${p.bytes} byte(s) without </Frame>`
    : `garbage: ${p.bytes} byte(s) outside a frame`
}
