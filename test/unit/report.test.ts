import { describe, expect, it } from 'vitest'
import type { CompareReport } from '../../src/compare/report-schema.js'
import type { GateDecision } from '../../src/gate/gate-schema.js'
import { diagramId, esc, slug } from '../../src/report/html.js'
import type { ReportInput } from '../../src/report/report-input.js'
import { renderReport } from '../../src/report/render-report.js'
import { sessionVerdict } from '../../src/report/section-compare.js'

type Cell = CompareReport['sessions'][number]['rows'][number]['cells'][string]

const cell = (
  verdict: Cell['verdict'],
  cls: string | null,
  reason: string | null = null,
): Cell => ({
  outcome: cls === null ? 'no-reply' : 'reply',
  class: cls,
  latencyMs: cls === null ? null : 3.2,
  classMatch: verdict !== 'MISMATCH',
  latencyOk: true,
  toleranceMaxMs: 250,
  verdict,
  reason,
  judged: true,
  inferred: null,
})

const target = (name: string, verdict: 'PASS' | 'DIFFERS' | 'FAIL') => ({
  name,
  address: null,
  builtIn: true,
  rows: 2,
  pass: 2,
  warnings: 0,
  mismatches: 0,
  criticalMismatches: 0,
  handshakes: { expected: 0, passed: 0 },
  verdict,
})

const COMPARE: CompareReport = {
  kind: 'compare',
  schemaVersion: 1,
  generator: { name: 'oigctl', version: '0.1.0' },
  generatedAt: '2026-01-01T00:00:00Z',
  contract: { file: 'contract.json', version: '1.0.0', sha256: 'x' },
  strictTiming: false,
  failOn: 'critical',
  targets: [target('mock', 'PASS'), target('legacy', 'FAIL')],
  sessions: ['a<b>#0001', 'c&d#0002'].map((id) => ({
    id,
    source: 'x.db',
    file: 'x.session.json',
    sha256: null,
    boxOnly: false,
    handshakes: [],
    rows: [
      {
        seq: 1,
        id: 10,
        requestClass: 'box.poll.isnewset',
        table: null,
        eventType: null,
        pollForm: 'short',
        reference: { kind: 'captured', class: 'cloud.setting', origin: 'cloud', rule: null },
        context: 'normal',
        expected: ['cloud.setting'],
        critical: true,
        cells: { mock: cell('PASS', 'cloud.setting'), legacy: cell('PASS', 'cloud.setting') },
      },
      {
        seq: 2,
        id: 12,
        requestClass: 'box.setting-ack',
        table: null,
        eventType: null,
        pollForm: null,
        reference: { kind: 'captured', class: 'cloud.end-time', origin: 'cloud', rule: null },
        context: 'setting-batch',
        expected: ['cloud.end-time'],
        critical: true,
        cells: {
          mock: cell('PASS', 'cloud.end-time'),
          legacy: cell('MISMATCH', 'cloud.ack', 'got <ack> & not END'),
        },
      },
    ],
    lines: [],
    contradictions: [],
    transcripts: {},
  })),
  verdict: 'FAIL',
}

const GATE: GateDecision = {
  kind: 'gate',
  schemaVersion: 1,
  generator: { name: 'oigctl', version: '0.1.0' },
  generatedAt: '2026-01-01T00:00:00Z',
  evidenceDir: '/ev',
  checklist: { file: null, version: '1' },
  decision: 'KEEP',
  summary: 'a mandatory criterion failed <script>',
  counts: { criteria: 1, pass: 0, fail: 1, missing: 0, blocking: 1 },
  criteria: [
    {
      id: 'compare-clean',
      description: 'no critical mismatch',
      mandatory: true,
      condition: 'compare-clean',
      status: 'FAIL',
      files: [{ kind: 'compare', file: '/ev/compare.json', status: 'ok' }],
      reasons: ['legacy FAIL'],
      fix: ['oigctl compare --session x.session.json --out /ev'],
    },
  ],
  blocking: [],
  evidence: [],
  rollback: [],
}

function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    evidenceDir: '/ev',
    linkBase: '.',
    entries: [
      {
        file: 'soak/new.soak.json',
        kind: 'soak',
        schemaVersion: 9,
        status: 'unknown-schema-version',
        problem: 'schemaVersion 9 (this oigctl reads 1)',
      },
    ],
    extract: null,
    contract: null,
    compare: COMPARE,
    gate: GATE,
    rehearsal: null,
    soaks: [],
    fixtures: new Map(),
    replays: new Map(),
    ...over,
  }
}

const count = (html: string, re: RegExp): number => html.match(re)?.length ?? 0

