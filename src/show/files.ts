/** Reads the JSON file `oigctl show` renders; "could not run" problems become OigError. */
import fs from 'node:fs'
import { OigError, reasonOf } from '../errors.js'
import { describeSequenceProblem, parseSequenceDoc, type SequenceDoc } from './sequence-doc.js'

/** Reads and validates a fixture, replay transcript or compare report; throws OigError otherwise. */
export function readSequenceDoc(file: string): SequenceDoc {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new OigError('INPUT_NOT_FOUND', `Failed to read ${file}: ${reasonOf(error)}.`, {
      hint: 'Pass a session fixture (sessions/*.session.json), a replay transcript or compare.json.',
      cause: error,
    })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new OigError('INPUT_NOT_JSON', `Failed to read ${file}: not JSON (${reasonOf(error)}).`, {
      hint: 'Pass an evidence file written by oigctl.',
    })
  }
  const r = parseSequenceDoc(value)
  if (!r.ok) {
    throw new OigError(
      'INPUT_UNSUPPORTED',
      `Failed to show ${file}: ${describeSequenceProblem(r.problem)}.`,
      {
        hint: 'oigctl show reads session fixtures, replay transcripts and compare reports of this oigctl version.',
      },
    )
  }
  return r.doc
}
