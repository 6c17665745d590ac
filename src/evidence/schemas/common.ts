/** Pieces shared by the zod schemas of every file oigctl writes. */
import { z } from 'zod'
import { BOX_CLASSES, CLOUD_CLASSES, EVENT_TYPES } from '../../protocol/frame-class.js'
import { FINDING_CODES } from './finding-codes.js'

export const FrameClassSchema = z.enum([...BOX_CLASSES, ...CLOUD_CLASSES])
export const EventTypeSchema = z.enum(EVENT_TYPES)
export const OriginSchema = z.enum(['box', 'cloud', 'proxy'])
export const SeveritySchema = z.enum(['error', 'warning', 'info'])

export const GeneratorSchema = z.object({
  name: z.literal('oigctl'),
  version: z.string(),
})

export const FindingSchema = z.object({
  code: z.enum(FINDING_CODES as [string, ...string[]]),
  severity: SeveritySchema,
  frameId: z.number().int().nullable(),
  message: z.string(),
})

export const SourceRefSchema = z.object({
  file: z.string().describe('file name of the capture DB or session export'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  format: z.enum(['sqlite', 'session-export']),
  synthetic: z.boolean().describe('written by `oigctl simulate`, not a real capture'),
})

export const BoundarySchema = z.object({
  rule: z.enum([
    'start-of-capture',
    'new-conn-id',
    'conn-id-restart',
    'time-gap',
    'after-box-end',
    'orphan-reply',
  ]),
  detail: z.string(),
})

export const HandshakeSchema = z.object({
  settingId: z.number().int(),
  table: z.string().nullable(),
  item: z.string().nullable(),
  answered: FrameClassSchema.nullable(),
  ackId: z.number().int().nullable(),
  ackClass: z.enum(['box.setting-ack', 'box.setting-nack']).nullable(),
  ackDelayMs: z.number().nullable(),
  closeClass: FrameClassSchema.nullable(),
  closeId: z.number().int().nullable(),
  eventsId: z.number().int().nullable(),
  complete: z.boolean(),
})
