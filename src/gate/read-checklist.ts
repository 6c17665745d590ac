/** Reads a checklist file (I/O edge); an unreadable or invalid checklist cannot run the gate (exit 2). */
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { OigError, reasonOf } from '../errors.js'
import type { Checklist } from './checklist-schema.js'
import { checkChecklist } from './checklist.js'

/** The shipped checklist, found next to the package whatever the working directory is. */
export const DEFAULT_CHECKLIST_FILE = fileURLToPath(
  new URL('../../contracts/gate.checklist.json', import.meta.url),
)

const HINT =
  'Start from contracts/gate.checklist.json (JSON Schema: contracts/schemas/checklist.schema.json); the mandatory criteria cannot be removed or weakened.'

/** The validated checklist in `file`; throws OigError naming every problem. */
export function readChecklist(file: string): Checklist {
  let json: unknown
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    const reason =
      (error as { code?: string }).code === 'ENOENT' ? 'file does not exist' : reasonOf(error)
    throw new OigError('CHECKLIST_UNREADABLE', `Failed to read checklist ${file}: ${reason}.`, {
      hint: HINT,
    })
  }
  const checked = checkChecklist(json)
  if (checked.ok) return checked.checklist
  throw new OigError(
    'CHECKLIST_INVALID',
    `Failed to use checklist ${file}: ${checked.problems.length} problem(s):\n${checked.problems.map((p) => `  ${p}`).join('\n')}`,
    { hint: HINT },
  )
}
