/** Option validation: commander parses, zod validates, a failure is a usage error (exit 2). */
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
