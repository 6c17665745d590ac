/**
 * vitest globalSetup: starts the real-captures pipeline once per test run, in the background,
 * when a test file that reads it is in the run (test/helpers/real-pipeline.ts). The tests wait
 * for it; the run's temp folder goes at teardown.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { TestProject } from 'vitest/node'
import { REAL_PIPELINE_READERS, startRealPipeline } from './helpers/real-pipeline.js'

/** True when the run's file filters (none: every file) select a reader of the shared run. */
function readersInRun(project: TestProject): boolean {
  // vitest keeps the command line's file filters here (substring matches, as vitest applies them).
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern
  if (!filters || filters.length === 0) return true
  const root = project.config.root
  return REAL_PIPELINE_READERS.some((file) =>
    filters.some(
      (f) => resolve(root, file).includes(f) || resolve(root, f) === resolve(root, file),
    ),
  )
}

export default function setup(project: TestProject): (() => void) | undefined {
  if (!readersInRun(project)) return undefined
  const dir = mkdtempSync(join(tmpdir(), 'oigctl-real-pipeline-'))
  const child = startRealPipeline(dir)
  project.provide('realPipelineDir', dir)
  return () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill()
    rmSync(dir, { recursive: true, force: true })
  }
}
