/** Accumulates the extract summary session by session (pure, bounded by the selected sessions). */
import type { Session } from '../capture/sessions.js'
import { nullRecord } from '../own.js'
import { FRAME_CLASSES, isPollClass, type FrameClass } from '../protocol/frame-class.js'
import type { ExtractResult } from '../evidence/schemas/extract-result.js'
import type { SessionFixture } from '../evidence/schemas/session-fixture.js'

export type SelectMode = 'all' | 'setting' | 'polls'

export interface SessionFilter {
  readonly select: SelectMode
  readonly fromMs: number | null
  readonly toMs: number | null
  readonly conn: number | null
}

/** Whether a session is kept: by kind (setting handshake / polls), time overlap, and conn id. */
export function isSelected(
  fixture: SessionFixture,
  session: Session,
  filter: SessionFilter,
): boolean {
  if (
    filter.conn !== null &&
    session.connId !== filter.conn &&
    !session.cloudConnIds.includes(filter.conn)
  )
    return false
  if (filter.select === 'setting' && !fixture.handshakes.some((h) => h.ackId !== null)) return false
  if (filter.select === 'polls' && !session.frames.some((f) => isPollClass(f.class))) return false
  if (filter.fromMs !== null || filter.toMs !== null) {
    const times = session.frames.map((f) => f.tsMs).filter((t): t is number => t !== null)
    if (times.length === 0) return false
    const first = Math.min(...times)
    const last = Math.max(...times)
    if (filter.fromMs !== null && last < filter.fromMs) return false
    if (filter.toMs !== null && first > filter.toMs) return false
  }
  return true
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** Collects counts, session list, findings and handshakes of the selected sessions. */
export class ExtractSummary {
  readonly classCounts = Object.fromEntries(FRAME_CLASSES.map((c) => [c, 0])) as Record<
    FrameClass,
    number
  >
  readonly originCounts = { box: 0, cloud: 0, proxy: 0 }
  /** Keyed by `TblName` (frame text): no prototype, so any table name is just a key. */
  readonly tableCounts: Record<string, number> = nullRecord()
  readonly sessions: Mutable<ExtractResult['sessions'][number]>[] = []
  readonly findings: ExtractResult['findings'] = []
  readonly settingHandshakes: ExtractResult['settingHandshakes'] = []
  readonly findingCounts = { error: 0, warning: 0, info: 0 }
  framesRead = 0
  sessionsRead = 0
  framesSelected = 0

  /** Records a session that was read; `fixturePath` is set when it was selected and written. */
  add(fixture: SessionFixture, source: string, fixturePath: string | null): void {
    this.sessionsRead++
    this.framesRead += fixture.frames.length
    if (fixturePath === null) return
    this.framesSelected += fixture.frames.length
    const id = fixture.session.id
    for (const f of fixture.frames) {
      this.classCounts[f.class]++
      this.originCounts[f.origin]++
      if (f.table !== null && (f.class === 'box.upload' || f.class === 'box.events')) {
        this.tableCounts[f.table] = (this.tableCounts[f.table] ?? 0) + 1
      }
    }
    for (const x of fixture.findings) {
      this.findingCounts[x.severity]++
      this.findings.push({ ...x, session: id })
    }
    for (const h of fixture.handshakes) this.settingHandshakes.push({ ...h, session: id })
    this.sessions.push({
      id,
      source,
      index: fixture.session.index,
      connId: fixture.session.connId,
      boundary: fixture.session.boundary,
      firstTs: fixture.session.firstTs,
      lastTs: fixture.session.lastTs,
      frameCount: fixture.frames.length,
      classes: fixture.frames.map((f) => f.class),
      fixture: fixturePath,
      settingHandshakes: fixture.handshakes.length,
    })
  }

  /** Sessions in capture order (sessions close out of order when connections overlap). */
  sortedSessions(): ExtractResult['sessions'] {
    return [...this.sessions].sort((a, b) => (a.source === b.source ? a.index - b.index : 0))
  }
}
