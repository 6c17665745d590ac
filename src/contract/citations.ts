/** Citation lists: deterministic order and truncation, so merged derives keep the same examples. */
import { detached } from '../capture/lean-scan.js'
import type { Citation, PairCitation } from './schema.js'

function compare(a: Citation, b: Citation): number {
  return compareTo(a.file, a.requestId, a.replyId, b)
}

/** The citation (file, requestId, replyId) against `b`, in citation order. */
function compareTo(
  file: string,
  requestId: number | null,
  replyId: number | null,
  b: Citation,
): number {
  if (file !== b.file) return file < b.file ? -1 : 1
  const ra = requestId ?? -1
  const rb = b.requestId ?? -1
  if (ra !== rb) return ra - rb
  return (replyId ?? -1) - (b.replyId ?? -1)
}

/**
 * Whether a citation of (file, requestId, replyId) can be among the first `max` of `list`
 * (addCitation ignores it otherwise): asked before making one, on every frame of a capture.
 */
export function admits(
  list: readonly Citation[],
  max: number,
  file: string,
  requestId: number | null,
  replyId: number | null,
): boolean {
  return list.length < max || compareTo(file, requestId, replyId, list[list.length - 1]!) < 0
}

/** The first `max` of both lists in `order`, without duplicates. */
function firstOf<T>(
  into: readonly T[],
  add: readonly T[],
  max: number,
  order: (a: T, b: T) => number,
): T[] {
  const out: T[] = []
  for (const c of [...into, ...add].sort(order)) {
    if (out.length > 0 && order(out[out.length - 1]!, c) === 0) continue
    out.push(c)
    if (out.length >= max) break
  }
  return out
}

/** Adds `c` (as `keep` makes it) to `list` in place when it belongs among the first `max` in `order`. */
function addInPlace<T>(
  list: T[],
  c: T,
  max: number,
  order: (a: T, b: T) => number,
  keep: (c: T) => T = (x) => x,
): void {
  if (list.length >= max && order(c, list[list.length - 1]!) >= 0) return
  const merged = firstOf(list, [keep(c)], max, order)
  list.length = 0
  list.push(...merged)
}

/** Adds citations and keeps the first `max` in (file, request id, reply id) order, no duplicates. */
export function mergeCitations(
  into: Citation[],
  add: readonly Citation[],
  max: number,
): Citation[] {
  return firstOf(into, add, max, compare)
}

/**
 * Adds one citation in place when it belongs among the first `max`. A kept citation's ts is a
 * copy: the frame's may be a slice of a page of the capture scan (see detached).
 */
export function addCitation(list: Citation[], c: Citation, max: number): void {
  addInPlace(list, c, max, compare, keptCitation)
}

function keptCitation(c: Citation): Citation {
  return c.ts === null ? c : { ...c, ts: detached(c.ts) }
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
  return firstOf(into, add, max, comparePairs)
}

/** Adds one pair citation in place when it belongs among the first `max`. */
export function addPairCitation(list: PairCitation[], c: PairCitation, max: number): void {
  addInPlace(list, c, max, comparePairs)
}
