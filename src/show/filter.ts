/**
 * `show --failures-only / --target T / --class C`: narrow a long compare report or replay
 * transcript to what needs looking at (pure: document in, smaller document out).
 */
import type { CompareReport } from '../compare/report-schema.js'
import { OigError } from '../errors.js'
import type { ReplayTranscript } from '../replay/transcript-schema.js'
import type { SequenceDoc } from './sequence-doc.js'

export interface ShowFilter {
  readonly failuresOnly: boolean
  readonly target: string | null
  /** A class (`box.upload`) or a class prefix (`box.poll`). */
  readonly cls: string | null
}

const classMatches = (cls: string | null, c: string): boolean =>
  cls === null || c === cls || c.startsWith(`${cls}.`)

function filterCompare(doc: CompareReport, f: ShowFilter): CompareReport {
  if (f.target !== null && !doc.targets.some((t) => t.name === f.target) && f.target !== 'online')
    throw new OigError(
      'USAGE',
      `Failed to run show: --target ${f.target} is not in this compare report.`,
      {
        hint: `Its targets: online, ${doc.targets.map((t) => t.name).join(', ')}.`,
      },
    )
  const sessions = doc.sessions.flatMap((s) => {
    const rows = s.rows.flatMap((r) => {
      if (!classMatches(f.cls, r.requestClass)) return []
      const cells = Object.fromEntries(
        Object.entries(r.cells).filter(
          ([name]) => f.target === null || name === 'online' || name === f.target,
        ),
      )
      const judged = Object.entries(cells).filter(([name]) => name !== 'online')
      if (f.failuresOnly && judged.every(([, c]) => c.verdict === 'PASS')) return []
      return [{ ...r, cells }]
    })
    return rows.length > 0 ? [{ ...s, rows }] : []
  })
  return { ...doc, sessions }
}

function filterReplay(doc: ReplayTranscript, f: ShowFilter): ReplayTranscript {
  const steps = doc.steps.filter(
    (s) =>
      classMatches(f.cls, s.requestClass) &&
      (!f.failuresOnly || s.outcome !== 'reply' || s.extra.length > 0 || s.reply?.crcOk === false),
  )
  return { ...doc, steps }
}

/** Applies the filter; `--failures-only` and `--target` are for compare (and replay) only. */
export function filterSequence(doc: SequenceDoc, f: ShowFilter): SequenceDoc {
  if (f.failuresOnly === false && f.target === null && f.cls === null) return doc
  if (doc.kind === 'compare') return filterCompare(doc, f)
  if (f.target !== null)
    throw new OigError('USAGE', `Failed to run show: --target is for compare reports.`, {
      hint: 'Pass a compare.json, or leave out --target.',
    })
  if (doc.kind === 'replay') return filterReplay(doc, f)
  if (f.failuresOnly)
    throw new OigError(
      'USAGE',
      `Failed to run show: --failures-only is for compare reports and replay transcripts.`,
      { hint: 'Pass a compare.json or a replay transcript, or leave out --failures-only.' },
    )
  return { ...doc, frames: doc.frames.filter((x) => classMatches(f.cls, x.class)) }
}

/** How many rows / steps / frames a sequence document shows. */
export function sequenceSize(doc: SequenceDoc): number {
  if (doc.kind === 'compare') return doc.sessions.reduce((n, s) => n + s.rows.length, 0)
  if (doc.kind === 'replay') return doc.steps.length
  return doc.frames.length
}
