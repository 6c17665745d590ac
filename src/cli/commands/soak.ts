/** `oigctl soak`: the hybrid proxy under a scheduled fault scenario, judged against the policy. */
import path from 'node:path'
import type { Command } from 'commander'
import { z } from 'zod'
import { ensureWritableDir } from '../../evidence/files.js'
import { readContract } from '../../contract/files.js'
import { OigError } from '../../errors.js'
import { SOAK_SCENARIOS } from '../../soak/report-schema.js'
import {
  DEFAULT_TIME_SCALE,
  loadSoakSessions,
  MIN_SCALED_TIMEOUT_MS,
  runSoak,
  writeSoakReports,
} from '../../soak/run-soak.js'
import { ScheduleError } from '../../soak/schedule.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import { collect, parseOptions } from '../options.js'
import { renderSoak } from '../render/soak.js'
import { DEFAULT_CONTRACT_FILE, ReplyModeSchema } from '../serve-common.js'

const UNIT_S = { s: 1, m: 60, h: 3600 } as const

/** `90`, `90s`, `10m`, `1.5h` → seconds. */
const DurationSchema = z.string().transform((text, ctx) => {
  const m = /^(\d+(?:\.\d+)?)([smh]?)$/.exec(text.trim())
  const s = m ? Number(m[1]) * UNIT_S[(m[2] || 's') as keyof typeof UNIT_S] : NaN
  if (!(s > 0)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected e.g. 10m, 90s or 1h, got ${JSON.stringify(text)}`,
    })
    return z.NEVER
  }
  return s
})

const SoakOptions = z
  .object({
    scenario: z.enum(
      [...SOAK_SCENARIOS, 'all'],
      `expected one of ${SOAK_SCENARIOS.join(', ')} or all`,
    ),
    duration: DurationSchema.default(600),
    timeScale: z.coerce.number().positive().max(1000).default(DEFAULT_TIME_SCALE),
    failThreshold: z.coerce.number().int().min(1).default(3),
    retryIntervalS: z.coerce.number().positive().default(60),
    replyTimeoutMs: z.coerce.number().int().positive().default(5000),
    seed: z.coerce.number().int().default(1),
    replies: ReplyModeSchema,
    session: z.array(z.string().min(1)).default([]),
    contract: z.string().min(1).default(DEFAULT_CONTRACT_FILE),
    out: z.string().min(1).default('evidence'),
  })
  .refine((o) => o.replyTimeoutMs / o.timeScale >= MIN_SCALED_TIMEOUT_MS, {
    message: `the reply timeout divided by the time scale must be at least ${MIN_SCALED_TIMEOUT_MS} ms`,
    path: ['timeScale'],
  })

export function registerSoak(program: Command, ctx: CommandContext): void {
  program
    .command('soak')
    .description(
      'run the hybrid proxy against a fault-injecting upstream and judge it against the policy',
    )
    .requiredOption(
      '--scenario <name>',
      `${SOAK_SCENARIOS.join(' | ')} | all (every scenario the gate needs, side by side)`,
    )
    .option('--duration <time>', 'simulated duration (e.g. 10m, 90s)', '10m')
    .option(
      '--time-scale <n>',
      'divide every timeout, interval and pause by n',
      String(DEFAULT_TIME_SCALE),
    )
    .option('--fail-threshold <n>', 'consecutive failures that switch hybrid to offline', '3')
    .option('--retry-interval-s <s>', 'probe interval while offline (simulated s)', '60')
    .option('--reply-timeout-ms <ms>', 'proxy wait for an upstream reply (simulated ms)', '5000')
    .option(
      '--seed <n>',
      'seed of the fault schedule, the synthetic sessions and --replies sampled',
      '1',
    )
    .option(
      '--replies <mode>',
      "dominant: the contract's most frequent reply; sampled: each reply drawn from the contract's shares",
      'dominant',
    )
    .option(
      '--session <file>',
      'session fixture or export to replay; repeatable (default: synthetic)',
      collect,
    )
    .option(
      '--contract <file>',
      'contract the mock and the local replies follow',
      DEFAULT_CONTRACT_FILE,
    )
    .option('--out <dir>', 'evidence folder (report in <dir>/soak/)', 'evidence')
    .action(async (raw: unknown, command: Command) => {
      const output = ctx.open(command)
      const opts = parseOptions(SoakOptions, raw, 'soak')
      ensureWritableDir(path.join(opts.out, 'soak'))
      const loaded = readContract(opts.contract)
      const { contract } = loaded
      const { plans, source, dropped } = await loadSoakSessions(opts.session, opts.seed, contract)
      const skipped = Object.entries(dropped).map(([cls, n]) => `${n} ${cls}`)
      if (skipped.length > 0)
        output.info(
          `not sent (contract ${contract.version} has no cloud reply for them): ${skipped.join(', ')}`,
        )
      const scenarios = opts.scenario === 'all' ? [...SOAK_SCENARIOS] : [opts.scenario]
      // Side by side; every run settles before a failure is reported (no run left behind).
      const settled = await Promise.allSettled(
        scenarios.map((scenario) =>
          runSoak({
            ...opts,
            scenario,
            durationS: opts.duration,
            contract: loaded,
            plans,
            source,
            replies: { mode: opts.replies, seed: opts.seed },
            progress: (p) => output.progress(scenarios.length > 1 ? `${scenario}: ${p}` : p),
          }),
        ),
      )
      const failed = settled.find((r) => r.status === 'rejected')
      if (failed) {
        const error: unknown = failed.reason
        if (!(error instanceof ScheduleError)) throw error
        throw new OigError('USAGE', `Failed to run soak: ${error.message}.`, {
          hint: 'Pass a longer --duration, or adjust --retry-interval-s / --fail-threshold.',
        })
      }
      const reports = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
      for (const file of writeSoakReports(opts.out, reports)) output.info(`wrote ${file}`)
      if (reports.length === 1) output.result(reports[0]!, renderSoak)
      else
        output.result({ kind: 'soak-batch', schemaVersion: 1, reports }, (b, c) =>
          b.reports.map((r) => renderSoak(r, c)).join('\n\n'),
        )
      ctx.setExitCode(reports.every((r) => r.verdict.pass) ? ExitCode.Ok : ExitCode.Findings)
    })
}
