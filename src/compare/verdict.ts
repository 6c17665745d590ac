/**
 * What fails a comparison (pure): one rule for the run's verdict, the JUnit failures and the
 * gate's critical-mismatch criterion.
 */
import type { Verdict } from './compare.js'
import type { CompareReport, FailOn } from './report-schema.js'

type Row = CompareReport['sessions'][number]['rows'][number]
type TargetSummary = CompareReport['targets'][number]

/** A mismatch that fails the run even under `--fail-on critical` (the JUnit failures then). */
export function isCriticalMismatch(
  row: { readonly critical: boolean },
  cell: { readonly verdict: Verdict; readonly classMatch: boolean },
): boolean {
  return cell.verdict === 'MISMATCH' && (row.critical || cell.classMatch)
}

/**
 * Whether a cell fails the run: under `--fail-on any` every mismatch, under `--fail-on critical`
 * only a wrong class at a poll or in the setting handshake, or a latency outside the contract
 * window under --strict-timing.
 */
export function isFailing(
  failOn: FailOn,
  row: { readonly critical: boolean },
  cell: { readonly verdict: Verdict; readonly classMatch: boolean },
): boolean {
  return failOn === 'any' ? cell.verdict === 'MISMATCH' : isCriticalMismatch(row, cell)
}

/** FAIL when a cell fails the run; DIFFERS for warnings or non-failing mismatches; else PASS. */
export function verdictOf(counts: {
  readonly failing: number
  readonly mismatches: number
  readonly warnings: number
}): TargetSummary['verdict'] {
  if (counts.failing > 0) return 'FAIL'
  return counts.mismatches > 0 || counts.warnings > 0 ? 'DIFFERS' : 'PASS'
}

/** The counts and verdict of one target over every session of a comparison. */
export function summarise(
  name: string,
  sessions: readonly { readonly rows: readonly Row[] }[],
  failOn: FailOn,
): Omit<TargetSummary, 'name' | 'address' | 'builtIn'> {
  const cells = sessions.flatMap((s) => s.rows.map((r) => ({ r, c: r.cells[name]! })))
  const handshakeRows = sessions.flatMap((s) =>
    s.rows.filter(
      (r) =>
        r.critical &&
        (r.cells.online?.class === 'cloud.setting' || r.requestClass === 'box.setting-ack'),
    ),
  )
  const mismatches = cells.filter((x) => x.c.verdict === 'MISMATCH').length
  const warnings = cells.filter((x) => x.c.verdict === 'WARN').length
  const failing = cells.filter((x) => isFailing(failOn, x.r, x.c)).length
  return {
    rows: cells.length,
    pass: cells.filter((x) => x.c.verdict === 'PASS').length,
    warnings,
    mismatches,
    criticalMismatches: cells.filter((x) => isCriticalMismatch(x.r, x.c)).length,
    handshakes: {
      expected: handshakeRows.length,
      passed: handshakeRows.filter((r) => r.cells[name]?.verdict === 'PASS').length,
    },
    verdict: verdictOf({ failing, mismatches, warnings }),
  }
}
