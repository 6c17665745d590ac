/** Option validation: commander parses, zod validates, a failure is a usage error (exit 2). */
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
  const name = issue?.path.length
    ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
    : 'options'
  throw new OigError(
    'USAGE',
    `Failed to run ${command}: invalid ${name}: ${issue?.message ?? 'invalid value'}.`,
    {
      hint: `Run oigctl ${command} --help for the options.`,
    },
  )
}

/** Commander collector for repeatable options (`--db a --db b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}
