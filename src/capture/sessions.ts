/**
 * Session splitting and request/reply pairing over capture rows in capture order (pure, streaming).
 * One session per BOX connection. `conn_id` restarts with the add-on and the newer add-on uses a
 * different id per direction (PROTOCOL.md §6), so boundaries come from ids and time gaps together,
 * and every session says which rule opened it.
 */
import { CLASSIFY_TAGS, classifyFrame, inferSide } from '../protocol/classify.js'
import type { EventType, FrameClass } from '../protocol/frame-class.js'
import { parseFrame } from '../protocol/frame.js'
import { finding, type Finding } from './findings.js'
import {
  mapDirection,
  type CaptureRow,
  type Destination,
  type LeanRow,
  type Origin,
} from './rows.js'

export type BoundaryRule =
  | 'start-of-capture'
  | 'new-conn-id'
  | 'conn-id-restart'
  | 'time-gap'
  | 'after-box-end'
  | 'orphan-reply'

export interface Boundary {
  readonly rule: BoundaryRule
  readonly detail: string
}

export interface SessionFrame {
  readonly id: number
  readonly ts: string | null
  readonly tsMs: number | null
  readonly origin: Origin
  readonly destination: Destination
  readonly direction: string | null
  readonly connId: number | null
  readonly class: FrameClass
  readonly table: string | null
  readonly eventType: EventType | null
  readonly pollForm: 'short' | 'merged' | null
  readonly item: string | null
  /** CRC verified; null when the text is not a frame at all. */
  readonly crcOk: boolean | null
  readonly raw: string
  /** The frame's bytes, base64, when `raw` cannot stand for them (they are not UTF-8). */
  readonly rawB64?: string
  /** The DB's `table_name` (a hint only, never used to classify). */
  readonly tableName: string | null
  /** Milliseconds since the previous frame of this session (null without timestamps). */
  gapMs: number | null
  /** Id of the BOX frame this frame replies to. */
  answers: number | null
  /** Id of the frame that replied to this BOX frame. */
  replyId: number | null
  /** Reply latency in ms (on the request), null when unanswered or without timestamps. */
  latencyMs: number | null
  readonly notes: string[]
  /**
   * Set on a frame of the lean first pass only: its class, CRC and raw text are not known yet
   * (placeholders), and this says whether the scan's flag matched it. See completeSession.
   */
  readonly lean?: { readonly flagged: boolean }
}

export interface Session {
  /** 1-based position of the session in capture order within its source. */
  readonly index: number
  readonly connId: number | null
  readonly cloudConnIds: number[]
  readonly boundary: Boundary
  readonly frames: SessionFrame[]
  readonly findings: Finding[]
}

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

interface OpenSession {
  readonly key: string
  readonly session: Session
  lastTsMs: number | null
  pending: SessionFrame | null
  boxEndAnswered: boolean
}

/** Streams capture rows into sessions; calls `onSession` as each session closes. */
export class SessionBuilder {
  private readonly open = new Map<string, OpenSession>()
  private readonly cloudConnToKey = new Map<number, string>()
  private readonly seenIds = new Set<number>()
  private maxConnId: number | null = null
  private lastId: number | null = null
  private nextIndex = 1
  private lastActive: OpenSession | null = null
  private lastConnId = NaN
  private lastConnKey = ''

  constructor(private readonly options: SessionBuilderOptions) {}

  /** Adds the next row in capture order (a lean row: see LeanRow and completeSession). */
  push(row: CaptureRow | LeanRow): void {
    const dup = this.checkId(row.id)
    if (row.tsMs !== null) this.closeIdle(row.tsMs)
    const frame = 'lean' in row ? leanSessionFrame(row) : toSessionFrame(row)
    const target = this.sessionFor(row, frame)
    const session = target.session
    if (dup)
      session.findings.push(
        finding('duplicate-id', row.id, `row id ${row.id} appears again or out of order`),
      )
    this.append(target, frame)
  }

