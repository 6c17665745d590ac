import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/cli.js'

const SCRIPT = join(REPO_ROOT, 'scripts', 'check-cycles.mjs')
const roots: string[] = []

/** Writes a small source tree (path → text) and runs the checker over it. */
function check(files: Record<string, string>): { status: number | null; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'oigctl-cycles-'))
  roots.push(root)
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true })
    writeFileSync(join(root, file), text)
  }
  const r = spawnSync(process.execPath, [SCRIPT, '--root', root], { encoding: 'utf8' })
  return { status: r.status, out: r.stdout + r.stderr }
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
})

describe('scripts/check-cycles.mjs', () => {
  it('passes a tree whose folders import downwards only', () => {
    const r = check({
      'a/one.ts': "import { two } from '../b/two.js'\nexport const one = two",
      'b/two.ts': "import type { T } from './three.js'\nexport const two: T = 2",
      'b/three.ts': 'export type T = number',
    })
    expect(r.out).toContain('0 file-level and 0 folder-level import cycles')
    expect(r.status).toBe(0)
  })

  it('fails on a file-level cycle made by a type-only import', () => {
    const r = check({
      'a/one.ts': "import type { Two } from './two.js'\nexport type One = Two",
      'a/two.ts': "import type { One } from './one.js'\nexport type Two = One | 2",
    })
    expect(r.out).toContain('file cycle: a/one.ts <-> a/two.ts')
    expect(r.status).toBe(1)
  })

  it('fails on a folder-level cycle between first-level folders without a file cycle', () => {
    const r = check({
      'a/one.ts': "import { three } from '../b/three.js'\nexport const one = three",
      'a/two.ts': 'export const two = 2',
      'b/three.ts': 'export const three = 3',
      'b/sub/four.ts': "import { two } from '../../a/two.js'\nexport const four = two",
    })
    expect(r.out).toContain('folder cycle: a <-> b')
    expect(r.out).not.toContain('file cycle')
    expect(r.status).toBe(1)
  })
})
