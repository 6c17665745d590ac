/** Accumulates the extract summary session by session (pure, bounded by the selected sessions). */
import type { LeanFlag } from '../capture/lean-scan.js'
import type { Session } from '../capture/sessions.js'
import { nullRecord } from '../own.js'
import { FRAME_CLASSES, isPollClass, type FrameClass } from '../protocol/frame-class.js'
import type { ExtractResult } from '../evidence/schemas/extract-result.js'
import type { SettingHandshake } from '../capture/handshakes.js'
import type { SessionInfo } from '../evidence/schemas/session-fixture.js'
import { sessionId, sessionRef } from './fixture.js'

export type SelectMode = 'all' | 'setting' | 'polls'

export interface SessionFilter {
  readonly select: SelectMode
  readonly fromMs: number | null
  readonly toMs: number | null
  readonly conn: number | null
}

/** Whether a session is kept: by kind (setting handshake / polls), time overlap, and conn id. */
export function isSelected(
  session: Session,
  handshakes: readonly SettingHandshake[],
  filter: SessionFilter,
): boolean {
  if (!inConnAndTime(session, filter)) return false
  if (filter.select === 'setting' && !handshakes.some((h) => h.ackId !== null)) return false
  if (filter.select === 'polls' && !session.frames.some((f) => isPollClass(f.class))) return false
  return true
}

/** Whether a filter keeps only some sessions (so that the lean first pass can skip the rest). */
export function isRestrictive(filter: SessionFilter): boolean {
  return (
    filter.select !== 'all' ||
    filter.fromMs !== null ||
    filter.toMs !== null ||
    filter.conn !== null
  )
}

/** The lean pass's flag for a filter: what a kept session must hold at least one frame of. */
export function leanFlagOf(filter: SessionFilter): LeanFlag {
  return filter.select === 'setting' ? 'setting' : filter.select === 'polls' ? 'poll' : 'none'
}

/**
 * Whether a session of the lean pass may be selected: conn id and time as isSelected (exact, the
 * lean frames carry both); a setting handshake needs a cloud.setting and a poll session a poll,
 * which the lean scan flags (a superset: the session is then read in full and judged by isSelected).
 */
export function mayBeSelected(session: Session, filter: SessionFilter): boolean {
  if (!inConnAndTime(session, filter)) return false
  if (filter.select === 'setting')
    return session.frames.some((f) => (f.lean ? f.lean.flagged : f.class === 'cloud.setting'))
  if (filter.select === 'polls')
    return session.frames.some((f) => (f.lean ? f.lean.flagged : isPollClass(f.class)))
  return true
}

function inConnAndTime(session: Session, filter: SessionFilter): boolean {
  if (
    filter.conn !== null &&
    session.connId !== filter.conn &&
    !session.cloudConnIds.includes(filter.conn)
  )
    return false
  if (filter.fromMs !== null || filter.toMs !== null) {
    let first = Infinity
    let last = -Infinity
    for (const f of session.frames) {
      if (f.tsMs === null) continue
      if (f.tsMs < first) first = f.tsMs
      if (f.tsMs > last) last = f.tsMs
    }
    if (first === Infinity) return false
    if (filter.fromMs !== null && last < filter.fromMs) return false
    if (filter.toMs !== null && first > filter.toMs) return false
  }
  return true
}

type SessionRow = ExtractResult['sessions'][number]

/** A frame class's index in FRAME_CLASSES (fewer than 256 classes: one byte a frame). */
const CLASS_CODE = new Map(FRAME_CLASSES.map((c, i) => [c, i]))

/**
 * The frame classes of every session of the summary, one byte a frame, in one growing buffer: the
 * summary lists every selected frame's class (an array of them would grow the heap by 8 bytes a
 * frame for the whole run, a typed array per session costs ~250 bytes of its own).
 */
class ClassArena {
  private codes = new Uint8Array(1 << 16)
  private used = 0

  /** Stores the classes of `frames`; returns where they start. */
  add(frames: Session['frames']): number {
    const start = this.used
    if (start + frames.length > this.codes.length) {
      let size = this.codes.length * 2
      while (size < start + frames.length) size *= 2
      const grown = new Uint8Array(size)
      grown.set(this.codes.subarray(0, start))
      this.codes = grown
    }
    for (let i = 0; i < frames.length; i++)
      this.codes[start + i] = CLASS_CODE.get(frames[i]!.class)!
    this.used += frames.length
    return start
  }

