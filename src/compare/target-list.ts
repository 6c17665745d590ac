/**
 * The `--targets` list of compare (pure): a non-empty list of known targets without duplicates,
 * with at least one target besides `online` (the recorded real cloud). Anything else is a usage
 * error (exit 2), so a list that would compare the recording with itself never passes.
 */
import { OigError } from '../errors.js'
import { BUILT_IN_TARGETS, parseTcpTarget } from '../replay/targets.js'

export const ONLINE = 'online'

const KNOWN = `${ONLINE}, ${BUILT_IN_TARGETS.join(', ')} or HOST:PORT / tcp://HOST:PORT`
const HINT = `Pass a comma-separated list of ${KNOWN}, e.g. --targets online,mock,offline.`

function bad(list: string, why: string): OigError {
  return new OigError('USAGE', `Failed to read --targets ${JSON.stringify(list)}: ${why}.`, {
    hint: HINT,
  })
}

/** Checks a list of target names; throws OigError (exit 2) naming the first problem. */
export function checkTargetList(names: readonly string[], text = names.join(',')): string[] {
  if (names.length === 0 || names.every((n) => n === '')) throw bad(text, 'it names no target')
  const seen = new Set<string>()
  names.forEach((name, i) => {
    if (name === '') throw bad(text, `target ${i + 1} is empty`)
    const known =
      name === ONLINE ||
      (BUILT_IN_TARGETS as readonly string[]).includes(name) ||
      parseTcpTarget(name) !== null
    if (!known) throw bad(text, `unknown target ${JSON.stringify(name)} (known: ${KNOWN})`)
    if (seen.has(name)) throw bad(text, `target ${name} is listed twice`)
    seen.add(name)
  })
  if (!names.some((n) => n !== ONLINE))
    throw bad(text, `it names no target besides ${ONLINE}; ${ONLINE} is the recorded real cloud`)
  return [...names]
}

/** Parses `--targets a,b,c` (entries trimmed) and checks it. */
export function parseTargetList(text: string): string[] {
  return checkTargetList(
    text.split(',').map((t) => t.trim()),
    text,
  )
}
