/** Reads a checklist file (I/O edge); an unreadable or invalid checklist cannot run the gate (exit 2). */
import { SHIPPED_CHECKLIST } from '../shipped.js'
import { OigError } from '../errors.js'
import { readJsonOrThrow } from '../evidence/read-document.js'
import type { Checklist } from './checklist-schema.js'
import { checkChecklist } from './checklist.js'

/** The shipped checklist (src/shipped.ts), the default `gate --checklist`. */
export const DEFAULT_CHECKLIST_FILE = SHIPPED_CHECKLIST

const HINT =
  'Start from contracts/gate.checklist.json (JSON Schema: contracts/schemas/checklist.schema.json); the mandatory criteria cannot be removed or weakened.'

/** The validated checklist in `file`; throws OigError naming every problem. */
export function readChecklist(file: string): Checklist {
  const { value } = readJsonOrThrow(file, 'checklist', ['CHECKLIST_UNREADABLE'], HINT)
  const checked = checkChecklist(value)
  if (checked.ok) return checked.checklist
  throw new OigError(
    'CHECKLIST_INVALID',
    `Failed to use checklist ${file}: ${checked.problems.length} problem(s):\n${checked.problems.map((p) => `  ${p}`).join('\n')}`,
    { hint: HINT },
  )
}
