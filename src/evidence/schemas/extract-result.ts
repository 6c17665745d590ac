/** `kind: "extract-result"`: the evidence summary of an extract run (also its `--json` output). */
import { z } from 'zod'
import { FRAME_CLASSES, type FrameClass } from '../../protocol/frame-class.js'
import {
  BoundarySchema,
  FindingSchema,
  FrameClassSchema,
  GeneratorSchema,
  HandshakeSchema,
  SourceRefSchema,
} from './common.js'

export const EXTRACT_RESULT_SCHEMA_VERSION = 1

const ClassCountsSchema = z.object(
  Object.fromEntries(FRAME_CLASSES.map((c) => [c, z.number().int().nonnegative()])) as Record<
    FrameClass,
    z.ZodNumber
  >,
)

export const ExtractResultSchema = z.object({
  kind: z.literal('extract-result'),
  schemaVersion: z.literal(EXTRACT_RESULT_SCHEMA_VERSION),
  generator: GeneratorSchema,
  generatedAt: z.string(),
  synthetic: z.boolean().describe('true when any input was written by `oigctl simulate`'),
  options: z.object({
    select: z.enum(['all', 'setting', 'polls']),
    from: z.string().nullable(),
    to: z.string().nullable(),
    conn: z.number().int().nullable(),
    sessionGapS: z.number(),
  }),
  sources: z.array(
    SourceRefSchema.extend({
      path: z.string(),
      rows: z.number().int(),
      sessions: z.number().int(),
      columns: z.array(z.string()),
      missingColumns: z.array(z.string()),
      extraColumns: z.array(z.string()),
      firstTs: z.string().nullable(),
      lastTs: z.string().nullable(),
    }),
  ),
  totals: z.object({
    framesRead: z.number().int(),
    sessionsRead: z.number().int(),
    sessionsSelected: z.number().int(),
    framesSelected: z.number().int(),
    findings: z.object({
      error: z.number().int(),
      warning: z.number().int(),
      info: z.number().int(),
    }),
  }),
  classCounts: ClassCountsSchema,
  originCounts: z.object({
    box: z.number().int(),
    cloud: z.number().int(),
    proxy: z.number().int(),
  }),
  tableCounts: z.record(z.string(), z.number().int()),
  sessions: z.array(
    z.object({
      id: z.string(),
      source: z.string(),
      index: z.number().int(),
      connId: z.number().int().nullable(),
      boundary: BoundarySchema,
      firstTs: z.string().nullable(),
      lastTs: z.string().nullable(),
      frameCount: z.number().int(),
      classes: z.array(FrameClassSchema),
      fixture: z
        .string()
        .nullable()
        .describe('its fixture, relative to the output folder: <pack>.sessions.json#<ref>'),
      settingHandshakes: z.number().int(),
    }),
  ),
  findings: z.array(FindingSchema.extend({ session: z.string() })),
  settingHandshakes: z.array(HandshakeSchema.extend({ session: z.string() })),
  outputs: z.object({ dir: z.string(), summary: z.string(), fixtures: z.number().int() }),
})

export type ExtractResult = z.infer<typeof ExtractResultSchema>
