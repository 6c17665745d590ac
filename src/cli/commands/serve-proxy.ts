/** `oigctl serve proxy`: added to the `serve` group created by registerServe (serve.ts). */
import type { Command } from 'commander'
import { z } from 'zod'
import { readContract } from '../../contract/files.js'
import { OigError } from '../../errors.js'
import { checkOutputFile } from '../../evidence/files.js'
import { NO_EVENT_LOG, openEventLog } from '../../targets/event-log.js'
import type { ServeProxyDoc } from '../../targets/serve-doc.js'
import { PROXY_MODES } from '../../targets/proxy/hybrid-policy.js'
import { LOCAL_REPLY_SETS } from '../../targets/replies/local-reply.js'
import { startProxy } from '../../targets/proxy/server.js'
import type { CommandContext } from '../context.js'
import { parseOptions } from '../options.js'
import { renderServeProxy } from '../render/serve-proxy.js'
import {
  addReplyModeOptions,
  addServeOptions,
  assertHostAllowed,
  controlTokenFor,
  DEFAULT_CONTRACT_FILE,
  endpointSchema,
  IdleTimeoutSchema,
  MaxFrameBytesSchema,
  PortSchema,
  SERVE_DEFAULTS,
  ReplyModeSchema,
  replyPolicyOptions,
  SeedSchema,
  serveUntilStopped,
  SETTING_POLLS_HELP,
  SettingPollsSchema,
} from '../serve-common.js'

const ServeProxyOptions = z.object({
  mode: z.enum(PROXY_MODES, 'expected online, hybrid or offline'),
  upstream: endpointSchema('connect').optional(),
  listen: endpointSchema('listen').default(SERVE_DEFAULTS.listen),
  controlHost: z.string().min(1).default(SERVE_DEFAULTS.controlHost),
  controlPort: PortSchema.default(SERVE_DEFAULTS.controlPort),
  control: z.boolean().default(true),
  replyTimeoutMs: z.coerce.number().int().positive().default(5000),
  failThreshold: z.coerce.number().int().min(1).default(3),
  retryIntervalS: z.coerce.number().positive().default(60),
  localReplies: z.enum(LOCAL_REPLY_SETS, 'expected contract or legacy').default('contract'),
  contract: z.string().min(1).default(DEFAULT_CONTRACT_FILE),
  capture: z.string().min(1).optional(),
  log: z.string().min(1).optional(),
  idleTimeoutS: IdleTimeoutSchema,
  maxConnections: z.coerce.number().int().positive().default(SERVE_DEFAULTS.maxConnections),
  maxFrameBytes: MaxFrameBytesSchema,
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
  addServeOptions(proxyCmd)
    .description(
      'a proxy between BOX and cloud: forward, rescue locally (hybrid) or answer offline',
    )
    .requiredOption('--mode <mode>', 'online | hybrid | offline')
    .option(
      '--upstream <host:port>',
      'the cloud (or mock) to forward to (HOST:PORT or tcp://HOST:PORT); needed online and hybrid',
    )
    .option('--reply-timeout-ms <ms>', 'upstream reply timeout per frame', '5000')
    .option('--fail-threshold <n>', 'consecutive failures that switch hybrid to offline', '3')
    .option('--retry-interval-s <s>', 'probe interval while hybrid is offline', '60')
    .option(
      '--local-replies <set>',
      'local reply set: contract | legacy (switchable at runtime)',
      'contract',
    )
    .option('--capture <db>', 'record every frame into this capture DB (add-on layout)')
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
