/** Citation lists: deterministic order and truncation, so merged derives keep the same examples. */
import type { Citation, PairCitation } from './schema.js'

function compare(a: Citation, b: Citation): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1
  const ra = a.requestId ?? -1
  const rb = b.requestId ?? -1
  if (ra !== rb) return ra - rb
  return (a.replyId ?? -1) - (b.replyId ?? -1)
}

function same(a: Citation, b: Citation): boolean {
  return a.file === b.file && a.requestId === b.requestId && a.replyId === b.replyId
}

/** Adds citations and keeps the first `max` in (file, request id, reply id) order, no duplicates. */
export function mergeCitations(
  into: Citation[],
  add: readonly Citation[],
  max: number,
): Citation[] {
  const all = [...into, ...add].sort(compare)
  const out: Citation[] = []
  for (const c of all) {
    if (out.length > 0 && same(out[out.length - 1]!, c)) continue
    out.push(c)
    if (out.length >= max) break
  }
  return out
}

/** Adds one citation in place when it belongs among the first `max`. */
export function addCitation(list: Citation[], c: Citation, max: number): void {
  if (list.length >= max && compare(c, list[list.length - 1]!) >= 0) return
  const merged = mergeCitations(list, [c], max)
  list.length = 0
  list.push(...merged)
}

function comparePairs(a: PairCitation, b: PairCitation): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1
  if (a.requestId !== b.requestId) return a.requestId - b.requestId
  return (a.responseId ?? -1) - (b.responseId ?? -1)
}

/** Pair citations: the first `max` in (file, request id, response id) order, no duplicates. */
export function mergePairCitations(
  into: readonly PairCitation[],
  add: readonly PairCitation[],
  max: number,
): PairCitation[] {
  const out: PairCitation[] = []
  for (const c of [...into, ...add].sort(comparePairs)) {
    if (out.length > 0 && comparePairs(out[out.length - 1]!, c) === 0) continue
    out.push(c)
    if (out.length >= max) break
  }
  return out
}

/** Adds one pair citation in place when it belongs among the first `max`. */
export function addPairCitation(list: PairCitation[], c: PairCitation, max: number): void {
  if (list.length >= max && comparePairs(c, list[list.length - 1]!) >= 0) return
  const merged = mergePairCitations(list, [c], max)
  list.length = 0
  list.push(...merged)
}
