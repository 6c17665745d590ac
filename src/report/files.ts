/** Writes the report file (the edge of `oigctl report`). */
import path from 'node:path'
import { ensureWritableDir, writeFileAtomic } from '../evidence/files.js'
import { loadReportInput } from './load-evidence.js'
import type { ReportInput } from './report-input.js'
import { renderReport } from './render-report.js'

/** Reads the evidence in `evidenceDir`, writes the HTML report to `out` atomically, returns the input. */
export async function writeReport(
  evidenceDir: string,
  out: string,
  now: Date = new Date(),
): Promise<ReportInput> {
  ensureWritableDir(path.dirname(path.resolve(out)))
  const input = await loadReportInput(evidenceDir, out)
  writeFileAtomic(out, renderReport(input, now.toISOString()))
  return input
}
