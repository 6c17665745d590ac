/** The options of `oigctl soak`, declared once (durations in ms), and their one cross-check. */
import type { Command } from 'commander'
import { z } from 'zod'
import type { ReplyMode } from '../contract/reply-policy.js'
import { SOAK_SCENARIOS } from '../soak/report-schema.js'
import type { SoakScenario } from '../soak/schedule.js'
import { DEFAULT_TIME_SCALE, MIN_SCALED_TIMEOUT_MS } from '../soak/run-soak.js'
import {
  addOptions,
  choiceOption,
  collect,
  contractOption,
  DurationOption,
  hybridOptions,
  numberOption,
  outDirOption,
  replyTimeoutOptions,
} from './options.js'
import { replyModeOptions } from './serve-common.js'

export interface SoakOptions {
  readonly scenario: SoakScenario | 'all'
  readonly duration: number
  readonly timeScale: number
  readonly failThreshold: number
  readonly retryInterval: number
  readonly replyTimeout: number
  readonly seed: number
  readonly replies: ReplyMode
  readonly session?: string[]
  readonly contract: string
  readonly out: string
}

/** The one check across options: scaled down, the reply timeout must stay measurable. */
export const ScaledTimeout = z
  .object({ replyTimeout: z.number(), timeScale: z.number() })
  .refine((o) => o.replyTimeout / o.timeScale >= MIN_SCALED_TIMEOUT_MS, {
    message: `the reply timeout divided by the time scale must be at least ${MIN_SCALED_TIMEOUT_MS} ms`,
    path: ['timeScale'],
  })

/** Adds soak's options to `soak`. */
export function addSoakOptions(soak: Command): Command {
  return addOptions(
    soak,
    choiceOption(
      '--scenario <name>',
      'the fault schedule; all: every scenario the gate needs, side by side',
      [...SOAK_SCENARIOS, 'all'],
    ).makeOptionMandatory(),
    new DurationOption('--duration <duration>', 'simulated duration', 600_000),
    numberOption(
      '--time-scale <n>',
      'divide every timeout, interval and pause by n',
      { above: 0, max: 1000 },
      DEFAULT_TIME_SCALE,
    ),
    hybridOptions('probe interval while offline (simulated)'),
    replyTimeoutOptions('proxy wait for an upstream reply (simulated)'),
    replyModeOptions('seed of the fault schedule, the synthetic sessions and --replies sampled'),
  )
    .option(
      '--session <file>',
      'session fixture or export to replay; repeatable (default: synthetic)',
      collect,
    )
    .addOption(contractOption('contract the mock and the local replies follow'))
    .addOption(outDirOption('evidence folder (report in <dir>/soak/)'))
}
