/** Integrity findings: what extract reports about a capture, per session. */

export type Severity = 'error' | 'warning' | 'info'

export const FINDING_SEVERITY = {
  'crc-failure': 'error',
  'unparseable-frame': 'error',
  'ts-out-of-order': 'error',
  'duplicate-id': 'error',
  'request-without-reply': 'warning',
  'reply-without-request': 'warning',
  'conn-id-discontinuity': 'warning',
  'conn-id-restart': 'info',
  'unknown-direction': 'warning',
  'missing-ts': 'info',
} as const satisfies Record<string, Severity>

export type FindingCode = keyof typeof FINDING_SEVERITY

export const FINDING_CODES = Object.keys(FINDING_SEVERITY) as FindingCode[]

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
