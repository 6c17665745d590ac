import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CompareReportSchema } from '../../src/compare/report-schema.js'
import { GateDecisionSchema } from '../../src/gate/gate-schema.js'
import { diagramId } from '../../src/report/html.js'
import { oigctl } from '../helpers/cli.js'
import { realPipeline } from '../helpers/real-pipeline.js'

describe('oigctl report (built CLI, evidence of the real-captures pipeline)', () => {
  let dir = ''
  let evidence = ''
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oigctl-report-'))
    evidence = (await realPipeline()).evidence
  }, 300_000)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('writes one self-contained HTML file with the decision and one diagram per session × target', () => {
    const out = join(dir, 'out', 'report.html')
    const r = oigctl(['report', '--evidence', evidence, '--out', out])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^wrote .*report\.html \(\d+ evidence files, 0 not rendered\)\n$/)
    expect(existsSync(out)).toBe(true)
    const html = readFileSync(out, 'utf8')
    expect(html).not.toMatch(/https?:\/\//)
    expect(html).not.toMatch(/<(link|img|iframe)\b|<script\s+src/)
    const gate = GateDecisionSchema.parse(
      JSON.parse(readFileSync(join(evidence, 'gate.json'), 'utf8')),
    )
    expect(html).toContain(`Decision: ${gate.decision}: `)
    const compare = CompareReportSchema.parse(
      JSON.parse(readFileSync(join(evidence, 'compare.json'), 'utf8')),
    )
    const expected = compare.sessions.flatMap((s) =>
      compare.targets
        .map((t) => t.name)
        .filter((t) => s.rows.some((row) => row.cells[t] !== undefined))
        .map((t) => diagramId(s.id, t)),
    )
    expect(expected.length).toBeGreaterThan(compare.sessions.length)
    const found = [...html.matchAll(/<section class="diagram" id="([^"]+)"/g)].map((m) => m[1])
    expect([...found].sort()).toEqual([...expected].sort())
    // Collapsed by default: failing diagrams first and open, passing ones closed (issue 14).
    const boxes = [...html.matchAll(/<details class="diagram-box" data-verdict="(\w+)"( open)?>/g)]
    expect(boxes).toHaveLength(expected.length)
    for (const [, verdict, open] of boxes) expect(Boolean(open)).toBe(verdict !== 'PASS')
    const verdicts = boxes.map((b) => b[1])
    expect(verdicts.indexOf('PASS')).toBeGreaterThan(verdicts.lastIndexOf('MISMATCH'))
    expect(verdicts).toContain('MISMATCH')
    expect(html.match(/<tr class="sequence-row"/g)).toHaveLength(compare.sessions.length)
    expect(html).toContain('session-2026-02-17-conn2315.db')
    expect(html).toMatch(/data-crc="ok" data-raw="&lt;Frame&gt;/)
  })

  it('lists an evidence file of an unknown schemaVersion and still writes the report', () => {
    // A copy: the shared evidence is read by other test files at the same time.
    const copy = join(dir, 'evidence-future')
    cpSync(evidence, copy, { recursive: true })
    const bad = join(copy, 'soak', 'future.soak.json')
    writeFileSync(bad, JSON.stringify({ kind: 'soak', schemaVersion: 99 }))
    const out = join(dir, 'report-future.html')
    const r = oigctl(['report', '--evidence', copy, '--out', out])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(
      'not rendered: soak/future.soak.json: unknown-schema-version (unknown schemaVersion 99 (this oigctl reads 1))',
    )
    expect(readFileSync(out, 'utf8')).toMatch(
      /soak\/future\.soak\.json<\/a><\/td><td>soak<\/td><td>99<\/td><td>unknown-schema-version/,
    )
  })

  it('fails with exit 2 and a hint when the evidence folder is missing', () => {
    const r = oigctl(['report', '--evidence', join(dir, 'nope'), '--out', join(dir, 'x.html')])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^Failed to read evidence folder .*nope: it does not exist/)
    expect(r.stderr).toMatch(/^Hint: /m)
  })
})
