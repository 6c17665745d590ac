/**
 * The documents oigctl prints on stdout under --json that are not evidence files: the error
 * document of every failed run (exit 2), and the results of serve, simulate, pipeline,
 * contract diff, report and a multi-session replay. JSON Schemas in contracts/schemas/.
 */
import { z } from 'zod'
import { CompareReportSchema } from '../compare/report-schema.js'
import { ContractValidationSchema } from '../contract/validation-schema.js'
import { ReplayTranscriptSchema } from '../replay/transcript-schema.js'
import { SoakReportSchema } from '../soak/report-schema.js'
import { ExtractResultSchema } from '../evidence/schemas/extract-result.js'

/** `{"kind":"error"}`: what --json prints (alone) when a command could not run (exit 2). */
export const ErrorDocSchema = z.object({
  kind: z.literal('error'),
  schemaVersion: z.literal(1),
  code: z
    .string()
    .describe('USAGE, NOT_FOUND, … (an OigError code), OS_ERROR, INTERRUPTED or INTERNAL'),
  message: z.string().describe('the `Failed to … : reason.` line'),
  hint: z.string().nullable(),
  exitCode: z.number().int(),
})
export type ErrorDoc = z.infer<typeof ErrorDocSchema>

export const SimulateResultDocSchema = z.object({
  kind: z.literal('simulate-result'),
  schemaVersion: z.literal(1),
  synthetic: z.literal(true),
  path: z.string(),
  rows: z.number().int().nonnegative(),
  sessions: z.number().int().nonnegative(),
  settingHandshakes: z.number().int().nonnegative(),
  from: z.string(),
  to: z.string(),
  seed: z.number().int(),
  classCounts: z.record(z.string(), z.number().int().nonnegative()),
})

export const ContractDiffDocSchema = z.object({
  kind: z.literal('contract-diff'),
  schemaVersion: z.literal(1),
  old: z.object({ version: z.string(), rows: z.number().int() }),
  new: z.object({ version: z.string(), rows: z.number().int() }),
  breaking: z.boolean(),
  changes: z.array(
    z.object({
      row: z.string(),
      kind: z.enum(['added', 'removed', 'changed', 'dominant-changed']),
      breaking: z.boolean(),
      detail: z.string(),
    }),
  ),
})

export const PipelineDocSchema = z.strictObject({
  kind: z.literal('pipeline'),
  schemaVersion: z.literal(1),
  synthetic: z.boolean(),
  out: z.string(),
  steps: z.array(
    z.object({
      name: z.string(),
      ok: z.boolean(),
      summary: z.string(),
      evidence: z.string().nullable(),
    }),
  ),
  decision: z.enum(['REMOVE', 'KEEP']),
  exitCode: z.union([z.literal(0), z.literal(1)]),
  report: z.string(),
  blocking: z.array(z.string()),
  gate: z.object({
    decision: z.enum(['REMOVE', 'KEEP']),
    summary: z.string(),
    blocking: z.array(
      z.object({
        id: z.string(),
        status: z.string(),
        reasons: z.array(z.string()),
        fix: z.array(z.string()),
      }),
    ),
    notBlocking: z.array(
      z.object({
        id: z.string(),
        status: z.string(),
        reasons: z.array(z.string()),
        fix: z.array(z.string()),
      }),
    ),
  }),
  evidence: z.object({
    extract: ExtractResultSchema.shape.totals,
    validation: ContractValidationSchema.shape.counts,
    compare: CompareReportSchema.shape.targets,
    soak: z.array(
      z.object({ scenario: z.string(), pass: z.boolean(), reasons: z.array(z.string()) }),
    ),
  }),
})

export const ReportDocSchema = z.object({
  kind: z.literal('report'),
  schemaVersion: z.literal(1),
  file: z.string(),
  evidence: z.string(),
  files: z.number().int().nonnegative(),
  unread: z.number().int().nonnegative(),
  decision: z.enum(['REMOVE', 'KEEP']).nullable(),
})

