/**
 * Schema-valid evidence documents for gate tests, all naming the shipped contract (sha256 of its
 * text) and the captures it was derived from, generated one day before NOW. Each maker takes
 * overrides; every document is parsed with its zod schema so a broken helper fails loudly.
 * (gate-evidence.ts assembles them into evidence folders.)
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { CompareReportSchema, type CompareReport } from '../../src/compare/report-schema.js'
import { ContractSchema, type Contract } from '../../src/contract/schema.js'
import {
  ContractValidationSchema,
  type ContractValidation,
} from '../../src/contract/validation-schema.js'
import {
  ExtractResultSchema,
  type ExtractResult,
} from '../../src/evidence/schemas/extract-result.js'
import {
  RollbackRehearsalSchema,
  type RollbackRehearsal,
} from '../../src/rehearse/rehearsal-schema.js'
import { FRAME_CLASSES } from '../../src/protocol/frame-class.js'
import {
  SoakReportSchema,
  type SOAK_SCENARIOS,
  type SoakReport,
} from '../../src/soak/report-schema.js'
import { SHIPPED_CONTRACT_FILE } from './box-frames.js'

export const NOW = new Date('2026-03-10T12:00:00.000Z')
export const YESTERDAY = new Date(NOW.getTime() - 86_400_000).toISOString()
const GEN = { name: 'oigctl' as const, version: '0.1.0' }

export const CONTRACT_TEXT = readFileSync(SHIPPED_CONTRACT_FILE, 'utf8')
export const CONTRACT: Contract = ContractSchema.parse(JSON.parse(CONTRACT_TEXT))
export const CONTRACT_SHA = createHash('sha256').update(CONTRACT_TEXT).digest('hex')
export const CONTRACT_REF = { version: CONTRACT.version, sha256: CONTRACT_SHA }
/** A capture the shipped contract was derived from (the real 2026-02-17 session). */
export const SESSION_INPUT = CONTRACT.inputs.find((i) => i.file.startsWith('session-2026'))!
export const FOREIGN_SHA = 'f'.repeat(64)

export function validationDoc(over: Partial<ContractValidation> = {}): ContractValidation {
  return ContractValidationSchema.parse({
    kind: 'contract-validation',
    schemaVersion: 1,
    generator: GEN,
    generatedAt: YESTERDAY,
    contract: {
      file: SHIPPED_CONTRACT_FILE,
      ...CONTRACT_REF,
      inputs: CONTRACT.inputs.map((i) => ({ file: i.file, sha256: i.sha256 })),
    },
    inputs: CONTRACT.inputs.map((i) => ({
      file: i.file,
      sha256: i.sha256,
      synthetic: false,
      frames: i.frames,
    })),
    sameInputs: true,
    strict: false,
    verdict: 'valid',
    counts: {
      rows: 1,
      supported: 1,
      unsupported: 0,
      badCitations: 0,
      unresolved: 0,
      missing: 0,
      errors: 0,
      warnings: 0,
    },
    rows: [
      {
        id: 'box.poll.isnewset @normal -> cloud.end-time',
        support: 3,
        citations: 3,
        citationsOk: 3,
        status: 'supported',
      },
    ],
    missing: [],
    problems: [],
    ...over,
  })
}

type Cell = CompareReport['sessions'][number]['rows'][number]['cells'][string]
const passCell = (cls: string): Cell => ({
  outcome: 'reply',
  class: cls,
  latencyMs: 20,
  classMatch: true,
  latencyOk: true,
  toleranceMaxMs: 900,
  verdict: 'PASS',
  reason: null,
  judged: true,
  inferred: null,
})

/** The compare targets of the fixture: the recorded cloud and the contract-aligned ones. */
export const COMPARE_TARGETS = ['online', 'mock', 'offline', 'hybrid'] as const
/** Judged rows per request key in the fixture: one more than the shipped minJudged (5). */
export const ROWS_PER_KEY = 6

type FixtureRow = CompareReport['sessions'][number]['rows'][number]

