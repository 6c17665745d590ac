/** oigctl's own version, read once from package.json (works from src/ and from dist/). */
import { readFileSync } from 'node:fs'

export const OIGCTL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
).version

export const GENERATOR = { name: 'oigctl', version: OIGCTL_VERSION } as const
