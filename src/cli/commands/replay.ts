/** `oigctl replay` and `oigctl compare`. */
import path from 'node:path'
import type { Command } from 'commander'
import { z } from 'zod'
import { FailOnSchema } from '../../compare/report-schema.js'
import { runCompare } from '../../compare/run-compare.js'
import { parseTargetList } from '../../compare/target-list.js'
import { readContract } from '../../contract/files.js'
import { OigError } from '../../errors.js'
import { checkOutputFile, ensureWritableDir } from '../../evidence/files.js'
import { loadSessions } from '../../replay/load-session.js'
import { parseSettingSpec, type ReplayPlan, type SettingSpec } from '../../replay/plan.js'
import { replayPlan, writeTranscript } from '../../replay/run-replay.js'
import { checkTarget, isLoopback } from '../../replay/targets.js'
import type { ReplayTranscript } from '../../replay/transcript-schema.js'
import { SettingRequestSchema } from '../../targets/control-api.js'
import { formatEndpoint, type Endpoint } from '../../targets/endpoint.js'
import { probeEndpoint } from '../probe.js'
import type { ReplayDryRunDoc } from '../../formats/stdout-docs.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import { collect, parseOptions } from '../options.js'
import { renderCompare, renderReplay } from '../render/replay.js'
import {
  addReplyModeOptions,
  DEFAULT_CONTRACT_FILE,
  ReplyModeSchema,
  replyPolicyOptions,
  SeedSchema,
} from '../serve-common.js'

const Pacing = {
  speed: z.coerce.number().positive().default(1),
  maxSpeed: z.boolean().default(false),
  replyTimeoutMs: z.coerce.number().int().positive().default(5000),
  holdAfterS: z.coerce.number().nonnegative().default(0),
  queueSetting: z.array(z.string()).default([]),
  contract: z.string().default(DEFAULT_CONTRACT_FILE),
  allowRemote: z.boolean().default(false),
  out: z.string().min(1).default('evidence'),
  replies: ReplyModeSchema,
  seed: SeedSchema,
}

const ReplayOptions = z.object({
  session: z.string().min(1),
  target: z.string().min(1),
  dryRun: z.boolean().default(false),
  ...Pacing,
})
const CompareOptions = z.object({
  session: z.array(z.string()).default([]),
  targets: z.string().default('online,mock,offline'),
  online: z.string().optional(),
  strictTiming: z.boolean().default(false),
  failOn: FailOnSchema.default('any'),
  junit: z.string().optional(),
  jobs: z.coerce.number().int().positive().optional(),
  ...Pacing,
})

