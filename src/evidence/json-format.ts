/**
 * JSON layout of every file oigctl writes: `JSON.stringify(v, null, 2)`, except that the items of
 * the long top-level lists (frames of a fixture, sessions of a summary, …) are written one per
 * line. Readable in a pager and in a diff, and several times smaller and faster to write for
 * million-frame captures than fully indented JSON.
 */

/** Top-level keys whose array items go one per line. */
export const LINE_PER_ITEM_KEYS: readonly string[] = ['frames', 'sessions', 'findings', 'settingHandshakes']

function indented(value: unknown): string {
  return (JSON.stringify(value, null, 2) ?? 'null').replace(/\n/g, '\n  ')
}

/** Serialises a JSON value in oigctl's file layout, with a trailing newline. */
export function formatJson(value: unknown, lineKeys: readonly string[] = LINE_PER_ITEM_KEYS): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return `${JSON.stringify(value, null, 2)}\n`
  const parts: string[] = []
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined || typeof v === 'function') continue
    let text: string
    if (Array.isArray(v) && v.length > 0 && lineKeys.includes(key)) {
      text = `[\n${v.map((item) => `    ${JSON.stringify(item ?? null)}`).join(',\n')}\n  ]`
    } else {
      text = indented(v)
    }
    parts.push(`  ${JSON.stringify(key)}: ${text}`)
  }
  return parts.length === 0 ? '{}\n' : `{\n${parts.join(',\n')}\n}\n`
}
