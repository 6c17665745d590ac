/**
 * Session splitting and request/reply pairing over capture rows in capture order (pure, streaming).
 * The builder feeds each row's frame (session-frame.ts) to the session its boundaries choose
 * (boundaries.ts), records the frame's integrity findings (findings.ts) and pairs it (pairing.ts).
 * Every session says which rule opened it.
 */
import { SessionBoundaries } from './boundaries.js'
import { addFrameFindings, finding } from './findings.js'
import { closePending, pairFrame } from './pairing.js'
import type { CaptureRow, LeanRow } from './rows.js'
import { leanSessionFrame, toSessionFrame } from './session-frame.js'
import { round3, type OpenSession, type Session, type SessionFrame } from './session-model.js'

export type { Boundary, BoundaryRule, Session, SessionFrame } from './session-model.js'
export { toSessionFrame } from './session-frame.js'

export interface SessionBuilderOptions {
  /** A gap longer than this closes a session (same conn id reused, or no conn id). */
  readonly sessionGapMs: number
  /** Rows come in strictly increasing id order (a DB read by id): duplicates show as non-increase. */
  readonly idsOrdered: boolean
  readonly onSession: (session: Session) => void
  /** The full row of a lean frame by id (for the proxy's relayed duplicates, PROTOCOL.md §6). */
  readonly rowOf?: (id: number) => CaptureRow | undefined
}

export const DEFAULT_SESSION_GAP_MS = 10 * 60_000

/** Streams capture rows into sessions; calls `onSession` as each session closes. */
export class SessionBuilder {
  private readonly boundaries = new SessionBoundaries((open) => this.close(open))
  private readonly seenIds = new Set<number>()
  private lastId: number | null = null
  private readonly textOf = (p: SessionFrame): Pick<SessionFrame, 'raw' | 'rawB64'> =>
    this.pendingText(p)

  constructor(private readonly options: SessionBuilderOptions) {}

  /** Adds the next row in capture order (a lean row: see LeanRow and completeSession). */
  push(row: CaptureRow | LeanRow): void {
    const dup = this.checkId(row.id)
    if (row.tsMs !== null) this.boundaries.closeIdle(row.tsMs, this.options.sessionGapMs)
    const frame = 'lean' in row ? leanSessionFrame(row) : toSessionFrame(row)
    const target = this.boundaries.sessionFor(row, frame)
    const session = target.session
    if (dup)
      session.findings.push(
        finding('duplicate-id', row.id, `row id ${row.id} appears again or out of order`),
      )
    this.append(target, frame)
  }

  /** Whether any session still open satisfies `test`. */
  anyOpen(test: (session: Session) => boolean): boolean {
    return this.boundaries.openSessions().some((open) => test(open.session))
  }

  /** Closes every open session (end of input). */
  finish(): void {
    for (const open of this.boundaries.openSessions()) this.close(open)
  }

  private checkId(id: number): boolean {
    if (this.options.idsOrdered) {
      const dup = this.lastId !== null && id <= this.lastId
      this.lastId = id
      return dup
    }
    if (this.seenIds.has(id)) return true
    this.seenIds.add(id)
    return false
  }

  private append(open: OpenSession, frame: SessionFrame): void {
    const { session } = open
    const prev = session.frames[session.frames.length - 1]
    if (prev && prev.tsMs !== null && frame.tsMs !== null)
      frame.gapMs = round3(frame.tsMs - prev.tsMs)
    addFrameFindings(session.findings, prev, frame)
    pairFrame(open, frame, this.textOf)
    session.frames.push(frame)
    if (frame.tsMs !== null) open.lastTsMs = Math.max(open.lastTsMs ?? frame.tsMs, frame.tsMs)
    this.boundaries.lastActive = open
  }

  /** A pending frame with its text: a lean one is read in full (rare: only for a relayed frame). */
  private pendingText(p: SessionFrame): Pick<SessionFrame, 'raw' | 'rawB64'> {
    if (!p.lean) return p
    const row = this.options.rowOf?.(p.id)
    return row ? toSessionFrame(row) : p
  }

  private close(open: OpenSession): void {
    if (!this.boundaries.isOpen(open)) return
    closePending(open)
    this.boundaries.forget(open)
    this.options.onSession(open.session)
  }
}

/**
 * The full session of a session found by the lean first pass: its rows read in full and split
 * again on their own, which gives the same frames, pairing and findings as one full pass (pairing
 * and findings only look inside a session); position, boundary and the findings made when it
 * opened (conn id restart, discontinuity) depend on the whole capture and come from the lean pass.
 */
export function completeSession(
  lean: Session,
  rows: readonly CaptureRow[],
  options: Pick<SessionBuilderOptions, 'sessionGapMs'>,
): Session {
  const done: Session[] = []
  const builder = new SessionBuilder({
    sessionGapMs: options.sessionGapMs,
    idsOrdered: true,
    onSession: (s) => done.push(s),
  })
  for (const row of rows) builder.push(row)
  builder.finish()
  const full = done[0]
  if (done.length !== 1 || full === undefined || full.frames.length !== lean.frames.length) {
    throw new Error(
      `internal error: session ${lean.index} read in full splits into ${done.length} session(s)`,
    )
  }
  const opening = lean.findings.filter(
    (f) => f.code === 'conn-id-restart' || f.code === 'conn-id-discontinuity',
  )
  return {
    ...full,
    index: lean.index,
    boundary: lean.boundary,
    findings: [...opening, ...full.findings],
  }
}
