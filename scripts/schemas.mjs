// Regenerates contracts/schemas/*.schema.json from the zod schemas (run after `npm run build`).
import { mkdirSync, writeFileSync } from 'node:fs'
import { FILE_SCHEMAS, jsonSchemaText } from '../dist/formats/file-schemas.js'

const dir = new URL('../contracts/schemas/', import.meta.url)
mkdirSync(dir, { recursive: true })
for (const kind of Object.keys(FILE_SCHEMAS)) {
  writeFileSync(new URL(`${kind}.schema.json`, dir), jsonSchemaText(kind))
  console.log(`wrote contracts/schemas/${kind}.schema.json`)
}