  /** Closes every open session (end of input). */
  finish(): void {
    for (const open of [...this.open.values()].sort((a, b) => a.session.index - b.session.index))
      this.close(open)
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

  private closeIdle(nowMs: number): void {
    for (const open of this.open.values()) {
      if (open.lastTsMs !== null && nowMs - open.lastTsMs > this.options.sessionGapMs)
        this.close(open)
    }
  }

  private sessionFor(row: CaptureRow | LeanRow, frame: SessionFrame): OpenSession {
    const dir = mapDirection(row.direction)
    if (row.connId !== null && dir?.vocabulary === 'direct' && frame.destination === 'box') {
      return this.sessionForDirectReply(row.connId, frame)
    }
    if (row.connId !== null && dir?.vocabulary === 'direct')
      return this.sessionForDirectBox(row.connId)
    if (row.connId !== null) return this.sessionForConn(row.connId)
    if (this.lastActive && this.open.has(this.lastActive.key) && this.lastActive.key !== '*')
      return this.lastActive
    return this.sessionWithoutConn(frame)
  }

  private sessionForConn(connId: number): OpenSession {
    // Consecutive rows mostly share a connection: reuse its key (millions of rows in an extract).
    const key = connId === this.lastConnId ? this.lastConnKey : `c:${connId}`
    this.lastConnId = connId
    this.lastConnKey = key
    const existing = this.open.get(key)
    if (existing) return existing
    const previousMax = this.maxConnId
    const extra: Finding[] = []
    let boundary: Boundary
    if (previousMax === null) {
      boundary = {
        rule: 'start-of-capture',
        detail: `first connection in this capture (conn_id ${connId})`,
      }
    } else if (connId < previousMax) {
      for (const open of [...this.open.values()]) this.close(open)
      boundary = {
        rule: 'conn-id-restart',
        detail: `conn_id went down from ${previousMax} to ${connId}: the add-on restarted (or reused the id after a gap)`,
      }
      extra.push(finding('conn-id-restart', null, boundary.detail))
      this.maxConnId = connId
    } else if (connId === previousMax) {
      boundary = {
        rule: 'time-gap',
        detail: `conn_id ${connId} was silent longer than the session gap`,
      }
    } else {
      boundary = { rule: 'new-conn-id', detail: `new conn_id ${connId}` }
      if (connId > previousMax + 1) {
        extra.push(
          finding(
            'conn-id-discontinuity',
            null,
            `conn_id jumped from ${previousMax} to ${connId}: ${connId - previousMax - 1} connection(s) not in this capture`,
          ),
        )
      }
    }
    if (this.maxConnId === null || connId > this.maxConnId) this.maxConnId = connId
    return this.create(key, connId, boundary, extra)
  }

  /**
   * Newer add-on: BOX rows carry a task id of their own direction. Ids are not a per-connection
   * counter there, so restart and discontinuity rules do not apply; only a new id or a gap splits.
   */
  private sessionForDirectBox(connId: number): OpenSession {
    const key = `b:${connId}`
    const existing = this.open.get(key)
    if (existing) return existing
    const first = this.nextIndex === 1
    return this.create(
      key,
      connId,
      first
        ? {
            rule: 'start-of-capture',
            detail: `first connection in this capture (BOX-side id ${connId})`,
          }
        : {
            rule: 'new-conn-id',
            detail: `new BOX-side id ${connId} (newer add-on: replies paired by time)`,
          },
    )
  }

  /**
   * Newer add-on: a reply carries the id of the other direction, so it is paired by time with the
   * open connection whose BOX frame is waiting (the latest such request not after the reply); the
   * reply's own id only breaks ties between connections that are both waiting.
   */
  private sessionForDirectReply(cloudConnId: number, frame: SessionFrame): OpenSession {
    const mapped = this.cloudConnToKey.get(cloudConnId)
    let best: OpenSession | null = null
    for (const open of this.open.values()) {
      const p = open.pending
      if (!p) continue
      if (p.tsMs !== null && frame.tsMs !== null && p.tsMs > frame.tsMs) continue
      const pt = p.tsMs ?? -Infinity
      const bt = best?.pending?.tsMs ?? -Infinity
      if (!best || pt > bt || (pt === bt && open.key === mapped)) best = open
    }
    const mappedOpen = mapped === undefined ? undefined : this.open.get(mapped)
    const chosen =
      best ??
      mappedOpen ??
      (this.lastActive && this.open.has(this.lastActive.key) ? this.lastActive : null)
    if (chosen) {
      this.cloudConnToKey.set(cloudConnId, chosen.key)
      if (!chosen.session.cloudConnIds.includes(cloudConnId))
        chosen.session.cloudConnIds.push(cloudConnId)
      return chosen
    }
    const created = this.create(`r:${cloudConnId}`, null, {
      rule: 'orphan-reply',
      detail: `reply on conn_id ${cloudConnId} with no open BOX connection to pair it with by time`,
    })
    created.session.cloudConnIds.push(cloudConnId)
    this.cloudConnToKey.set(cloudConnId, created.key)
    return created
  }

  private sessionWithoutConn(frame: SessionFrame): OpenSession {
    const existing = this.open.get('*')
    if (existing) {
      if (existing.boxEndAnswered && frame.origin === 'box') {
        this.close(existing)
        return this.create('*', null, {
          rule: 'after-box-end',
          detail: 'no conn_id: a BOX frame after an answered BOX END starts a new session',
        })
      }
      return existing
    }
    const first = this.nextIndex === 1
    return this.create('*', null, {
      rule: first ? 'start-of-capture' : 'time-gap',
      detail: first
        ? 'first frame (no conn_id: sessions split on time gaps and BOX END)'
        : 'no conn_id: gap longer than the session gap',
    })
  }

  private create(
    key: string,
    connId: number | null,
    boundary: Boundary,
    findings: Finding[] = [],
  ): OpenSession {
    const session: Session = {
      index: this.nextIndex++,
      connId,
      cloudConnIds: [],
      boundary,
      frames: [],
      findings: [...findings],
    }
    const open: OpenSession = { key, session, lastTsMs: null, pending: null, boxEndAnswered: false }
    this.open.set(key, open)
    return open
  }

  private append(open: OpenSession, frame: SessionFrame): void {
    const { session } = open
    const prev = session.frames[session.frames.length - 1]
    if (prev && prev.tsMs !== null && frame.tsMs !== null) {
      frame.gapMs = round3(frame.tsMs - prev.tsMs)
      if (frame.tsMs < prev.tsMs) {
        session.findings.push(
          finding(
            'ts-out-of-order',
            frame.id,
            `ts ${frame.ts} is earlier than the previous frame's ${prev.ts}`,
          ),
        )
      }
    }
    if (frame.crcOk === false)
      session.findings.push(
        finding('crc-failure', frame.id, `CRC does not verify (${frame.class})`),
      )
    if (frame.crcOk === null)
      session.findings.push(
        finding('unparseable-frame', frame.id, 'row text is not a <Frame>…</Frame>'),
      )
    if (frame.ts !== null && frame.tsMs === null)
      session.findings.push(
        finding('missing-ts', frame.id, `unparseable ts ${JSON.stringify(frame.ts)}`),
      )
    if (frame.direction === null || mapDirection(frame.direction) === null) {
      if (frame.notes.includes('origin-unknown')) {
        session.findings.push(
          finding(
            'unknown-direction',
            frame.id,
            'no usable direction and the frame shape does not tell its side',
          ),
        )
      }
    }
    this.pair(open, frame)
    session.frames.push(frame)
    if (frame.tsMs !== null) open.lastTsMs = Math.max(open.lastTsMs ?? frame.tsMs, frame.tsMs)
    this.lastActive = open
  }

  private pair(open: OpenSession, frame: SessionFrame): void {
    // A frame whose side is unknown is neither a request nor a reply: no guess.
    if (frame.notes.includes('origin-unknown')) return
    // The proxy logged the BOX frame it relayed as well as the one it received: pair only once.
    if (
      frame.notes.includes('relayed-by-proxy') &&
      open.pending &&
      sameFrameText(this.pendingText(open.pending), frame)
    ) {
      frame.notes.push(`duplicate-of ${open.pending.id}`)
      return
    }
    if (frame.origin === 'box') {
      if (open.pending) this.unanswered(open)
      open.pending = frame
      open.boxEndAnswered = false
      return
    }
    if (frame.destination !== 'box') return
    const request = open.pending
    if (!request) {
      open.session.findings.push(
        finding(
          'reply-without-request',
          frame.id,
          `${frame.class} with no BOX frame waiting for a reply`,
        ),
      )
      return
    }
    frame.answers = request.id
    request.replyId = frame.id
    if (request.tsMs !== null && frame.tsMs !== null)
      request.latencyMs = round3(frame.tsMs - request.tsMs)
    if (request.class === 'box.end') open.boxEndAnswered = true
    open.pending = null
  }

  /** A pending frame with its text: a lean one is read in full (rare: only for a relayed frame). */
  private pendingText(p: SessionFrame): Pick<SessionFrame, 'raw' | 'rawB64'> {
    if (!p.lean) return p
    const row = this.options.rowOf?.(p.id)
    return row ? toSessionFrame(row) : p
  }

  private unanswered(open: OpenSession): void {
    const p = open.pending
    if (!p) return
    open.session.findings.push(
      finding('request-without-reply', p.id, `${p.class} got no reply on this connection`),
    )
    open.pending = null
  }

  private close(open: OpenSession): void {
    if (!this.open.has(open.key) || this.open.get(open.key) !== open) return
    this.unanswered(open)
    this.open.delete(open.key)
    for (const [cloud, key] of this.cloudConnToKey)
      if (key === open.key) this.cloudConnToKey.delete(cloud)
    if (this.lastActive === open) this.lastActive = null
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

/** Same frame text and bytes (the proxy logged the BOX frame it relayed as well as the one it received). */
function sameFrameText(
  a: Pick<SessionFrame, 'raw' | 'rawB64'>,
  b: Pick<SessionFrame, 'raw' | 'rawB64'>,
): boolean {
  return a.raw === b.raw && a.rawB64 === b.rawB64
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000
}

/**
 * The frame of a lean row: side from its direction, everything the frame text would tell left as a
 * placeholder (`*.unknown`, CRC taken as good so that no finding is made of it).
 */
function leanSessionFrame(row: LeanRow): SessionFrame {
  const dir = mapDirection(row.direction)!
  return {
    id: row.id,
    ts: row.ts,
    tsMs: row.tsMs,
    origin: dir.origin,
    destination: dir.destination,
    direction: row.direction,
    connId: row.connId,
    class: dir.destination === 'cloud' ? 'box.unknown' : 'cloud.unknown',
    table: null,
    eventType: null,
    pollForm: null,
    item: null,
    crcOk: true,
    raw: '',
    tableName: null,
    gapMs: null,
    answers: null,
    replyId: null,
    latencyMs: null,
    // Never added to: only a relayed BOX frame gets a note from pairing, and that row is read in full.
    notes: NO_NOTES,
    lean: row.flagged ? LEAN_FLAGGED : LEAN_PLAIN,
  }
}

const NO_NOTES = Object.freeze([]) as unknown as string[]
const LEAN_FLAGGED = Object.freeze({ flagged: true })
const LEAN_PLAIN = Object.freeze({ flagged: false })

/** Parses, orients and classifies one capture row. */
export function toSessionFrame(row: CaptureRow): SessionFrame {
  const parsed = parseFrame(row.bytes ?? row.raw, { keepTags: CLASSIFY_TAGS })
  const dir = mapDirection(row.direction)
  const notes: string[] = []
  let origin: Origin
  let destination: Destination
  let sideKnown = true
  if (dir) {
    origin = dir.origin
    destination = dir.destination
    // proxy_to_cloud: the proxy relaying a BOX frame (PROTOCOL.md §6, a few days in 2025-12).
    if (dir.origin === 'proxy' && dir.destination === 'cloud') {
      origin = 'box'
      notes.push('relayed-by-proxy')
    }
  } else {
    const side = parsed.ok ? inferSide(parsed.frame) : null
    sideKnown = side !== null
    origin = side === 'cloud' ? 'cloud' : 'box'
    destination = side === 'cloud' ? 'box' : 'cloud'
    notes.push(side === null ? 'origin-unknown' : 'origin-inferred')
  }
  // Frames towards the cloud speak the BOX's language; frames towards the BOX the cloud's.
  const side = destination === 'cloud' ? 'box' : 'cloud'
  const c =
    parsed.ok && sideKnown
      ? classifyFrame(parsed.frame, side)
      : { class: side === 'box' ? ('box.unknown' as const) : ('cloud.unknown' as const) }
  if (!parsed.ok) notes.push(`parse: ${parsed.problem.code}`)
  return {
    id: row.id,
    ts: row.ts,
    tsMs: row.tsMs,
    origin,
    destination,
    direction: row.direction,
    connId: row.connId,
    class: c.class,
    table: ('table' in c && c.table) || null,
    eventType: ('eventType' in c && c.eventType) || null,
    pollForm: ('pollForm' in c && c.pollForm) || null,
    item: ('item' in c && c.item) || null,
    crcOk: parsed.ok ? parsed.frame.crcOk : parsed.crcOk,
    raw: row.raw,
    ...(row.bytes === undefined ? {} : { rawB64: Buffer.from(row.bytes).toString('base64') }),
    tableName: row.tableName,
    gapMs: null,
    answers: null,
    replyId: null,
    latencyMs: null,
    notes,
  }
}
