/** `oigctl serve proxy`: added to the `serve` group created by registerServe (serve.ts). */
import type { Command } from 'commander'
import { z } from 'zod'
import { readContract } from '../../contract/files.js'
import { OigError } from '../../errors.js'
import { checkOutputFile } from '../../evidence/files.js'
import { NO_EVENT_LOG, openEventLog } from '../../targets/event-log.js'
import type { ServeProxyDoc } from '../../targets/serve-doc.js'
import { PROXY_MODES } from '../../targets/proxy/hybrid-policy.js'
import { LOCAL_REPLY_SETS } from '../../targets/proxy/legacy-replies.js'
import { startProxy } from '../../targets/proxy/server.js'
import type { CommandContext } from '../context.js'
import { parseOptions } from '../options.js'
import { renderServeProxy } from '../render/serve-proxy.js'
import {
  addReplyModeOptions,
  assertHostAllowed,
  CONTROL_TOKEN_HELP,
  controlTokenFor,
  DEFAULT_CONTRACT_FILE,
  PortSchema,
  ReplyModeSchema,
  replyPolicyOptions,
  SeedSchema,
  serveUntilStopped,
  SETTING_POLLS_HELP,
  SettingPollsSchema,
} from '../serve-common.js'

/** Frames above 16 KiB are refused: the largest real one is ~760 bytes (PROTOCOL.md §1). */
const DEFAULT_PROXY_MAX_FRAME_BYTES = 16 * 1024

/** `host:port` or `[v6]:port`. */
const EndpointSchema = z.string().transform((s, ctx) => {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(s.trim())
  const port = m ? PortSchema.safeParse(m[3]) : null
  if (!m || !port?.success) {
    ctx.addIssue({ code: 'custom', message: `expected HOST:PORT, got ${JSON.stringify(s)}` })
    return z.NEVER
  }
  return { host: (m[1] ?? m[2])!, port: port.data }
})

const ServeProxyOptions = z.object({
  mode: z.enum(PROXY_MODES, 'expected online, hybrid or offline'),
  upstream: EndpointSchema.optional(),
  listen: EndpointSchema.default({ host: '127.0.0.1', port: 5710 }),
  controlHost: z.string().min(1).default('127.0.0.1'),
  controlPort: PortSchema.default(5711),
  control: z.boolean().default(true),
  replyTimeoutMs: z.coerce.number().int().positive().default(5000),
  failThreshold: z.coerce.number().int().min(1).default(3),
  retryIntervalS: z.coerce.number().positive().default(60),
  localReplies: z.enum(LOCAL_REPLY_SETS, 'expected contract or legacy').default('contract'),
  contract: z.string().min(1).default(DEFAULT_CONTRACT_FILE),
  capture: z.string().min(1).optional(),
  log: z.string().min(1).optional(),
  idleTimeoutS: z.coerce.number().positive().default(600),
  maxConnections: z.coerce.number().int().positive().default(1000),
  maxFrameBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1_048_576)
    .default(DEFAULT_PROXY_MAX_FRAME_BYTES),
  settingPolls: SettingPollsSchema,
  replies: ReplyModeSchema,
  seed: SeedSchema,
  allowRemote: z.boolean().default(false),
  controlToken: z.string().optional(),
})

const usage = (message: string, hint: string): OigError =>
  new OigError('USAGE', `Failed to run serve proxy: ${message}.`, { hint })

