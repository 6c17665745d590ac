/** Hand-built sequence documents for `show` (each checked against its schema) and two paints. */
import { CompareReportSchema, type CompareReport } from '../../src/compare/report-schema.js'
import {
  SessionFixtureSchema,
  type SessionFixture,
} from '../../src/evidence/schemas/session-fixture.js'
import {
  ReplayTranscriptSchema,
  type ReplayTranscript,
} from '../../src/replay/transcript-schema.js'
import type { Paint } from '../../src/show/render-sequence.js'
import { fixtureFrame } from './fixture-frame.js'

export const plain: Paint = {
  dim: (s) => s,
  bold: (s) => s,
  red: (s) => s,
  green: (s) => s,
  yellow: (s) => s,
  cyan: (s) => s,
  magenta: (s) => s,
}
/** Marks each colour, so a test can see which text is painted how. */
export const marked: Paint = {
  dim: (s) => s,
  bold: (s) => s,
  red: (s) => `<red>${s}</red>`,
  green: (s) => `<green>${s}</green>`,
  yellow: (s) => `<yellow>${s}</yellow>`,
  cyan: (s) => `<cyan>${s}</cyan>`,
  magenta: (s) => `<magenta>${s}</magenta>`,
}

const GENERATOR = { name: 'oigctl', version: '0.0.0-test' } as const
const SHA = 'a'.repeat(64)

export const FIXTURE: SessionFixture = SessionFixtureSchema.parse({
  kind: 'session',
  schemaVersion: 1,
  generator: GENERATOR,
  source: { file: 'hand-built.db', sha256: SHA, format: 'sqlite', synthetic: true },
  session: {
    id: 'hand-built#0001-conn7',
    index: 1,
    connId: 7,
    cloudConnIds: [],
    boundary: { rule: 'start-of-capture', detail: 'first row' },
    firstTs: '2026-01-02T10:00:00.100+00:00',
    lastTs: '2026-01-02T10:00:02.5+00:00',
    durationMs: 2400,
    frameCount: 6,
  },
  frames: [
    fixtureFrame(1, 'box', 'box.poll.isnewset', {
      ts: '2026-01-02T10:00:00.100+00:00',
      latencyMs: 31.6,
    }),
    fixtureFrame(2, 'cloud', 'cloud.setting', {
      ts: '2026-01-02T10:00:00.131+00:00',
      item: 'MODE=3',
    }),
    fixtureFrame(3, 'box', 'box.setting-ack', { ts: '2026-01-02T10:00:01.2+00:00', latencyMs: 12 }),
    fixtureFrame(4, 'cloud', 'cloud.end-time', { ts: '2026-01-02T10:00:01.212+00:00' }),
    // Answered by the proxy's NACK, without a latency of its own.
    fixtureFrame(5, 'box', 'box.upload', {
      ts: '2026-01-02T10:00:02.5+00:00',
      table: 'tbl_dc_in',
      crcOk: false,
      latencyMs: null,
    }),
    fixtureFrame(6, 'proxy', 'cloud.nack'),
  ],
  handshakes: [
    {
      settingId: 2,
      table: 'tbl_box_prms',
      item: 'MODE',
      answered: 'box.poll.isnewset',
      ackId: 3,
      ackClass: 'box.setting-ack',
      ackDelayMs: 1069,
      closeClass: 'cloud.end-time',
      closeId: 4,
      eventsId: null,
      complete: true,
    },
  ],
  findings: [
    { code: 'crc-failure', severity: 'error', frameId: 5, message: 'row 5: CRC does not match' },
  ],
})

const reply = (cls: string, latencyMs: number, crcOk: boolean | null = true) => ({
  class: cls,
  raw: '<Frame></Frame>',
  crcOk,
  latencyMs,
})

