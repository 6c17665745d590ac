/** How `oigctl show` summarises the documents it does not draw as sequences (one renderer per kind). */
import type { ChalkInstance } from 'chalk'
import type { EvidenceDoc } from '../../formats/document-kinds.js'
import type { ShowInput, SummaryKind } from '../../show/files.js'
import { renderContract, renderValidation } from './contract.js'
import { renderExtract } from './extract.js'
import { renderGateDecision, renderRehearsal } from './gate.js'
import { renderSoak } from './soak.js'

const SUMMARY_RENDERERS = {
  'extract-result': renderExtract,
  gate: renderGateDecision,
  soak: renderSoak,
  'rollback-rehearsal': renderRehearsal,
  contract: renderContract,
  'contract-validation': renderValidation,
} satisfies { [K in SummaryKind]: (doc: EvidenceDoc<K>, c: ChalkInstance) => string }

/** The text of a summary document, by the renderer of the command that wrote it. */
export function renderSummary(
  input: Extract<ShowInput, { type: 'summary' }>,
  c: ChalkInstance,
): string {
  const render = SUMMARY_RENDERERS[input.kind] as (doc: unknown, c: ChalkInstance) => string
  return render(input.doc, c)
}
