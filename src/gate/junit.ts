/** JUnit XML of a gate decision: one test case per checklist criterion (pure). */
import type { GateDecision } from './gate-schema.js'

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** FAIL and MISSING criteria are failures; the suite's name carries the decision. */
export function gateToJunit(d: GateDecision): string {
  const cases = d.criteria.map((c) => {
    const classname = `gate.${c.mandatory ? 'mandatory' : 'optional'}`
    const files = c.files.map((f) => `${f.file} (${f.status})`).join('\n')
    const open = `    <testcase classname="${classname}" name="${esc(c.id)}">`
    if (c.status === 'PASS') return `${open}<system-out>${esc(files)}</system-out></testcase>`
    const message = `${c.status}: ${c.reasons[0] ?? c.description}`
    const fix = c.fix.map((f) => `to fix, run: ${f}`)
    return `${open}<failure type="${c.status}" message="${esc(message)}">${esc([...c.reasons, ...fix, files].join('\n'))}</failure></testcase>`
  })
  const failures = d.criteria.filter((c) => c.status !== 'PASS').length
  const name = `oigctl gate: ${d.decision}`
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${esc(name)}" tests="${d.criteria.length}" failures="${failures}">`,
    `  <testsuite name="${esc(name)}" tests="${d.criteria.length}" failures="${failures}" timestamp="${esc(d.generatedAt)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}
