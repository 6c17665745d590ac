/** Accumulates the extract summary session by session (pure: its lists go to a TextStore). */
import type { LeanFlag } from '../capture/lean-scan.js'
import type { Session } from '../capture/sessions.js'
import { nullRecord } from '../own.js'
import { FRAME_CLASSES, isPollClass, type FrameClass } from '../protocol/frame-class.js'
import type { ExtractResult } from '../evidence/schemas/extract-result.js'
import type { SettingHandshake } from '../capture/handshakes.js'
import type { SessionInfo } from '../evidence/schemas/session-fixture.js'
import { ItemList, type TextStore } from '../evidence/item-list.js'

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
type FindingRow = ExtractResult['findings'][number]
type HandshakeRow = ExtractResult['settingHandshakes'][number]

/**
 * Collects counts, session list, findings and handshakes of the selected sessions. The lists are
 * kept as JSON texts in a TextStore (extract: a spool file), a few numbers a session in memory:
 * they grow with the capture, the memory does not.
 */
export class ExtractSummary {
  readonly classCounts = Object.fromEntries(FRAME_CLASSES.map((c) => [c, 0])) as Record<
    FrameClass,
    number
  >
  readonly originCounts = { box: 0, cloud: 0, proxy: 0 }
  /** Keyed by `TblName` (frame text): no prototype, so any table name is just a key. */
  readonly tableCounts: Record<string, number> = nullRecord()
  readonly findingCounts = { error: 0, warning: 0, info: 0 }
  framesRead = 0
  sessionsRead = 0
  framesSelected = 0
  /** Per selected session: its text's number, its source's position among the sources, its index. */
  private readonly sessionTexts: number[] = []
  private readonly sessionSources: number[] = []
  private readonly sessionIndexes: number[] = []
  private readonly findingTexts: number[] = []
  private readonly handshakeTexts: number[] = []
  private readonly sources = new Map<string, number>()

  constructor(private readonly store: TextStore) {}

  /** Sessions selected so far. */
  get sessionCount(): number {
    return this.sessionTexts.length
  }

  /** Records a session that was read and not selected without building its fixture. */
  skip(session: Session): void {
    this.sessionsRead++
    this.framesRead += session.frames.length
  }

  /** Records a session that was read; `fixturePath` is set when it was selected and written. */
  add(
    info: SessionInfo,
    session: Session,
    handshakes: readonly SettingHandshake[],
    source: string,
    fixturePath: string | null,
  ): void {
    const frames = session.frames
    this.sessionsRead++
    this.framesRead += frames.length
    if (fixturePath === null) return
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
      const finding: FindingRow = { ...x, session: id }
      this.findingTexts.push(this.store.add(JSON.stringify(finding)))
    }
    for (const h of handshakes) {
      const handshake: HandshakeRow = { ...h, session: id }
      this.handshakeTexts.push(this.store.add(JSON.stringify(handshake)))
    }
    const row: SessionRow = {
      id,
      source,
      index: info.index,
      connId: info.connId,
      boundary: info.boundary,
      firstTs: info.firstTs,
      lastTs: info.lastTs,
      frameCount: frames.length,
      classes: frames.map((f) => f.class),
      fixture: fixturePath,
      settingHandshakes: handshakes.length,
    }
    let sourceAt = this.sources.get(source)
    if (sourceAt === undefined) this.sources.set(source, (sourceAt = this.sources.size))
    this.sessionTexts.push(this.store.add(JSON.stringify(row)))
    this.sessionSources.push(sourceAt)
    this.sessionIndexes.push(info.index)
  }

  /**
   * Sessions in capture order: by source as read, then by index (sessions close out of order when
   * connections overlap).
   */
  sortedSessions(): ItemList<SessionRow> {
    const order = this.sessionTexts.map((_, i) => i)
    order.sort(
      (a, b) =>
        this.sessionSources[a]! - this.sessionSources[b]! ||
        this.sessionIndexes[a]! - this.sessionIndexes[b]!,
    )
    return this.list(order.map((i) => this.sessionTexts[i]!))
  }

  /** Findings in the order their sessions were added. */
  findings(): ItemList<FindingRow> {
    return this.list(this.findingTexts)
  }

  settingHandshakes(): ItemList<HandshakeRow> {
    return this.list(this.handshakeTexts)
  }

  private list<T>(texts: readonly number[]): ItemList<T> {
    const store = this.store
    return new ItemList<T>({ length: texts.length, text: (i) => store.text(texts[i]!) })
  }
}
