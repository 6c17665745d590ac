/** Quoted globs (`--db 'captures/*.db'`) expanded by oigctl, not the shell. */
import fs from 'node:fs'
import path from 'node:path'
import { OigError } from '../errors.js'

const GLOB_CHARS = /[*?[]/

/** A glob segment (`*`, `?`, `[abc]`) as a RegExp; `*` never matches a leading dot. */
function segmentRegExp(segment: string): RegExp {
  let re = ''
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!
    if (ch === '*') re += '[^/]*'
    else if (ch === '?') re += '[^/]'
    else if (ch === '[') {
      const end = segment.indexOf(']', i + 1)
      if (end < 0) re += '\\['
      else {
        const body = segment
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')
        re += `[${body}]`
        i = end
      }
    } else re += ch.replace(/[.+^${}()|\\\]]/g, '\\$&')
  }
  return new RegExp(`^${segment.startsWith('.') ? '' : '(?!\\.)'}${re}$`)
}

/**
 * Expands a quoted glob (`--db 'captures/*.db'`) into the files it matches, sorted; a path
 * without `*`, `?` or `[` is returned as it is. A glob that matches nothing is exit 2.
 */
export function expandGlob(pattern: string, option: string): string[] {
  if (!GLOB_CHARS.test(pattern)) return [pattern]
  const absolute = path.isAbsolute(pattern)
  let found = [absolute ? path.parse(pattern).root : '']
  for (const segment of pattern.split(/[/\\]+/).filter((s) => s !== '')) {
    if (!GLOB_CHARS.test(segment)) {
      found = found.map((d) => path.join(d, segment)).filter((p) => fs.existsSync(p))
      continue
    }
    const re = segmentRegExp(segment)
    found = found.flatMap((d) => {
      try {
        return fs
          .readdirSync(d === '' ? '.' : d)
          .filter((n) => re.test(n))
          .sort()
          .map((n) => path.join(d, n))
      } catch {
        return []
      }
    })
  }
  const files = found.filter((p) => fs.statSync(p, { throwIfNoEntry: false })?.isFile() === true)
  if (files.length === 0)
    throw new OigError('NO_MATCH', `Failed to read ${option} ${pattern}: no file matches it.`, {
      hint: 'Check the pattern; quote it so that oigctl, not the shell, expands it.',
    })
  return files
}
