/**
 * The real-captures pipeline, run ONCE per test run: test/global-setup.ts starts it in the
 * background when a test file that reads it is in the run, and the e2e tests that need its
 * evidence (report, report in a browser, pipeline) wait for it here. Outside such a run (a
 * single test file), the first test that asks runs it itself. Never mutate its evidence folder:
 * other test files read it at the same time (copy it first).
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { inject } from 'vitest'
import { capturesDir } from './captures.js'
import { oigctl, startOigctl, type CliResult } from './cli.js'
import { tempDir } from './make-db.js'

declare module 'vitest' {
  interface ProvidedContext {
    /** The folder test/global-setup.ts runs the real-captures pipeline into (absent: not started). */
    realPipelineDir?: string
  }
}

/** The test files that read the shared run (global-setup.ts starts it only when one of them runs). */
export const REAL_PIPELINE_READERS = [
  'test/e2e/pipeline.test.ts',
  'test/e2e/report.test.ts',
  'test/e2e/report-browser.test.ts',
] as const

/** The shared run: its evidence folder and what the CLI printed (`--json`: the pipeline document). */
export interface RealPipeline extends CliResult {
  readonly evidence: string
}

/** `oigctl pipeline` over every real capture DB and the class-level pairs, into `out`. */
export function realPipelineArgs(out: string): string[] {
  const dbs = readdirSync(capturesDir())
    .filter((n) => n.endsWith('.db'))
    .sort()
    .flatMap((n) => ['--db', join(capturesDir(), n)])
  const pairs = join(capturesDir(), 'pairs-2025-12-ha-full.json')
  return ['pipeline', ...dbs, '--pairs', pairs, '--out', out, '--json']
}

const RESULT = 'result.json'

/** Starts the pipeline into `<dir>/evidence`; writes `<dir>/result.json` (atomically) when it ends. */
export function startRealPipeline(dir: string): ReturnType<typeof startOigctl> | null {
  const write = (value: unknown): void => {
    writeFileSync(join(dir, `${RESULT}.tmp`), JSON.stringify(value))
    renameSync(join(dir, `${RESULT}.tmp`), join(dir, RESULT))
  }
  let args: string[]
  try {
    args = realPipelineArgs(join(dir, 'evidence'))
  } catch (error) {
    write({ error: (error as Error).message })
    return null
  }
  return startOigctl(args, (r) => write(r instanceof Error ? { error: r.message } : r))
}

function checked(r: CliResult | { error: string }, evidence: string): RealPipeline {
  if ('error' in r) throw new Error(`the real-captures pipeline could not start: ${r.error}`)
  // Exit 1 is expected: extract reports integrity findings in the real captures.
  if (r.code > 1) throw new Error(`pipeline could not run (exit ${r.code}):\n${r.stderr}`)
  return { ...r, evidence }
}

let own: RealPipeline | null = null

/** The shared run's result, waiting (up to 5 min) for the background run to end. */
export async function realPipeline(): Promise<RealPipeline> {
  const dir = inject('realPipelineDir')
  if (dir === undefined) {
    if (own === null) {
      const out = join(tempDir(), 'evidence')
      own = checked(oigctl(realPipelineArgs(out)), out)
    }
    return own
  }
  const file = join(dir, RESULT)
  const deadline = Date.now() + 300_000
  while (!existsSync(file)) {
    if (Date.now() > deadline)
      throw new Error('the real-captures pipeline did not end in 5 minutes')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return checked(JSON.parse(readFileSync(file, 'utf8')), join(dir, 'evidence'))
}
