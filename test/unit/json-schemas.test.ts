import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { FILE_SCHEMAS, jsonSchemaText } from '../../src/formats/file-schemas.js'

describe('checked-in JSON Schemas', () => {
  it.each(Object.keys(FILE_SCHEMAS) as Array<keyof typeof FILE_SCHEMAS>)(
    'match the zod schema of %s (run npm run schemas)',
    (kind) => {
      const file = new URL(`../../contracts/schemas/${kind}.schema.json`, import.meta.url)
      expect(readFileSync(file, 'utf8')).toBe(jsonSchemaText(kind))
    },
  )
})
