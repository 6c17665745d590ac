/** The integrity finding codes extract reports (part of the extract-result format), with their severity. */

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
