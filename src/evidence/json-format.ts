/**
 * JSON layout of every file oigctl writes: `JSON.stringify(v, null, 2)`, except that the items of
 * the long top-level lists (frames of a fixture, sessions of a summary, …) are written one per
 * line. Readable in a pager and in a diff, and several times smaller and faster to write for
 * million-frame captures than fully indented JSON.
 */
import { ItemList } from './item-list.js'

/** Top-level keys whose array items go one per line. */
export const LINE_PER_ITEM_KEYS: readonly string[] = [
  'frames',
  'sessions',
  'findings',
  'settingHandshakes',
]

function indented(value: unknown): string {
  return (JSON.stringify(value, null, 2) ?? 'null').replace(/\n/g, '\n  ')
}

/**
 * The pieces of `formatJson(value)` in order, so that large documents (a million-frame summary)
 * can be written without building one big string.
 */
export function* formatJsonChunks(
  value: unknown,
  lineKeys: readonly string[] = LINE_PER_ITEM_KEYS,
): Generator<string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    yield `${JSON.stringify(value, null, 2)}\n`
    return
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([, v]) => v !== undefined && typeof v !== 'function',
  )
  if (entries.length === 0) {
    yield '{}\n'
    return
  }
  yield '{\n'
  for (const [i, [key, v]] of entries.entries()) {
    yield `  ${JSON.stringify(key)}: `
    if (Array.isArray(v) && v.length > 0 && lineKeys.includes(key)) {
      yield '[\n'
      for (let j = 0; j < v.length; j++)
        yield `    ${JSON.stringify(v[j] ?? null)}${j === v.length - 1 ? '\n' : ',\n'}`
      yield '  ]'
    } else if (v instanceof ItemList && v.length > 0 && lineKeys.includes(key)) {
      // Items kept as their texts: written as they are, one read at a time.
      yield '[\n'
      let j = 0
      for (const text of v.texts()) yield `    ${text}${++j === v.length ? '\n' : ',\n'}`
      yield '  ]'
    } else {
      yield indented(v)
    }
    yield i === entries.length - 1 ? '\n' : ',\n'
  }
  yield '}\n'
}

/** Serialises a JSON value in oigctl's file layout, with a trailing newline. */
export function formatJson(
  value: unknown,
  lineKeys: readonly string[] = LINE_PER_ITEM_KEYS,
): string {
  return [...formatJsonChunks(value, lineKeys)].join('')
}

/**
 * Groups chunks into writes of about `size` characters. 32K: a write stays a young object (a
 * string over ~128 KB goes to V8's large-object space, which only a full GC frees; writing the
 * 74 MB summary of 4M SYNTHETIC rows in 1 MiB strings raised peak RSS by about 40 MB).
 */
export function* batchChunks(chunks: Iterable<string>, size = 1 << 15): Generator<string> {
  let buf: string[] = []
  let n = 0
  for (const c of chunks) {
    buf.push(c)
    n += c.length
    if (n >= size) {
      yield buf.join('')
      buf = []
      n = 0
    }
  }
  if (buf.length > 0) yield buf.join('')
}