export const REPLAY: ReplayTranscript = ReplayTranscriptSchema.parse({
  kind: 'replay',
  schemaVersion: 1,
  generator: GENERATOR,
  generatedAt: '2026-01-02T11:00:00Z',
  session: {
    id: 'hand-built#0001-conn7',
    source: 'hand-built.db',
    file: 'hand-built.session.json',
  },
  target: { name: 'mock', address: '127.0.0.1:5710', builtIn: true },
  pacing: { speed: null, maxSpeed: true, replyTimeoutMs: 1000, holdAfterS: 0 },
  settingsQueued: [],
  steps: [
    {
      seq: 1,
      id: 1,
      requestClass: 'box.poll.isnewset',
      table: null,
      outcome: 'reply',
      reply: reply('cloud.setting', 2.4),
      recorded: { class: 'cloud.setting', latencyMs: 31.6 },
      extra: [],
      notes: [],
    },
    {
      seq: 2,
      id: 3,
      requestClass: 'box.setting-ack',
      table: null,
      outcome: 'reply',
      reply: reply('cloud.end-time', 1.5, false),
      recorded: null,
      extra: [reply('cloud.ack', 7)],
      notes: [],
    },
    {
      seq: 3,
      id: 5,
      requestClass: 'box.upload',
      table: 'tbl_dc_in',
      outcome: 'no-reply',
      reply: null,
      recorded: null,
      extra: [],
      notes: [],
    },
  ],
  counts: { sent: 3, replies: 2, noReply: 1, closed: 0, skipped: 0, extra: 1 },
})

type Cell = CompareReport['sessions'][number]['rows'][number]['cells'][string]
const cell = (verdict: Cell['verdict'], cls: string | null, extra: Partial<Cell> = {}): Cell => ({
  outcome: cls === null ? 'no-reply' : 'reply',
  class: cls,
  latencyMs: cls === null ? null : 4.4,
  classMatch: verdict !== 'MISMATCH',
  latencyOk: true,
  toleranceMaxMs: 250,
  verdict,
  reason: null,
  judged: true,
  inferred: null,
  ...extra,
})
const target = (name: string, verdict: 'PASS' | 'DIFFERS' | 'FAIL') => ({
  name,
  address: null,
  builtIn: true,
  rows: 2,
  pass: verdict === 'PASS' ? 2 : 1,
  warnings: 0,
  mismatches: verdict === 'PASS' ? 0 : 1,
  criticalMismatches: verdict === 'FAIL' ? 1 : 0,
  handshakes: { expected: 1, passed: verdict === 'PASS' ? 1 : 0 },
  verdict,
})

export const COMPARE: CompareReport = CompareReportSchema.parse({
  kind: 'compare',
  schemaVersion: 1,
  generator: GENERATOR,
  generatedAt: '2026-01-02T12:00:00Z',
  contract: { file: 'contract.json', version: '9.9.9', sha256: SHA },
  strictTiming: false,
  failOn: 'critical',
  targets: [target('online', 'PASS'), target('mock', 'PASS'), target('legacy', 'FAIL')],
  sessions: [
    {
      id: 'hand-built#0001-conn7',
      source: 'hand-built.db',
      file: 'hand-built.session.json',
      sha256: SHA,
      boxOnly: false,
      handshakes: [],
      rows: [
        {
          seq: 1,
          id: 1,
          requestClass: 'box.poll.isnewset',
          table: null,
          reference: { kind: 'captured', class: 'cloud.setting', origin: 'cloud', rule: null },
          context: 'normal',
          expected: ['cloud.end', 'cloud.setting'],
          critical: true,
          cells: {
            online: cell('PASS', 'cloud.setting', {
              outcome: 'not-captured',
              inferred: 'rule-7',
              latencyMs: null,
            }),
            mock: cell('PASS', 'cloud.setting'),
            legacy: cell('PASS', 'cloud.setting'),
          },
        },
        {
          seq: 2,
          id: 3,
          requestClass: 'box.setting-ack',
          table: null,
          reference: { kind: 'captured', class: 'cloud.end-time', origin: 'cloud', rule: null },
          context: 'setting-batch',
          expected: ['cloud.end-time'],
          critical: true,
          cells: {
            online: cell('PASS', 'cloud.end-time'),
            mock: cell('WARN', 'cloud.end-time', {
              latencyOk: false,
              reason: 'slower than 250 ms',
            }),
            legacy: cell('MISMATCH', 'cloud.ack', { reason: 'expected cloud.end-time' }),
          },
        },
      ],
      lines: [],
      contradictions: [],
      transcripts: {},
    },
    {
      id: 'hand-built#0002-conn8',
      source: 'hand-built.db',
      file: 'hand-built-2.session.json',
      sha256: SHA,
      boxOnly: true,
      handshakes: [],
      rows: [
        {
          seq: 1,
          id: 20,
          requestClass: 'box.upload',
          table: 'tbl_ac_in',
          reference: { kind: 'not-captured', class: null, origin: null, rule: null },
          context: 'normal',
          expected: [],
          critical: false,
          cells: { mock: cell('PASS', null) },
        },
      ],
      lines: [],
      contradictions: [],
      transcripts: {},
    },
  ],
  verdict: 'FAIL',
})
