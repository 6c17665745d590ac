/** `contract diff`: what a new contract changed, each change classified compatible or breaking. */
import { requestContextId } from './keys.js'
import type { Contract } from './schema.js'

export interface ContractChange {
  readonly row: string
  readonly kind: 'added' | 'removed' | 'changed' | 'dominant-changed'
  readonly breaking: boolean
  readonly detail: string
}

export interface ContractDiff {
  kind: 'contract-diff'
  schemaVersion: 1
  old: { version: string; rows: number }
  new: { version: string; rows: number }
  breaking: boolean
  changes: ContractChange[]
}

function dominant(c: Contract): Map<string, string> {
  const best = new Map<string, { response: string; count: number }>()
  for (const t of c.transitions) {
    const k = requestContextId(t.request, t.context)
    const b = best.get(k)
    if (!b || t.count > b.count || (t.count === b.count && t.response < b.response))
      best.set(k, { response: t.response, count: t.count })
  }
  return new Map([...best].map(([k, v]) => [k, v.response]))
}

/**
 * Compares two contracts. Breaking: a row removed, the dominant reply of a request changed, a
 * tolerance window narrowed (replies that passed may now fail), or a row lost its raw-frame tier.
 * Compatible: rows added, counts, shares, tier counts otherwise, and widened windows.
 */
export function diffContracts(a: Contract, b: Contract): ContractDiff {
  const changes: ContractChange[] = []
  const before = new Map(a.transitions.map((t) => [t.id, t]))
  const after = new Map(b.transitions.map((t) => [t.id, t]))
  for (const [id, t] of after) {
    const old = before.get(id)
    if (!old) {
      changes.push({
        row: id,
        kind: 'added',
        breaking: false,
        detail: `new row, ${t.count}× (share ${t.share})`,
      })
      continue
    }
    const parts: string[] = []
    let breaking = false
    if (old.count !== t.count) parts.push(`count ${old.count} → ${t.count}`)
    for (const tier of ['frames', 'pairs'] as const) {
      const was = old.support[tier]
      const now = t.support[tier]
      if (was === now) continue
      // Losing the raw-frame evidence of a row weakens it to class level (or to nothing).
      const lost = tier === 'frames' && was > 0 && now === 0
      breaking ||= lost
      parts.push(`${tier} tier ${was} → ${now}${lost ? ' (no raw frame left)' : ''}`)
    }
    if (old.share !== t.share) parts.push(`share ${old.share} → ${t.share}`)
    const ow = old.latency.toleranceMs
    const nw = t.latency.toleranceMs
    if (ow && nw && (ow.minMs !== nw.minMs || ow.maxMs !== nw.maxMs)) {
      const narrowed = nw.maxMs < ow.maxMs || nw.minMs > ow.minMs
      breaking ||= narrowed
      parts.push(
        `tolerance [${ow.minMs}, ${ow.maxMs}] → [${nw.minMs}, ${nw.maxMs}] ms${narrowed ? ' (narrowed)' : ''}`,
      )
    }
    if (parts.length > 0)
      changes.push({ row: id, kind: 'changed', breaking, detail: parts.join('; ') })
  }
  for (const [id, t] of before) {
    if (!after.has(id))
      changes.push({
        row: id,
        kind: 'removed',
        breaking: true,
        detail: `row removed (was ${t.count}×)`,
      })
  }
  const da = dominant(a)
  const db = dominant(b)
  for (const [k, response] of da) {
    const now = db.get(k)
    if (now !== undefined && now !== response) {
      changes.push({
        row: k,
        kind: 'dominant-changed',
        breaking: true,
        detail: `dominant reply ${response} → ${now}`,
      })
    }
  }
  changes.sort((x, y) => (x.row < y.row ? -1 : x.row > y.row ? 1 : x.kind < y.kind ? -1 : 1))
  return {
    kind: 'contract-diff',
    schemaVersion: 1,
    old: { version: a.version, rows: a.transitions.length },
    new: { version: b.version, rows: b.transitions.length },
    breaking: changes.some((c) => c.breaking),
    changes,
  }
}