describe('report rendering', () => {
  it('escapes the five HTML special characters', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
  })

  it('escapes session ids, reasons and the gate summary and never emits raw evidence markup', () => {
    const html = renderReport(input(), '2026-01-01T00:00:00Z')
    expect(count(html, /<script>/g)).toBe(1)
    expect(html).toContain('a mandatory criterion failed &lt;script&gt;')
    expect(html).toContain('a&lt;b&gt;#0001')
    expect(html).not.toContain('a<b>')
    expect(html).toContain('got &lt;ack&gt; &amp; not END')
  })

  it('builds anchors from letters, digits and dashes only', () => {
    expect(slug('session-2026-02-17-conn2315#0001-conn2315')).toBe(
      'session-2026-02-17-conn2315-0001-conn2315',
    )
    expect(diagramId('a<b>#0001', 'tcp://127.0.0.1:9')).toBe('diagram-a-b-0001--tcp-127-0-0-1-9')
  })

  it('shows the gate decision text at the top and in the gate section', () => {
    const html = renderReport(input(), 'now')
    expect(count(html, /Decision: KEEP: a mandatory criterion failed &lt;script&gt;/g)).toBe(2)
    expect(renderReport(input({ gate: null }), 'now')).toContain(
      'No gate decision in the evidence.',
    )
  })

  it('renders one matrix row per sequence and one diagram per sequence × target', () => {
    const html = renderReport(input(), 'now')
    expect(count(html, /<tr class="sequence-row"/g)).toBe(2)
    expect(count(html, /<section class="diagram" id="diagram-/g)).toBe(4)
  })

  it('links every matrix cell to an existing diagram anchor, mismatches included', () => {
    const html = renderReport(input(), 'now')
    const hrefs = [
      ...html.matchAll(/<td class="cell v-(\w+)" data-verdict="\w+"><a href="#([^"]+)"/g),
    ]
    expect(hrefs).toHaveLength(4)
    for (const [, , id] of hrefs) expect(html).toContain(`id="${id}"`)
    const mismatch = hrefs.filter(([, v]) => v === 'mismatch').map(([, , id]) => id)
    expect(mismatch).toEqual([diagramId('a<b>#0001', 'legacy'), diagramId('c&d#0002', 'legacy')])
  })

  it('marks the mismatching reply in the diagram and highlights the Setting handshake', () => {
    const html = renderReport(input(), 'now')
    expect(count(html, /✗ MISMATCH/g)).toBe(2)
    expect(count(html, /<rect class="setting"/g)).toBe(8)
  })

  it('takes the worst verdict of a target over a session', () => {
    expect(sessionVerdict(COMPARE.sessions[0]!, 'legacy')).toBe('MISMATCH')
    expect(sessionVerdict(COMPARE.sessions[0]!, 'mock')).toBe('PASS')
    expect(sessionVerdict(COMPARE.sessions[0]!, 'online')).toBe('NONE')
  })

  it('lists an evidence file of an unknown schemaVersion instead of failing', () => {
    const html = renderReport(input(), 'now')
    expect(html).toContain('soak/new.soak.json')
    expect(html).toContain('unknown-schema-version')
    expect(html).toContain('No readable soak reports in the evidence.')
  })

  it('links each criterion to its evidence file relative to the report', () => {
    const html = renderReport(input({ linkBase: '../ev' }), 'now')
    expect(html).toContain('<a class="evidence-link" href="../ev/compare.json">compare.json</a>')
  })
})

describe('report contract section', () => {
  it('shows each row’s evidence tiers, its pair citations and the unbuildable weather reply', async () => {
    const { renderContract } = await import('../../src/report/section-contract.js')
    const { shippedContract } = await import('../helpers/box-frames.js')
    const html = renderContract({
      evidenceDir: '.',
      linkBase: '.',
      entries: [],
      extract: null,
      contract: shippedContract(),
      compare: null,
      gate: null,
      rehearsal: null,
      soaks: [],
      fixtures: new Map(),
      replays: new Map(),
    })
    expect(html).toContain('<th>tiers</th>')
    const fw = /<tr class="transition" id="t-box-poll-isnewfw-normal-cloud-setting">.*?<\/tr>/.exec(
      html,
    )?.[0]
    expect(fw).toContain('frames 0')
    expect(fw).toContain('pairs 2')
    expect(fw).toContain('pair pairs-2025-12-ha-full.json 255 → 256')
    expect(fw).toContain('inferred 1')
    expect(html).toMatch(
      /Unbuildable observed replies.*box\.poll\.isnewweather @normal: weather \d+%/,
    )
  })
})
