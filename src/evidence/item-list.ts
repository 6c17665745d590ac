/**
 * A long list of JSON items kept as their texts, not as objects (extract: in a spool file, so that
 * its memory does not grow with the capture). Reading parses one item at a time; the few array
 * methods its readers use are here. formatJsonChunks writes the texts as they are.
 */

/** Appended texts, read back by number (a spool file, or memory). */
export interface TextStore {
  readonly length: number
  /** Appends a text; returns its number. */
  add(text: string): number
  text(n: number): string
}

/** Where the texts are: item i's JSON text. */
export interface TextSource {
  readonly length: number
  text(i: number): string
}

export class ItemList<T> implements Iterable<T> {
  constructor(private readonly source: TextSource) {}

  get length(): number {
    return this.source.length
  }

  /** The items' JSON texts, in order (each is JSON.stringify of the item). */
  *texts(): Generator<string> {
    for (let i = 0; i < this.source.length; i++) yield this.source.text(i)
  }

  *[Symbol.iterator](): Generator<T> {
    for (const text of this.texts()) yield JSON.parse(text) as T
  }

  slice(start = 0, end = this.length): T[] {
    const out: T[] = []
    for (let i = Math.max(0, start); i < Math.min(end, this.length); i++)
      out.push(JSON.parse(this.source.text(i)) as T)
    return out
  }

  filter(keep: (item: T) => unknown): T[] {
    const out: T[] = []
    for (const item of this) if (keep(item)) out.push(item)
    return out
  }

  map<U>(fn: (item: T) => U): U[] {
    const out: U[] = []
    for (const item of this) out.push(fn(item))
    return out
  }

  find(match: (item: T) => unknown): T | undefined {
    for (const item of this) if (match(item)) return item
    return undefined
  }

  some(match: (item: T) => unknown): boolean {
    return this.find(match) !== undefined
  }

  /** The items themselves (JSON.stringify of a document holding the list). */
  toJSON(): T[] {
    return [...this]
  }
}

/** A TextStore in memory (where no spool file can be made, and for lists built in memory). */
export class TextsInMemory implements TextStore {
  private readonly texts: string[] = []
  get length(): number {
    return this.texts.length
  }
  add(text: string): number {
    return this.texts.push(text) - 1
  }
  text(n: number): string {
    const text = this.texts[n]
    if (text === undefined) throw new RangeError(`no text ${n} in the store`)
    return text
  }
  close(): void {}
}

/** An ItemList of items in memory (stored as their texts, like any other). */
export function itemsOf<T>(items: readonly T[]): ItemList<T> {
  const store = new TextsInMemory()
  for (const item of items) store.add(JSON.stringify(item))
  return new ItemList<T>(store)
}
