/** The documents `oigctl show` and `oigctl report` draw as sequences (types only; read through src/formats). */
import type { CompareReport } from '../compare/report-schema.js'
import type { SessionFixture } from '../evidence/schemas/session-fixture.js'
import type { ReplayTranscript } from '../replay/transcript-schema.js'

export type SequenceDoc = SessionFixture | ReplayTranscript | CompareReport
export type SequenceKind = SequenceDoc['kind']

/** The sequence kinds, in the order show names them. */
export const SEQUENCE_KINDS: readonly SequenceKind[] = ['session', 'replay', 'compare']
