/** Option validation: commander parses, zod validates, a failure is a usage error (exit 2). */
import fs from 'node:fs'
import path from 'node:path'
import { Option } from 'commander'
import type { z } from 'zod'
import { OigError } from '../errors.js'

export function parseOptions<T extends z.ZodType>(
  schema: T,
  raw: unknown,
  command: string,
): z.infer<T> {
  const parsed = schema.safeParse(raw)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const key = issue?.path.length ? String(issue.path[0]) : null
  const name = key ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : 'options'
  const given =
    key !== null && typeof raw === 'object' && raw !== null && Object.hasOwn(raw, key)
      ? (raw as Record<string, unknown>)[key]
      : undefined
  const own = issue ? ownMessage(issue, name, given) : null
  throw new OigError(
    'USAGE',
    own
      ? `Failed to run ${command}: ${own}.`
      : `Failed to run ${command}: invalid ${name}: ${issue?.message ?? 'invalid value'}.`,
    {
      hint: `Run oigctl ${command} --help for the options.`,
    },
  )
}

/**
 * oigctl's own words for zod's default number and choice messages ("Too small: expected number
 * to be >0" → "--speed must be a number above 0 (got "0")"); null keeps a schema's own message.
 */
function ownMessage(issue: z.core.$ZodIssue, name: string, given: unknown): string | null {
  const got = typeof given === 'string' ? ` (got ${JSON.stringify(given)})` : ''
  const i = issue as z.core.$ZodIssue & Record<string, unknown>
  if (i.code === 'invalid_type' && i.expected === 'number' && /^Invalid input/.test(i.message))
    return `${name} must be a number${got}`
  if (i.code === 'invalid_type' && i.expected === 'int' && /^Invalid input/.test(i.message))
    return `${name} must be a whole number${got}`
  if (i.code === 'too_small' && i.origin === 'number' && /^Too small/.test(i.message))
    return `${name} must be a number ${i.inclusive ? 'of at least' : 'above'} ${String(i.minimum)}${got}`
  if (i.code === 'too_big' && i.origin === 'number' && /^Too big/.test(i.message))
    return `${name} must be a number ${i.inclusive ? 'of at most' : 'below'} ${String(i.maximum)}${got}`
  if (i.code === 'invalid_value' && Array.isArray(i.values) && /^Invalid option/.test(i.message))
    return `invalid ${name}: expected one of ${i.values.map(String).join(', ')}${got}`
  return null
}

/** Commander collector for repeatable options (`--db a --db b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/**
 * `--session FILE` (repeatable): the add-on's session export JSON, as on every command; the old
 * `--session-file` stays as a hidden alias. Use as `.addOption(sessionOption()).addOption(sessionFileAlias())`.
 */
export function sessionOption(): Option {
  return new Option('--session <file>', "the add-on's session export JSON; repeatable").argParser(
    collect,
  )
}

export function sessionFileAlias(): Option {
  return new Option('--session-file <file>', 'alias of --session').hideHelp().argParser(collect)
}

/** The session exports given with `--session` and its alias `--session-file`. */
export function sessionExports(opts: { session?: string[]; sessionFile?: string[] }): string[] {
  return [...(opts.session ?? []), ...(opts.sessionFile ?? [])]
}

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

/**
 * `--db FILE…`: repeatable, variadic (`--db a.db b.db`) and globs (`--db 'captures/*.db'`).
 */
export function dbOption(description: string): Option {
  return new Option('--db <files...>', description).argParser(
    (value: string, previous?: string[]) => [...(previous ?? []), ...expandGlob(value, '--db')],
  )
}
