/** `oigctl soak`: the hybrid proxy under a scheduled fault scenario, judged against the policy. */
import path from 'node:path'
import type { Command } from 'commander'
import { ensureWritableDir } from '../../evidence/files.js'
import { readContract } from '../../contract/files.js'
import { OigError } from '../../errors.js'
import { SOAK_SCENARIOS, type SoakReport } from '../../soak/report-schema.js'
import { progressOfParts } from '../../progress.js'
import {
  loadSoakSessions,
  runSoak,
  writeSoakReports,
  type SoakOptions as RunOptions,
} from '../../soak/run-soak.js'
import { ScheduleError, type SoakScenario } from '../../soak/schedule.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import { printResults } from '../print-results.js'
import { parseOptions } from '../options.js'
import { renderSoak } from '../render/soak.js'
import { addSoakOptions, ScaledTimeout, type SoakOptions } from '../soak-options.js'

/** Runs the scenarios side by side; every run settles before a failure is reported. */
async function soakAll(
  scenarios: readonly SoakScenario[],
  run: (s: SoakScenario) => RunOptions,
): Promise<SoakReport[]> {
  const settled = await Promise.allSettled(scenarios.map((s) => runSoak(run(s))))
  const failed = settled.find((r) => r.status === 'rejected')
  if (!failed) return settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const error: unknown = failed.reason
  if (!(error instanceof ScheduleError)) throw error
  throw new OigError('USAGE', `Failed to run soak: ${error.message}.`, {
    hint: 'Pass a longer --duration, or adjust --retry-interval / --fail-threshold.',
  })
}

export function registerSoak(program: Command, ctx: CommandContext): void {
  const soak = program
    .command('soak')
    .description(
      'run the hybrid proxy against a fault-injecting upstream and judge it against the policy',
    )
  addSoakOptions(soak).action(
    ctx.action(async (output, opts: SoakOptions) => {
      parseOptions(ScaledTimeout, opts, 'soak')
      ensureWritableDir(path.join(opts.out, 'soak'))
      const loaded = readContract(opts.contract)
      const { contract } = loaded
      const { plans, source, dropped } = await loadSoakSessions(
        opts.session ?? [],
        opts.seed,
        contract,
      )
      const skipped = Object.entries(dropped).map(([cls, n]) => `${n} ${cls}`)
      if (skipped.length > 0)
        output.info(
          `not sent (contract ${contract.version} has no cloud reply for them): ${skipped.join(', ')}`,
        )
      const scenarios = opts.scenario === 'all' ? [...SOAK_SCENARIOS] : [opts.scenario]
      const part = progressOfParts('soak', scenarios.length, 'scenarios', output.onProgress)
      const reports = await soakAll(scenarios, (scenario) => ({
        scenario,
        durationS: opts.duration / 1000,
        timeScale: opts.timeScale,
        failThreshold: opts.failThreshold,
        retryIntervalS: opts.retryInterval / 1000,
        replyTimeoutMs: opts.replyTimeout,
        seed: opts.seed,
        contract: loaded,
        plans,
        source,
        replies: { mode: opts.replies, seed: opts.seed },
        progress: scenarios.length > 1 ? part(scenario) : output.onProgress,
      }))
      for (const file of writeSoakReports(opts.out, reports)) output.info(`wrote ${file}`)
      printResults(output, reports, { kind: 'soak-batch', field: 'reports' }, renderSoak)
      return reports.every((r) => r.verdict.pass) ? ExitCode.Ok : ExitCode.Findings
    }),
  )
}
