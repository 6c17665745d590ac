/** What `oigctl report` renders: the evidence documents of one folder, each read through its schema. */
import type { CompareReport } from '../compare/report-schema.js'
import type { Contract } from '../contract/schema.js'
import type { ExtractResult } from '../evidence/schemas/extract-result.js'
import type { SessionFixture } from '../evidence/schemas/session-fixture.js'
import type { GateDecision } from '../gate/gate-schema.js'
import type { RollbackRehearsal } from '../rehearse/rehearsal-schema.js'
import type { ReplayTranscript } from '../replay/transcript-schema.js'
import type { SoakReport } from '../soak/report-schema.js'

export type EvidenceFileStatus =
  'ok' | 'unknown-schema-version' | 'invalid' | 'not-json' | 'unknown-kind' | 'unreadable'

/** One file found in the evidence folder and what became of it. */
export interface EvidenceEntry {
  /** Path relative to the evidence folder, with `/`. */
  readonly file: string
  readonly kind: string | null
  readonly schemaVersion: unknown
  readonly status: EvidenceFileStatus
  readonly problem: string | null
}

export interface ReportInput {
  readonly evidenceDir: string
  /** Relative path from the report file to the evidence folder (for links), with `/`. */
  readonly linkBase: string
  readonly entries: readonly EvidenceEntry[]
  readonly extract: ExtractResult | null
  readonly contract: Contract | null
  readonly compare: CompareReport | null
  readonly gate: GateDecision | null
  readonly rehearsal: RollbackRehearsal | null
  readonly soaks: readonly SoakReport[]
  /** Fixtures by session id. */
  readonly fixtures: ReadonlyMap<string, SessionFixture>
  /** Replay transcripts by `${session id}\u0000${target}`. */
  readonly replays: ReadonlyMap<string, ReplayTranscript>
}

/** Key of a replay transcript in {@link ReportInput.replays}. */
export const replayKey = (sessionId: string, target: string): string =>
  `${sessionId}\u0000${target}`
