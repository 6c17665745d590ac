/**
 * The spool extract keeps its summary lists in (a temp file, unlinked at once) and ItemList, the
 * list that reads them back: every text comes back as written, in any order, across the write
 * buffer and read window; without a usable temp folder the texts stay in memory; a document with
 * ItemLists is formatted byte for byte like the same document with arrays.
 */
import fs from 'node:fs'
import os from 'node:os'
import { afterEach, describe, expect, it } from 'vitest'
import { formatJson } from '../../src/evidence/json-format.js'
import { ItemList, itemsOf } from '../../src/evidence/item-list.js'
import { openTextSpool } from '../../src/evidence/text-spool.js'

/** Texts of many sizes: tiny, over the 64 KiB write buffer, over the 1 MiB read window, non-ASCII. */
function texts(): string[] {
  const out: string[] = []
  for (let i = 0; i < 400; i++) {
    const size = [3, 200, 70_000, 1_100_000][i % 4 === 3 && i % 40 !== 3 ? 1 : i % 4]!
    const ch = ['x', 'ř', '€', '\u{1F50B}'][i % 3]!
    out.push(`${i}:${ch.repeat(Math.ceil(size / 2))}`)
  }
  return out
}

const tmpdir = process.env.TMPDIR
afterEach(() => {
  if (tmpdir === undefined) delete process.env.TMPDIR
  else process.env.TMPDIR = tmpdir
})

describe('the text spool', () => {
  it('gives every text back as written, in order and out of order, and leaves no file', () => {
    const before = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('oigctl-spool-'))
    const spool = openTextSpool()
    const all = texts()
    const numbers = all.map((t) => spool.add(t))
    expect(numbers).toEqual(all.map((_, i) => i))
    expect(spool.length).toBe(all.length)
    // Interleaved with writes: a text still in the write buffer reads back too.
    expect(spool.text(spool.add('late'))).toBe('late')
    for (let i = 0; i < all.length; i++) expect(spool.text(i), `text ${i}`).toBe(all[i])
    for (let i = all.length - 1; i >= 0; i -= 7) expect(spool.text(i), `text ${i}`).toBe(all[i])
    expect(() => spool.text(all.length + 1)).toThrow(RangeError)
    const after = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('oigctl-spool-'))
    expect(after).toEqual(before)
    spool.close()
    expect(() => spool.text(0)).toThrow(/closed/)
  })

  it('keeps the texts in memory when no temp file can be made', () => {
    process.env.TMPDIR = '/nonexistent/oigctl-spool-test'
    expect(os.tmpdir()).toBe('/nonexistent/oigctl-spool-test')
    const spool = openTextSpool()
    const all = texts().slice(0, 20)
    for (const t of all) spool.add(t)
    expect(all.map((_, i) => spool.text(i))).toEqual(all)
  })
})

describe('ItemList', () => {
  const items = [
    { a: 1, b: 'x' },
    { a: 2, b: 'ř' },
    { a: 3, b: null },
  ]

  it('reads like the array it holds', () => {
    const list = itemsOf(items)
    expect(list.length).toBe(3)
    expect([...list]).toEqual(items)
    expect(list.slice(1)).toEqual(items.slice(1))
    expect(list.slice(0, 2)).toEqual(items.slice(0, 2))
    expect(list.filter((x) => x.a > 1)).toEqual(items.filter((x) => x.a > 1))
    expect(list.map((x) => x.b)).toEqual(items.map((x) => x.b))
    expect(list.find((x) => x.a === 2)).toEqual(items[1])
    expect(list.some((x) => x.a === 9)).toBe(false)
    expect(JSON.stringify(list)).toBe(JSON.stringify(items))
  })

  it('in a document, is written byte for byte as the array would be', () => {
    const doc = (list: unknown, empty: unknown) => ({
      kind: 'x',
      sessions: list,
      findings: empty,
      other: list,
    })
    const spool = openTextSpool()
    const texts = items.map((x) => spool.add(JSON.stringify(x)))
    const stored = new ItemList({ length: texts.length, text: (i) => spool.text(texts[i]!) })
    expect(formatJson(doc(stored, itemsOf([])))).toBe(formatJson(doc(items, [])))
    spool.close()
  })
})
