/** Integrity findings: what extract reports about a capture, per session. */
import {
  FINDING_SEVERITY,
  type FindingCode,
  type Severity,
} from '../evidence/schemas/finding-codes.js'

export interface Finding {
  readonly code: FindingCode
  readonly severity: Severity
  /** Capture row id the finding is about, when it is about one frame. */
  readonly frameId: number | null
  readonly message: string
}

/** Makes a finding with the severity its code carries. */
export function finding(code: FindingCode, frameId: number | null, message: string): Finding {
  return { code, severity: FINDING_SEVERITY[code], frameId, message }
}
