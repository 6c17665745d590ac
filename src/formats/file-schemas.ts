/** Every file format oigctl writes, by kind, with the name of its JSON Schema file. */
import { z } from 'zod'
import { ExtractResultSchema } from '../evidence/schemas/extract-result.js'
import { ProxyEventSchema } from '../evidence/schemas/proxy-events.js'
import { ServeEventSchema } from '../evidence/schemas/serve-events.js'
import {
  SessionFixtureSchema,
  SessionPackLineSchema,
  SessionPackSchema,
} from '../evidence/schemas/session-fixture.js'
import { ContractSchema } from '../contract/schema.js'
import { CompareReportSchema } from '../compare/report-schema.js'
import { ReplayTranscriptSchema } from '../replay/transcript-schema.js'
import { ContractValidationSchema } from '../contract/validation-schema.js'
import { SoakReportSchema } from '../soak/report-schema.js'
import { ChecklistSchema } from '../gate/checklist-schema.js'
import { GateDecisionSchema } from '../gate/gate-schema.js'
import { RollbackRehearsalSchema } from '../rehearse/rehearsal-schema.js'
import {
  ContractDiffDocSchema,
  ErrorDocSchema,
  PipelineDocSchema,
  ReplayBatchDocSchema,
  ReplayDryRunDocSchema,
  ReportDocSchema,
  ServeDocSchema,
  SoakBatchDocSchema,
  SimulateResultDocSchema,
} from './stdout-docs.js'

export const FILE_SCHEMAS = {
  session: SessionFixtureSchema,
  // What extract writes (version 2): a pack's index and each line of its .ndjson.
  'session-pack': SessionPackSchema,
  'session-pack-line': SessionPackLineSchema,
  'extract-result': ExtractResultSchema,
  contract: ContractSchema,
  'contract-validation': ContractValidationSchema,
  replay: ReplayTranscriptSchema,
  compare: CompareReportSchema,
  soak: SoakReportSchema,
  checklist: ChecklistSchema,
  'rollback-rehearsal': RollbackRehearsalSchema,
  gate: GateDecisionSchema,
  // One log format for `serve mock` and `serve proxy` (the proxy adds its own events).
  'serve-events': z.union([ServeEventSchema, ProxyEventSchema]),
  // Printed on stdout under --json only.
  error: ErrorDocSchema,
  serve: ServeDocSchema,
  'simulate-result': SimulateResultDocSchema,
  pipeline: PipelineDocSchema,
  'contract-diff': ContractDiffDocSchema,
  report: ReportDocSchema,
  'replay-batch': ReplayBatchDocSchema,
  'replay-dry-run': ReplayDryRunDocSchema,
  'soak-batch': SoakBatchDocSchema,
} as const

/** The JSON Schema (draft 2020-12) generated from a kind's zod schema, as checked-in text. */
export function jsonSchemaText(kind: keyof typeof FILE_SCHEMAS): string {
  const schema = z.toJSONSchema(FILE_SCHEMAS[kind], { io: 'output' })
  return `${JSON.stringify({ $id: `https://oigctl.local/schemas/${kind}.schema.json`, title: `oigctl ${kind}`, ...schema }, null, 2)}\n`
}
