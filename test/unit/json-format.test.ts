import { describe, expect, it } from 'vitest'
import { formatJson } from '../../src/evidence/json-format.js'

describe('formatJson', () => {
  const doc = {
    kind: 'session',
    nested: { a: 1, b: [1, 2] },
    frames: [
      { id: 1, class: 'box.end', notes: [] },
      { id: 2, class: 'cloud.ack', notes: ['x'] },
    ],
    empty: [],
  }

  it('writes long lists one item per line and round-trips to the same value', () => {
    const text = formatJson(doc)
    expect(JSON.parse(text)).toEqual(doc)
    expect(text).toContain('\n    {"id":1,"class":"box.end","notes":[]},\n    {"id":2,')
    expect(text.endsWith('}\n')).toBe(true)
  })

  it('indents everything else like JSON.stringify with two spaces', () => {
    const text = formatJson(doc)
    expect(text).toContain('  "nested": {\n    "a": 1,\n    "b": [\n      1,\n      2\n    ]\n  }')
    expect(text).toContain('  "empty": []')
  })

  it('handles non-object values', () => {
    expect(formatJson([1, 2])).toBe('[\n  1,\n  2\n]\n')
    expect(formatJson(null)).toBe('null\n')
  })
})
