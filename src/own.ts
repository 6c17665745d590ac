/**
 * Lookups keyed by untrusted text (frame content, capture columns, file contents, request bodies):
 * only own properties count, so that `constructor`, `toString` or `__proto__` never reach
 * Object.prototype members.
 */

/** The value of `key` when it is an own property of `record`, else undefined. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

/** An empty record without a prototype: safe to fill with untrusted keys. */
export function nullRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>
}