/**
 * Every request key the shipped contract shows (transitions and requests: class, table, events
 * type, IsNewSet form), each as a real cloud reply class it has (or cloud.ack where the contract
 * shows none).
 */
export function contractKeys(): Array<{
  class: string
  table: string | null
  eventType: string | null
  pollForm: 'short' | 'merged' | null
  reply: string
}> {
  const out = new Map<string, ReturnType<typeof contractKeys>[number]>()
  const reqs = [...CONTRACT.transitions.map((t) => ({ r: t.request, reply: t.response as string }))]
  for (const q of CONTRACT.requests) reqs.push({ r: q.request, reply: 'cloud.ack' })
  for (const { r, reply } of reqs) {
    const pollForm = (r as { pollForm?: 'short' | 'merged' | null }).pollForm ?? null
    const id = `${r.class}|${r.table}|${r.eventType}|${pollForm}`
    if (!out.has(id))
      out.set(id, { class: r.class, table: r.table, eventType: r.eventType, pollForm, reply })
  }
  return [...out.values()]
}

/**
 * TEST FIXTURE (hand-built, not oigctl output): a compare of one real session that covers the
 * traffic — a Setting handshake (rows 1–2), then ROWS_PER_KEY judged, passing rows for every
 * request key of the shipped contract, and three passing setting batches per target, one of
 * three Settings — with online, mock, offline and hybrid passing.
 */
export function compareDoc(over: Partial<CompareReport> = {}): CompareReport {
  const target = (name: string): CompareReport['targets'][number] => ({
    name,
    address: null,
    builtIn: name !== 'online',
    rows: 2,
    pass: 2,
    warnings: 0,
    mismatches: 0,
    criticalMismatches: 0,
    handshakes: { expected: 1, passed: 1 },
    verdict: 'PASS',
  })
  const cells = (cls: string): Record<string, Cell> =>
    Object.fromEntries(COMPARE_TARGETS.map((t) => [t, passCell(cls)]))
  const row = (
    seq: number,
    requestClass: string,
    reply: string,
    more: Partial<FixtureRow> = {},
  ): FixtureRow => ({
    seq,
    id: seq,
    requestClass,
    table: null,
    eventType: null,
    pollForm: null,
    context: 'normal',
    expected: [reply],
    critical: requestClass.startsWith('box.poll.') || requestClass === 'box.setting-ack',
    reference: { kind: 'captured', class: reply, origin: 'cloud', rule: null },
    cells: cells(reply),
    ...more,
  })
  const rows: FixtureRow[] = [
    row(1, 'box.poll.isnewset', 'cloud.setting', {
      pollForm: contractKeys().find((k) => k.class === 'box.poll.isnewset')?.pollForm ?? null,
    }),
    row(2, 'box.setting-ack', 'cloud.end-time', { context: 'setting-batch' }),
  ]
  for (const k of contractKeys())
    for (let i = 0; i < ROWS_PER_KEY; i++)
      rows.push(
        row(rows.length + 1, k.class, k.reply, {
          table: k.table,
          eventType: k.eventType,
          pollForm: k.pollForm,
        }),
      )
  const aligned = COMPARE_TARGETS.filter((t) => t !== 'online')
  const batch = (firstSeq: number, settings: number) => ({
    firstSeq,
    lastSeq: firstSeq + settings,
    settings,
    complete: true,
    targets: Object.fromEntries(aligned.map((t) => [t, 'PASS' as const])),
  })
  return CompareReportSchema.parse({
    kind: 'compare',
    schemaVersion: 1,
    generator: GEN,
    generatedAt: YESTERDAY,
    contract: { file: SHIPPED_CONTRACT_FILE, ...CONTRACT_REF },
    strictTiming: false,
    targets: COMPARE_TARGETS.map(target),
    sessions: [
      {
        id: 'session-2026-02-17-conn2315#0001-conn2315',
        source: SESSION_INPUT.file,
        file: 'sessions/session-2026-02-17-conn2315_0001-conn2315.session.json',
        sha256: SESSION_INPUT.sha256,
        handshakes: [batch(1, 1), batch(100, 1), batch(200, 3)],
        rows,
        lines: [],
        contradictions: [],
        transcripts: {},
      },
    ],
    verdict: 'PASS',
    ...over,
  })
}

