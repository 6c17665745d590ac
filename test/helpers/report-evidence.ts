/** Evidence from the real-captures pipeline, built once per test file, and the report written from it. */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { capturesDir } from './captures.js'
import { oigctl } from './cli.js'

/** Runs `oigctl pipeline` on every real capture DB into `dir`; throws when it could not run. */
export function runRealPipeline(dir: string): void {
  const dbs = readdirSync(capturesDir())
    .filter((n) => n.endsWith('.db'))
    .sort()
    .flatMap((n) => ['--db', join(capturesDir(), n)])
  const r = oigctl(['pipeline', ...dbs, '--out', dir])
  // Exit 1 is expected: extract reports integrity findings in the real captures.
  if (r.code > 1) throw new Error(`pipeline could not run (exit ${r.code}):\n${r.stderr}`)
}