export const ReplayBatchDocSchema = z.object({
  kind: z.literal('replay-batch'),
  schemaVersion: z.literal(1),
  transcripts: z.array(ReplayTranscriptSchema),
})

const SettingViewSchema = z.object({
  id: z.string(),
  cloudId: z.number().int(),
  table: z.string(),
  item: z.string(),
  value: z.string(),
  state: z.enum(['pending', 'delivered', 'acked', 'nacked']),
  queuedAt: z.string(),
  idSet: z.number().int(),
  deliveries: z.array(z.object({ conn: z.number().int(), at: z.string() })),
  resolvedAt: z.string().nullable(),
  resolvedOnConn: z.number().int().nullable(),
})

const SettingsByStateSchema = z.object({
  pending: z.array(SettingViewSchema),
  delivered: z.array(SettingViewSchema),
  acked: z.array(SettingViewSchema),
  nacked: z.array(SettingViewSchema),
})

const ServeCommon = {
  kind: z.literal('serve'),
  schemaVersion: z.literal(1),
  contractVersion: z.string(),
  contractFile: z.string(),
  stoppedBy: z.string(),
  stoppedAt: z.string(),
  settings: SettingsByStateSchema,
  counters: z.record(z.string(), z.union([z.number(), z.record(z.string(), z.number())])),
}

export const ServeDocSchema = z.discriminatedUnion('target', [
  z.object({
    ...ServeCommon,
    target: z.literal('mock'),
    host: z.string(),
    port: z.number().int(),
    controlHost: z.string().nullable(),
    controlPort: z.number().int().nullable(),
    settingPolls: z.array(z.string()),
    startedAt: z.string(),
    connections: z.object({
      open: z.array(z.looseObject({ conn: z.number().int(), peer: z.string() })),
      accepted: z.number().int(),
      rejected: z.number().int(),
    }),
  }),
  z.object({
    ...ServeCommon,
    target: z.literal('proxy'),
    mode: z.enum(['online', 'hybrid', 'offline']),
    state: z.enum(['online', 'offline']),
    failCount: z.number().int(),
    failThreshold: z.number().int(),
    retryIntervalMs: z.number(),
    replyTimeoutMs: z.number(),
    nextProbeAt: z.string().nullable(),
    transitions: z.array(
      z.object({
        at: z.string(),
        from: z.enum(['online', 'offline']),
        to: z.enum(['online', 'offline']),
        reason: z.string(),
        failCount: z.number().int(),
      }),
    ),
    localReplies: z.enum(['contract', 'legacy']),
    listen: z.string(),
    upstream: z.string().nullable(),
    capture: z.string().nullable(),
    connections: z.object({
      open: z.number().int(),
      total: z.number().int(),
      rejected: z.number().int(),
    }),
  }),
])

/** `replay --dry-run`: what would be sent to whom; nothing is connected to or written. */
export const ReplayDryRunDocSchema = z.object({
  kind: z.literal('replay-dry-run'),
  schemaVersion: z.literal(1),
  target: z.string(),
  endpoint: z.string().nullable(),
  builtIn: z.boolean(),
  pacing: z.string(),
  sessions: z.array(
    z.object({
      session: z.string(),
      source: z.string(),
      queued: z.array(z.string()),
      frames: z.array(
        z.object({
          seq: z.number().int(),
          id: z.number().int(),
          class: z.string(),
          table: z.string().nullable(),
          gapMs: z.number().nullable(),
          bytes: z.number().int(),
          conditional: z
            .boolean()
            .describe('a setting ACK/NACK: sent only after a delivered Setting'),
        }),
      ),
    }),
  ),
})
export type ReplayDryRunDoc = z.infer<typeof ReplayDryRunDocSchema>

/** `soak --scenario all --json`: the report of every scenario. */
export const SoakBatchDocSchema = z.object({
  kind: z.literal('soak-batch'),
  schemaVersion: z.literal(1),
  reports: z.array(SoakReportSchema),
})
