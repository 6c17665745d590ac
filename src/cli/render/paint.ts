/** A status word in the colour of what it means (pure). */
import type { ChalkInstance } from 'chalk'

/** `good` in green, `warn` in yellow, any other word in red. */
export function paint(c: ChalkInstance, word: string, good: string, warn: string): string {
  return word === good ? c.green(word) : word === warn ? c.yellow(word) : c.red(word)
}