  list(start: number, count: number): FrameClass[] {
    return Array.from(this.codes.subarray(start, start + count), (i) => FRAME_CLASSES[i]!)
  }
}

/**
 * A session of the summary, kept small (the summary holds every session of the capture): its id
 * and fixture are derived from its index and conn id when read, its classes sit in the ClassArena
 * and `classes` rebuilds the array (at write time, one session at a time). A class, not an object
 * literal with a getter: V8 keeps such a literal in dictionary mode, about 0.7 KB a session.
 */
class SummarySession implements SessionRow {
  constructor(
    readonly source: string,
    readonly index: number,
    readonly connId: number | null,
    readonly boundary: SessionRow['boundary'],
    readonly firstTs: string | null,
    readonly lastTs: string | null,
    readonly frameCount: number,
    /** The fixture's path up to the `#` of its address (shared by the sessions of a pack). */
    private readonly fixtureBase: string | null,
    readonly settingHandshakes: number,
    private readonly arena: ClassArena,
    private readonly classesAt: number,
  ) {}

  get id(): string {
    return sessionId(this.source, this)
  }

  get fixture(): string | null {
    return this.fixtureBase === null ? null : `${this.fixtureBase}${sessionRef(this)}`
  }

  get classes(): FrameClass[] {
    return this.arena.list(this.classesAt, this.frameCount)
  }

  /** The fields in the schema's order (what JSON.stringify writes). */
  toJSON(): SessionRow {
    return {
      id: this.id,
      source: this.source,
      index: this.index,
      connId: this.connId,
      boundary: this.boundary,
      firstTs: this.firstTs,
      lastTs: this.lastTs,
      frameCount: this.frameCount,
      classes: this.classes,
      fixture: this.fixture,
      settingHandshakes: this.settingHandshakes,
    }
  }
}

/** Collects counts, session list, findings and handshakes of the selected sessions. */
export class ExtractSummary {
  readonly classCounts = Object.fromEntries(FRAME_CLASSES.map((c) => [c, 0])) as Record<
    FrameClass,
    number
  >
  readonly originCounts = { box: 0, cloud: 0, proxy: 0 }
  /** Keyed by `TblName` (frame text): no prototype, so any table name is just a key. */
  readonly tableCounts: Record<string, number> = nullRecord()
  readonly sessions: SummarySession[] = []
  private readonly classes = new ClassArena()
  readonly findings: ExtractResult['findings'] = []
  readonly settingHandshakes: ExtractResult['settingHandshakes'] = []
  readonly findingCounts = { error: 0, warning: 0, info: 0 }
  framesRead = 0
  sessionsRead = 0
  framesSelected = 0

  /** Records a session that was read and not selected without building its fixture. */
  skip(session: Session): void {
    this.sessionsRead++
    this.framesRead += session.frames.length
  }

  /**
   * Records a session that was read; `fixtureBase` is set when it was selected and written: its
   * fixture's path up to the `#` of its address (`<pack index>#`, the session's ref follows).
   */
  add(
    info: SessionInfo,
    session: Session,
    handshakes: readonly SettingHandshake[],
    source: string,
    fixtureBase: string | null,
  ): void {
    const frames = session.frames
    this.sessionsRead++
    this.framesRead += frames.length
    if (fixtureBase === null) return
    this.framesSelected += frames.length
    const id = info.id
    for (const f of frames) {
      this.classCounts[f.class]++
      this.originCounts[f.origin]++
      if (f.table !== null && (f.class === 'box.upload' || f.class === 'box.events')) {
        this.tableCounts[f.table] = (this.tableCounts[f.table] ?? 0) + 1
      }
    }
    for (const x of session.findings) {
      this.findingCounts[x.severity]++
      this.findings.push({ ...x, session: id })
    }
    for (const h of handshakes) this.settingHandshakes.push({ ...h, session: id })
    this.sessions.push(
      new SummarySession(
        source,
        info.index,
        info.connId,
        info.boundary,
        info.firstTs,
        info.lastTs,
        frames.length,
        fixtureBase,
        handshakes.length,
        this.classes,
        this.classes.add(frames),
      ),
    )
  }

  /** Sessions in capture order (sessions close out of order when connections overlap). */
  sortedSessions(): ExtractResult['sessions'] {
    return [...this.sessions].sort((a, b) => (a.source === b.source ? a.index - b.index : 0))
  }
}
