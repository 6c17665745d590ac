/**
 * What session splitting produces (pure types): a session per BOX connection, its frames, and the
 * rule that opened it. Shared by the builder (sessions.ts), its parts and every reader of sessions.
 */
import type { FindingCode, Severity } from '../evidence/schemas/finding-codes.js'
import type { EventType, FrameClass } from '../protocol/frame-class.js'
import type { Destination, Origin } from './rows.js'

/** An integrity finding: what extract reports about a capture, per session (findings.ts). */
export interface Finding {
  readonly code: FindingCode
  readonly severity: Severity
  /** Capture row id the finding is about, when it is about one frame. */
  readonly frameId: number | null
  readonly message: string
}

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

/** A session still taking frames, with what pairing and boundaries track for it. */
export interface OpenSession {
  readonly key: string
  readonly session: Session
  lastTsMs: number | null
  pending: SessionFrame | null
  boxEndAnswered: boolean
}

/** Rounds to microseconds (ms with three decimals), as every gap and latency is written. */
export function round3(n: number): number {
  return Math.round(n * 1000) / 1000
}