export function soakDoc(
  scenario: (typeof SOAK_SCENARIOS)[number],
  over: Partial<SoakReport> = {},
): SoakReport {
  return SoakReportSchema.parse({
    kind: 'soak',
    schemaVersion: 1,
    generator: GEN,
    generatedAt: YESTERDAY,
    scenario,
    seed: 1,
    durationS: 600,
    timeScale: 10,
    wallS: 60,
    policy: { failThreshold: 3, retryIntervalS: 60, replyTimeoutMs: 5000 },
    contract: CONTRACT_REF,
    sessions: { source: 'session-2026-02-17-conn2315_0001-conn2315.session.json', count: 4 },
    faults: [],
    counts: { resets: 0, timeouts: 0, refusals: 0, slow: 0, garbage: 0, rescues: 0 },
    transitions: [],
    timeInStateS: { online: 600 },
    oscillations: 0,
    conservation: { boxFrames: 1000, replies: 1000, lost: 0, duplicated: 0, ok: true },
    verdict: { pass: true, expectation: `${scenario}: as the policy says`, reasons: [] },
    ...over,
  })
}

export function extractDoc(over: Partial<ExtractResult> = {}): ExtractResult {
  return ExtractResultSchema.parse({
    kind: 'extract-result',
    schemaVersion: 1,
    generator: GEN,
    generatedAt: YESTERDAY,
    synthetic: false,
    options: { select: 'all', from: null, to: null, conn: null, sessionGapS: 600 },
    sources: [SESSION_INPUT].map((i) => ({
      file: i.file,
      sha256: i.sha256,
      format: 'sqlite',
      synthetic: false,
      path: `/captures/${i.file}`,
      rows: i.frames,
      sessions: 1,
      columns: ['id', 'ts', 'raw'],
      missingColumns: [],
      extraColumns: [],
      firstTs: i.firstTs,
      lastTs: i.lastTs,
    })),
    totals: {
      framesRead: 24,
      sessionsRead: 1,
      sessionsSelected: 1,
      framesSelected: 24,
      findings: { error: 0, warning: 0, info: 0 },
    },
    classCounts: Object.fromEntries(FRAME_CLASSES.map((c) => [c, 0])),
    originCounts: { box: 12, cloud: 12, proxy: 0 },
    tableCounts: {},
    sessions: [],
    findings: [],
    settingHandshakes: [],
    outputs: { dir: 'evidence', summary: 'evidence/extract-result.json', fixtures: 1 },
    ...over,
  })
}

export function rehearsalDoc(over: Partial<RollbackRehearsal> = {}): RollbackRehearsal {
  const phase = (set: 'contract' | 'legacy') => ({
    set,
    sent: 12,
    replies: 12,
    expectedSilent: 0,
    lost: 0,
    extra: 0,
    skipped: 0,
    distinguishing: 11,
    mismatches: [],
  })
  return RollbackRehearsalSchema.parse({
    kind: 'rollback-rehearsal',
    schemaVersion: 1,
    generator: GEN,
    generatedAt: YESTERDAY,
    contract: { file: SHIPPED_CONTRACT_FILE, ...CONTRACT_REF },
    session: {
      file: 's.session.json',
      id: 's#1',
      source: SESSION_INPUT.file,
      sha256: SESSION_INPUT.sha256,
      frames: 12,
    },
    proxy: { mode: 'offline', listen: '127.0.0.1:1', control: 'http://127.0.0.1:2' },
    controlCalls: [],
    switches: [
      { at: YESTERDAY, from: 'contract', to: 'legacy' },
      { at: YESTERDAY, from: 'legacy', to: 'contract' },
    ],
    connection: { connections: 1, closed: false, closeReason: null },
    phases: [phase('contract'), phase('legacy'), phase('contract')],
    checks: [{ id: 'legacy-served', pass: true, detail: 'ok' }],
    pass: true,
    durationMs: 500,
    ...over,
  })
}
