/**
 * vitest setup file: an end-to-end test runs the built CLI, so it fails (instead of testing old
 * code) when a file of src/ is newer than its build in dist/ or has none. `npm test` builds first.
 */
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { beforeAll, expect } from 'vitest'
import { REPO_ROOT } from './cli.js'

/** The src files whose dist/*.js is missing or older, relative to the repo. */
export function staleBuilds(root = REPO_ROOT): string[] {
  const src = join(root, 'src')
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    )
  return walk(src).filter((file) => {
    const built = join(root, 'dist', relative(src, file).replace(/\.ts$/, '.js'))
    const builtAt = statSync(built, { throwIfNoEntry: false })?.mtimeMs ?? -1
    return builtAt < statSync(file).mtimeMs
  })
}

beforeAll(() => {
  const testPath = expect.getState().testPath ?? ''
  if (!testPath.includes(`${join('test', 'e2e')}`)) return
  const stale = staleBuilds()
  if (stale.length > 0)
    throw new Error(
      `dist/ is stale (${stale.length} file(s), e.g. ${relative(REPO_ROOT, stale[0]!)}): run npm run build before the e2e tests`,
    )
})