/** --queue-setting values, validated like the control API's POST /settings. */
function settings(specs: readonly string[]): SettingSpec[] {
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
function checkTargets(
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

function addPacing(c: Command): Command {
  return addReplyModeOptions(c)
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

/** What `replay --dry-run` prints: per session, the BOX frames that would go to the target. */
function dryRunDoc(
  target: string,
  endpoint: Endpoint | null,
  plans: readonly ReplayPlan[],
  extra: readonly SettingSpec[],
  pacing: { speed: number; maxSpeed: boolean },
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

function renderDryRun(d: ReplayDryRunDoc): string {
  const to = d.builtIn ? `${d.target} (built in, started on a free 127.0.0.1 port)` : d.endpoint
  const out = [`dry run: nothing is sent. Would replay to ${to}, ${d.pacing}:`]
  for (const s of d.sessions) {
    out.push(
      `  ${s.session} (${s.frames.length} BOX frames)${s.queued.length ? `, queued first: ${s.queued.join(', ')}` : ''}`,
    )
    for (const f of s.frames)
      out.push(
        `    ${String(f.seq).padStart(4)}  ${f.class}${f.table ? `[${f.table}]` : ''}  ${f.bytes} B${f.gapMs === null ? '' : `  after ${f.gapMs} ms`}${f.conditional ? '  (only after a delivered Setting)' : ''}`,
      )
  }
  return out.join('\n')
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
      .requiredOption(
        '--target <target>',
        'mock | offline | hybrid | legacy | HOST:PORT | tcp://HOST:PORT',
      )
      .option('--dry-run', 'print what would be sent to whom, without connecting or writing'),
  ).action(async (raw: unknown, command: Command) => {
    const output = ctx.open(command)
    const opts = parseOptions(ReplayOptions, raw, 'replay')
    if (!opts.dryRun) ensureWritableDir(path.join(opts.out, 'replay'))
    const { contract } = readContract(opts.contract)
    const extra = settings(opts.queueSetting)
    const endpoint = checkTarget(opts.target, opts.allowRemote)
    const loaded = await loadSessions(opts.session)
    if (loaded.length === 0) {
      throw new OigError(
        'SESSION_EMPTY',
        `Failed to replay ${opts.session}: it holds no session.`,
        { hint: 'Check that the file has frames.' },
      )
    }
    const classes = [...new Set(loaded.flatMap((l) => l.plan.steps.map((s) => s.class)))]
    const count = loaded.reduce((n, l) => n + l.plan.steps.length, 0)
    checkTargets(
      ctx,
      [opts.target],
      opts.allowRemote,
      `${count} BOX frame(s) (${classes.join(', ')}) of ${opts.session}`,
    )
    if (opts.dryRun) {
      const doc = dryRunDoc(
        opts.target,
        endpoint,
        loaded.map((l) => l.plan),
        extra,
        opts,
      )
      output.result(doc, renderDryRun)
      ctx.setExitCode(ExitCode.Ok)
      return
    }
    // An endpoint that cannot be reached is one line and exit 2, not a row per frame.
    if (endpoint) {
      const why = await probeEndpoint(endpoint, opts.replyTimeoutMs)
      if (why !== null)
        throw new OigError(
          'TARGET_UNREACHABLE',
          `Failed to replay to ${opts.target}: cannot connect to ${formatEndpoint(endpoint)}: ${why}.`,
          {
            hint: 'Start the target first (e.g. oigctl serve mock --listen HOST:PORT), or check --target.',
          },
        )
    }
    const transcripts: ReplayTranscript[] = []
    for (const { plan } of loaded) {
      const t = await replayPlan(plan, opts.session, {
        target: opts.target,
        contract,
        pacing: opts,
        extraSettings: extra,
        allowRemote: opts.allowRemote,
        replies: replyPolicyOptions(opts),
      })
      output.info(`wrote ${writeTranscript(path.join(opts.out, 'replay'), t)}`)
      transcripts.push(t)
    }
    // One document under --json: the transcript, or a batch when the file held several sessions.
    if (transcripts.length === 1) output.result(transcripts[0]!, renderReplay)
    else
      output.result({ kind: 'replay-batch', schemaVersion: 1, transcripts }, (b, c) =>
        b.transcripts.map((t) => renderReplay(t, c)).join('\n\n'),
      )
    const failed = transcripts.some((t) => t.counts.noReply + t.counts.closed > 0)
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
      .option(
        '--fail-on <what>',
        'any: every mismatch fails the run (exit 1); critical: only polls and the setting handshake',
        'any',
      )
      .option('--junit <file>', 'write JUnit XML (one test case per sequence and target)')
      .option(
        '--jobs <n>',
        'sessions replayed at once, each against all targets in parallel (default: 8 per core when all targets are built in, else one per core); built-in targets replay at --max-speed, --speed applies to tcp:// targets',
      ),
  ).action(async (raw: unknown, command: Command) => {
    const output = ctx.open(command)
    const opts = parseOptions(CompareOptions, raw, 'compare')
    ensureWritableDir(path.join(opts.out, 'replay'))
    if (opts.junit) checkOutputFile(opts.junit, '--junit')
    const contract = readContract(opts.contract)
    const targets = parseTargetList(opts.targets)
    const live = [...targets.filter((t) => t !== 'online'), ...(opts.online ? [opts.online] : [])]
    checkTargets(
      ctx,
      live,
      opts.allowRemote,
      'the BOX frames of the sessions (Setting ACKs included)',
    )
    const report = await runCompare(
      {
        sessions: opts.session,
        targets,
        contract,
        online: opts.online ?? null,
        allowRemote: opts.allowRemote,
        pacing: opts,
        extraSettings: settings(opts.queueSetting),
        strictTiming: opts.strictTiming,
        failOn: opts.failOn,
        out: opts.out,
        junit: opts.junit ?? null,
        replies: replyPolicyOptions(opts),
        ...(opts.jobs === undefined ? {} : { jobs: opts.jobs }),
      },
      (p) => output.progress(p),
    )
    output.info(`wrote ${path.join(opts.out, 'compare.json')}`)
    output.result(report, renderCompare)
    ctx.setExitCode(report.verdict === 'PASS' ? ExitCode.Ok : ExitCode.Findings)
  })
}
