/** What `oigctl replay` and `oigctl compare` share: the pacing options, --queue-setting, remote targets. */
import type { Command } from 'commander'
import { OigError } from '../errors.js'
import type { ReplyMode } from '../contract/reply-policy.js'
import type { ReplayPacing } from '../replay/client.js'
import { parseSettingSpec, type ReplayPlan, type SettingSpec } from '../replay/plan.js'
import { checkTarget, isLoopback } from '../replay/targets.js'
import { SettingRequestSchema } from '../targets/control-api.js'
import { formatEndpoint, type Endpoint } from '../targets/endpoint.js'
import type { ReplayDryRunDoc } from '../formats/stdout-docs.js'
import type { CommandContext } from './context.js'
import {
  addOptions,
  collect,
  contractOption,
  durationAlias,
  DurationOption,
  numberOption,
  outDirOption,
  replyTimeoutOptions,
} from './options.js'
import { replyModeOptions } from './serve-common.js'

/** The options replay and compare share, as parsed (durations in ms). */
export interface PacingOptions {
  readonly speed: number
  readonly maxSpeed?: boolean
  readonly replyTimeout: number
  readonly holdAfter: number
  readonly queueSetting?: string[]
  readonly contract: string
  readonly allowRemote?: boolean
  readonly out: string
  readonly replies: ReplyMode
  readonly seed: number
}

/** Adds the options replay and compare share. */
export function addPacing(c: Command): Command {
  const hold = new DurationOption(
    '--hold-after <duration>',
    'keep the connection open after the last reply',
    0,
    true,
  )
  addOptions(
    c,
    replyModeOptions(),
    numberOption('--speed <n>', 'divide the recorded gaps by n', { above: 0 }, 1),
  ).option('--max-speed', 'send each frame as soon as the previous reply came')
  return addOptions(c, replyTimeoutOptions('wait this long for each reply'), [
    hold,
    durationAlias('--hold-after-s <s>', hold, 's'),
  ])
    .option(
      '--queue-setting <tbl/ITEM=VALUE>',
      'queue another Setting on the target; repeatable',
      collect,
    )
    .addOption(contractOption('contract the built-in targets follow'))
    .option('--allow-remote', 'allow a target outside loopback (it may change a real device)')
    .addOption(outDirOption())
}

/** The pacing as the replay client takes it. */
export function pacingOf(o: PacingOptions): ReplayPacing {
  return {
    speed: o.speed,
    maxSpeed: o.maxSpeed === true,
    replyTimeoutMs: o.replyTimeout,
    holdAfterS: o.holdAfter / 1000,
  }
}

/** --queue-setting values, validated like the control API's POST /settings. */
export function settings(specs: readonly string[] = []): SettingSpec[] {
  return specs.map((s) => {
    const spec = parseSettingSpec(s)
    const valid = spec ? SettingRequestSchema.safeParse(spec) : null
    if (!spec || !valid?.success) {
      const why =
        valid && !valid.success
          ? (valid.error.issues[0]?.message ?? 'invalid')
          : 'expected tbl/ITEM=VALUE'
      throw new OigError('USAGE', `Failed to read --queue-setting ${s}: ${why}.`, {
        hint: 'Example: --queue-setting tbl_box_prms/MODE=3',
      })
    }
    return { table: valid.data.table, item: valid.data.item, value: valid.data.value }
  })
}

/**
 * Checks every target before anything runs (a remote one needs --allow-remote, else exit 2),
 * then says what will be sent to each remote endpoint that is allowed.
 */
export function checkTargets(
  ctx: CommandContext,
  targets: readonly string[],
  allowRemote: boolean,
  what: string,
): void {
  const remote = targets.filter((t) => {
    const tcp = checkTarget(t, allowRemote)
    return tcp !== null && !isLoopback(tcp.host)
  })
  for (const t of remote) {
    ctx.streams.stderr.write(
      `WARNING: --allow-remote: sending ${what} to ${t}, a real remote endpoint. This can change a real device's settings.\n`,
    )
  }
}

/** What `replay --dry-run` prints: per session, the BOX frames that would go to the target. */
export function dryRunDoc(
  target: string,
  endpoint: Endpoint | null,
  plans: readonly ReplayPlan[],
  extra: readonly SettingSpec[],
  pacing: { speed: number; maxSpeed?: boolean },
): ReplayDryRunDoc {
  return {
    kind: 'replay-dry-run',
    schemaVersion: 1,
    target,
    endpoint: endpoint ? formatEndpoint(endpoint) : null,
    builtIn: endpoint === null,
    pacing: pacing.maxSpeed ? 'max-speed' : `recorded gaps / ${pacing.speed}`,
    sessions: plans.map((p) => ({
      session: p.sessionId,
      source: p.source,
      queued: [...p.settings, ...extra].map((s) => `${s.table}/${s.item}=${s.value}`),
      frames: p.steps.map((s) => ({
        seq: s.seq,
        id: s.id,
        class: s.class,
        table: s.table,
        gapMs: s.gapMs,
        bytes: Buffer.byteLength(s.raw),
        conditional: s.class === 'box.setting-ack' || s.class === 'box.setting-nack',
      })),
    })),
  }
}
