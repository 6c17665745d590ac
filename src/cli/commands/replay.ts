/** `oigctl replay` and `oigctl compare`. */
import path from 'node:path'
import type { Command } from 'commander'
import { z } from 'zod'
import { runCompare } from '../../compare/run-compare.js'
import { readContract } from '../../contract/run-derive.js'
import { OigError } from '../../errors.js'
import { loadSessions } from '../../replay/load-session.js'
import { parseSettingSpec, type SettingSpec } from '../../replay/plan.js'
import { replayPlan, writeTranscript } from '../../replay/run-replay.js'
import { isLoopback, parseTcpTarget } from '../../replay/targets.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import { collect, parseOptions } from '../options.js'
import { renderCompare, renderReplay } from '../render/replay.js'
import { DEFAULT_CONTRACT_FILE } from '../serve-common.js'

const Pacing = {
  speed: z.coerce.number().positive().default(1),
  maxSpeed: z.boolean().default(false),
  replyTimeoutMs: z.coerce.number().int().positive().default(5000),
  holdAfterS: z.coerce.number().nonnegative().default(0),
  queueSetting: z.array(z.string()).default([]),
  contract: z.string().default(DEFAULT_CONTRACT_FILE),
  allowRemote: z.boolean().default(false),
  out: z.string().min(1).default('evidence'),
}

const ReplayOptions = z.object({ session: z.string().min(1), target: z.string().min(1), ...Pacing })
const CompareOptions = z.object({
  session: z.array(z.string()).default([]),
  targets: z.string().default('online,mock,offline'),
  online: z.string().optional(),
  strictTiming: z.boolean().default(false),
  junit: z.string().optional(),
  ...Pacing,
})

function settings(specs: readonly string[]): SettingSpec[] {
  return specs.map((s) => {
    const spec = parseSettingSpec(s)
    if (!spec)
      throw new OigError('USAGE', `Failed to read --queue-setting ${s}: expected tbl/ITEM=VALUE.`, {
        hint: 'Example: --queue-setting tbl_box_prms/MODE=3',
      })
    return spec
  })
}

/** Says what will be sent to a non-loopback target before anything is sent (safety). */
function announceRemote(ctx: CommandContext, target: string, what: string): void {
  const tcp = parseTcpTarget(target)
  if (tcp && !isLoopback(tcp.host))
    ctx.streams.stderr.write(
      `WARNING: sending ${what} to ${tcp.host}:${tcp.port}, a real remote endpoint: this can change a real device's settings.\n`,
    )
}

function addPacing(c: Command): Command {
  return c
    .option('--speed <n>', 'divide the recorded gaps by n', '1')
    .option('--max-speed', 'send each frame as soon as the previous reply came')
    .option('--reply-timeout-ms <ms>', 'wait this long for each reply', '5000')
    .option('--hold-after-s <s>', 'keep the connection open after the last reply', '0')
    .option(
      '--queue-setting <tbl/ITEM=VALUE>',
      'queue another Setting on the target; repeatable',
      collect,
    )
    .option('--contract <file>', 'contract the built-in targets follow', DEFAULT_CONTRACT_FILE)
    .option('--allow-remote', 'allow a target outside loopback (it may change a real device)')
    .option('--out <dir>', 'evidence folder', 'evidence')
}

export function registerReplay(program: Command, ctx: CommandContext): void {
  addPacing(
    program
      .command('replay')
      .description(
        'replay a recorded session against a target (mock, offline, hybrid, legacy or tcp://HOST:PORT)',
      )
      .requiredOption(
        '--session <file>',
        'session fixture from extract, or the add-on session export JSON',
      )
      .requiredOption('--target <target>', 'mock | offline | hybrid | legacy | tcp://HOST:PORT'),
  ).action(async (raw: unknown, command: Command) => {
    const output = ctx.open(command)
    const opts = parseOptions(ReplayOptions, raw, 'replay')
    const { contract } = readContract(opts.contract)
    const extra = settings(opts.queueSetting)
    const loaded = await loadSessions(opts.session)
    announceRemote(
      ctx,
      opts.target,
      `${loaded.reduce((n, s) => n + s.plan.steps.length, 0)} BOX frame(s) of ${opts.session}`,
    )
    let failed = false
    for (const { plan } of loaded) {
      const t = await replayPlan(plan, opts.session, {
        target: opts.target,
        contract,
        pacing: opts,
        extraSettings: extra,
        allowRemote: opts.allowRemote,
      })
      const file = writeTranscript(path.join(opts.out, 'replay'), t)
      output.info(`wrote ${file}`)
      output.result(t, renderReplay)
      failed ||= t.counts.noReply + t.counts.closed > 0
    }
    ctx.setExitCode(failed ? ExitCode.Findings : ExitCode.Ok)
  })

  addPacing(
    program
      .command('compare')
      .description(
        'replay sessions against targets and judge every reply against the real cloud and the contract',
      )
      .option('--session <file>', 'session fixture or export; repeatable', collect)
      .option(
        '--targets <list>',
        'online,mock,offline[,hybrid,legacy,tcp://HOST:PORT]',
        'online,mock,offline',
      )
      .option(
        '--online <tcp://HOST:PORT>',
        'a live endpoint as `online` instead of the recorded replies',
      )
      .option('--strict-timing', 'latency outside the contract window is a mismatch, not a warning')
      .option('--junit <file>', 'write JUnit XML (one test case per sequence and target)'),
  ).action(async (raw: unknown, command: Command) => {
    const output = ctx.open(command)
    const opts = parseOptions(CompareOptions, raw, 'compare')
    const { contract, text } = readContract(opts.contract)
    const targets = opts.targets
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean)
    for (const t of [...targets, ...(opts.online ? [opts.online] : [])])
      announceRemote(ctx, t, 'the BOX frames of the sessions')
    const report = await runCompare(
      {
        sessions: opts.session,
        targets,
        contract,
        contractFile: opts.contract,
        contractText: text,
        online: opts.online ?? null,
        allowRemote: opts.allowRemote,
        pacing: opts,
        extraSettings: settings(opts.queueSetting),
        strictTiming: opts.strictTiming,
        out: opts.out,
        junit: opts.junit ?? null,
      },
      (p) => output.progress(p),
    )
    output.info(`wrote ${path.join(opts.out, 'compare.json')}`)
    output.result(report, renderCompare)
    ctx.setExitCode(report.verdict === 'PASS' ? ExitCode.Ok : ExitCode.Findings)
  })
}
