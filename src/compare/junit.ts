/** JUnit XML of a compare report: one test case per sequence and target (pure). */
import { isFailing } from './verdict.js'
import type { CompareReport } from './report-schema.js'

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

export function toJunit(r: CompareReport): string {
  const suites: string[] = []
  let total = 0
  let failures = 0
  for (const s of r.sessions) {
    const cases: string[] = []
    let f = 0
    for (const row of s.rows) {
      for (const [target, cell] of Object.entries(row.cells)) {
        total++
        const name = `seq ${row.seq} ${row.requestClass}${row.table ? `[${row.table}]` : ''} @${target}`
        // Only what fails the run is a <failure>: every mismatch, or under --fail-on critical
        // only critical and strict-timing ones.
        if (isFailing(r.failOn, row, cell)) {
          f++
          cases.push(
            `    <testcase classname="${esc(s.id)}" name="${esc(name)}"><failure message="${esc(cell.reason ?? 'mismatch')}">${esc(`got ${cell.class ?? cell.outcome}; contract: ${row.expected.join('|')}`)}</failure></testcase>`,
          )
        } else {
          const out =
            cell.verdict === 'PASS'
              ? ''
              : `<system-out>${esc(`${cell.verdict === 'WARN' ? 'warning' : 'non-critical mismatch'}: ${cell.reason ?? ''}`)}</system-out>`
          cases.push(`    <testcase classname="${esc(s.id)}" name="${esc(name)}">${out}</testcase>`)
        }
      }
    }
    failures += f
    suites.push(
      `  <testsuite name="${esc(s.id)}" tests="${cases.length}" failures="${f}">\n${cases.join('\n')}\n  </testsuite>`,
    )
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="oigctl compare" tests="${total}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`
}
