/**
 * Session boundaries (pure): which open session a row belongs to, and the rule that opened each.
 * One session per BOX connection. `conn_id` restarts with the add-on and the newer add-on uses a
 * different id per direction (PROTOCOL.md §6), so boundaries come from ids and time gaps together.
 */
import { finding } from './findings.js'
import { mapDirection, type CaptureRow, type LeanRow } from './rows.js'
import type { Boundary, Finding, OpenSession, Session, SessionFrame } from './session-model.js'

/** The open sessions of a capture being split, keyed by connection. */
export class SessionBoundaries {
  private readonly open = new Map<string, OpenSession>()
  private readonly cloudConnToKey = new Map<number, string>()
  private maxConnId: number | null = null
  private nextIndex = 1
  /** The session of the latest frame (a frame without a conn id goes on with it). */
  lastActive: OpenSession | null = null
  private lastConnId = NaN
  private lastConnKey = ''

  /** `closeSession` closes an open session the boundaries end (a conn id restart, a BOX END). */
  constructor(private readonly closeSession: (open: OpenSession) => void) {}

  /** The open sessions, in the order they opened. */
  openSessions(): OpenSession[] {
    return [...this.open.values()].sort((a, b) => a.session.index - b.session.index)
  }

  /** Closes the open sessions silent for longer than `gapMs` at `nowMs`. */
  closeIdle(nowMs: number, gapMs: number): void {
    for (const open of this.open.values())
      if (open.lastTsMs !== null && nowMs - open.lastTsMs > gapMs) this.closeSession(open)
  }

  /** Whether `open` is still open (a session is closed once). */
  isOpen(open: OpenSession): boolean {
    return this.open.get(open.key) === open
  }

  /** Takes a closing session out. */
  forget(open: OpenSession): void {
    if (!this.isOpen(open)) return
    this.open.delete(open.key)
    for (const [cloud, key] of this.cloudConnToKey)
      if (key === open.key) this.cloudConnToKey.delete(cloud)
    if (this.lastActive === open) this.lastActive = null
  }

  /** The open session `row` belongs to, opening one (with its rule) when none is. */
  sessionFor(row: CaptureRow | LeanRow, frame: SessionFrame): OpenSession {
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
      for (const open of [...this.open.values()]) this.closeSession(open)
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
        this.closeSession(existing)
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
}