export function addServeProxy(serve: Command, ctx: CommandContext): void {
  const proxyCmd = serve.command('proxy')
  addReplyModeOptions(proxyCmd)
  proxyCmd
    .description(
      'a proxy between BOX and cloud: forward, rescue locally (hybrid) or answer offline',
    )
    .requiredOption('--mode <mode>', 'online | hybrid | offline')
    .option('--upstream <host:port>', 'the cloud (or mock) to forward to; needed online and hybrid')
    .option(
      '--listen <host:port>',
      'address for BOX connections (port 0 = a free port)',
      '127.0.0.1:5710',
    )
    .option('--control-host <host>', 'address of the HTTP control API', '127.0.0.1')
    .option('--control-port <port>', 'HTTP control API port (0 = a free port)', '5711')
    .option('--no-control', 'no HTTP control API')
    .option('--control-token <token>', CONTROL_TOKEN_HELP)
    .option('--reply-timeout-ms <ms>', 'upstream reply timeout per frame', '5000')
    .option('--fail-threshold <n>', 'consecutive failures that switch hybrid to offline', '3')
    .option('--retry-interval-s <s>', 'probe interval while hybrid is offline', '60')
    .option(
      '--local-replies <set>',
      'local reply set: contract | legacy (switchable at runtime)',
      'contract',
    )
    .option(
      '--contract <file>',
      'contract (default: the shipped contracts/oig-cloud.contract.json)',
    )
    .option('--capture <db>', 'record every frame into this capture DB (add-on layout)')
    .option('--log <file>', 'JSON-lines event log (- = stdout)')
    .option('--idle-timeout-s <s>', 'close a BOX connection silent this long', '600')
    .option('--max-connections <n>', 'refuse BOX connections beyond this many', '1000')
    .option(
      '--max-frame-bytes <n>',
      'close a connection sending a larger frame',
      String(DEFAULT_PROXY_MAX_FRAME_BYTES),
    )
    .option(
      '--setting-polls <list>',
      `local replies (offline, hybrid rescues): ${SETTING_POLLS_HELP}`,
    )
    .option('--allow-remote', 'allow a non-loopback --listen, --control-host or --upstream')
    .action(async (raw: unknown, command: Command) => {
      const output = ctx.open(command)
      const opts = parseOptions(ServeProxyOptions, raw, 'serve proxy')
      if (opts.mode !== 'offline' && opts.upstream === undefined)
        throw usage(
          `--mode ${opts.mode} needs --upstream`,
          'Pass --upstream HOST:PORT, or use --mode offline.',
        )
      assertHostAllowed(opts.listen.host, opts.allowRemote, 'serve proxy', '--listen')
      if (opts.control)
        assertHostAllowed(opts.controlHost, opts.allowRemote, 'serve proxy', '--control-host')
      const token = controlTokenFor(
        opts.controlToken,
        ctx.env,
        { enabled: opts.control, host: opts.controlHost },
        'serve proxy',
      )
      if (opts.upstream)
        assertHostAllowed(opts.upstream.host, opts.allowRemote, 'serve proxy', '--upstream')
      if (opts.log === '-' && output.json)
        throw usage('--log - and --json both need stdout', 'Pass --log with a file name.')
      if (opts.log !== undefined && opts.log !== '-') checkOutputFile(opts.log, '--log')
      if (opts.capture !== undefined) checkOutputFile(opts.capture, '--capture')
      const { contract } = readContract(opts.contract)
      const log = opts.log
        ? openEventLog(opts.log, ctx.streams.stdout, (m) => output.error(m))
        : NO_EVENT_LOG
      let proxy
      try {
        proxy = await startProxy({
          listen: opts.listen,
          mode: opts.mode,
          upstream: opts.upstream ?? null,
          replyTimeoutMs: opts.replyTimeoutMs,
          failThreshold: opts.failThreshold,
          retryIntervalMs: opts.retryIntervalS * 1000,
          localReplies: opts.localReplies,
          contract,
          controlHost: opts.controlHost,
          controlPort: opts.control ? opts.controlPort : null,
          controlGuard: { token },
          ...(opts.capture === undefined ? {} : { capture: opts.capture }),
          idleTimeoutMs: opts.idleTimeoutS * 1000,
          maxConnections: opts.maxConnections,
          maxFrameBytes: opts.maxFrameBytes,
          log: opts.log ? log : null,
          onError: (m) => output.error(m),
          replies: replyPolicyOptions(opts),
          ...(opts.settingPolls ? { settingPolls: opts.settingPolls } : {}),
        })
      } catch (error) {
        await log.close()
        throw error
      }
      const control =
        proxy.controlPort === null ? 'off' : `${opts.controlHost}:${proxy.controlPort}`
      // Always printed (even under --quiet): with port 0 it is the only way to learn the ports.
      ctx.streams.stderr.write(
        `listening proxy ${opts.listen.host}:${proxy.port} control ${control}\n`,
      )
      output.info(
        `mode ${opts.mode}${opts.upstream ? `, upstream ${opts.upstream.host}:${opts.upstream.port}` : ''}, local replies ${opts.localReplies}, contract ${contract.version}; stop with Ctrl-C or SIGTERM`,
      )
      const { exitCode, ...stopped } = await serveUntilStopped(
        (t) => output.info(t),
        (r, graceMs) => proxy.close(r, graceMs),
        log,
      )
      const doc: ServeProxyDoc = {
        kind: 'serve',
        schemaVersion: 1,
        ...proxy.state(),
        contractFile: opts.contract,
        ...stopped,
      }
      output.result(doc, renderServeProxy)
      ctx.setExitCode(exitCode)
    })
}
