/** One document under --json however many results: the result itself, or a batch of them. */
import type { ChalkInstance } from 'chalk'
import type { Output } from './output.js'

interface Doc {
  readonly kind: string
  readonly schemaVersion: number
}

/**
 * Prints one result as it is, several as `{ kind: batch, schemaVersion: 1, [field]: docs }`
 * (their texts separated by a blank line).
 */
export function printResults<T extends Doc>(
  output: Output,
  docs: readonly T[],
  batch: { readonly kind: string; readonly field: string },
  render: (doc: T, chalk: ChalkInstance) => string,
): void {
  if (docs.length === 1) output.result(docs[0]!, render)
  else
    output.result({ kind: batch.kind, schemaVersion: 1, [batch.field]: docs }, (_b, c) =>
      docs.map((d) => render(d, c)).join('\n\n'),
    )
}
