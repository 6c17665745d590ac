/** The real 2026-02-17 conn 2315 session as request/reply pairs, and what the contract allows. */
import { join } from 'node:path'
import { readSessionExport } from '../../src/capture/session-file.js'
import type { Contract } from '../../src/contract/schema.js'
import { classifyText } from '../../src/protocol/classify.js'
import { capturesDir } from './captures.js'

/** The real session as (BOX frame, the real cloud's reply) pairs, from the add-on's export JSON. */
export function realSessionPairs(): Array<{ id: number; box: string; cloud: string }> {
  const frames = readSessionExport(join(capturesDir(), 'session-2026-02-17-conn2315.json')).frames
  const pairs: Array<{ id: number; box: string; cloud: string }> = []
  frames.forEach((f, i) => {
    const reply = frames[i + 1]
    if (f.direction === 'box_to_proxy' && reply?.direction === 'cloud_to_proxy')
      pairs.push({ id: f.id, box: f.raw!, cloud: reply.raw! })
  })
  return pairs
}

/** Reply classes the contract lists as observed for a BOX frame's request in the normal context. */
export function observedReplies(contract: Contract, box: string): Set<string> {
  const c = classifyText(box, 'box')
  const table = c.class === 'box.upload' ? (c.table ?? null) : null
  return new Set(
    contract.transitions
      .filter(
        (t) => t.context === 'normal' && t.request.class === c.class && t.request.table === table,
      )
      .map((t) => t.response),
  )
}
