/** `oigctl serve proxy`: added to the `serve` group created by registerServe (serve.ts). */
import type { Command } from 'commander'
import { OigError } from '../../errors.js'
import type { Endpoint } from '../../targets/endpoint.js'
import { PROXY_MODES, type ProxyMode } from '../../targets/proxy/hybrid-policy.js'
import { LOCAL_REPLY_SETS, type LocalReplySet } from '../../targets/replies/local-reply.js'
import { startProxy } from '../../targets/proxy/server.js'
import type { CommandContext } from '../context.js'
import {
  addOptions,
  choiceOption,
  endpointOption,
  hybridOptions,
  replyTimeoutOptions,
} from '../options.js'
import { renderServeProxy } from '../render/serve-proxy.js'
import {
  addServeOptions,
  replyPolicyOptions,
  runServe,
  type ServeOptions,
} from '../serve-common.js'

interface ServeProxyOptions extends ServeOptions {
  readonly mode: ProxyMode
  readonly upstream?: Endpoint
  readonly replyTimeout: number
  readonly failThreshold: number
  readonly retryInterval: number
  readonly localReplies: LocalReplySet
  readonly capture?: string
}

export function addServeProxy(serve: Command, ctx: CommandContext): void {
  const proxy = serve
    .command('proxy')
    .description(
      'a proxy between BOX and cloud: forward, rescue locally (hybrid) or answer offline',
    )
  addServeOptions(
    proxy,
    'local replies (offline, hybrid rescues): ',
    'allow a non-loopback --listen, --control-host or --upstream',
  )
    .addOption(
      choiceOption(
        '--mode <mode>',
        'forward, rescue locally or answer locally',
        PROXY_MODES,
      ).makeOptionMandatory(),
    )
    .addOption(
      endpointOption(
        '--upstream <host:port>',
        'the cloud (or mock) to forward to (HOST:PORT or tcp://HOST:PORT); needed online and hybrid',
        'connect',
      ),
    )
    .addOption(
      choiceOption(
        '--local-replies <set>',
        'local reply set (switchable at runtime)',
        LOCAL_REPLY_SETS,
        'contract',
      ),
    )
  addOptions(
    proxy,
    replyTimeoutOptions('upstream reply timeout per frame'),
    hybridOptions('probe interval while hybrid is offline'),
  )
    .option('--capture <db>', 'record every frame into this capture DB (add-on layout)')
    .action(async (opts: ServeProxyOptions, command: Command) => {
      if (opts.mode !== 'offline' && opts.upstream === undefined)
        throw new OigError(
          'USAGE',
          `Failed to run serve proxy: --mode ${opts.mode} needs --upstream.`,
          { hint: 'Pass --upstream HOST:PORT, or use --mode offline.' },
        )
      const upstream = opts.upstream ?? null
      await runServe(ctx, command, {
        target: 'proxy',
        opts,
        remote: upstream ? [[upstream.host, '--upstream']] : [],
        outputs: opts.capture === undefined ? [] : [[opts.capture, '--capture']],
        start: (run) =>
          startProxy({
            listen: opts.listen,
            mode: opts.mode,
            upstream,
            replyTimeoutMs: opts.replyTimeout,
            failThreshold: opts.failThreshold,
            retryIntervalMs: opts.retryInterval,
            localReplies: opts.localReplies,
            contract: run.contract.contract,
            controlHost: opts.controlHost,
            controlPort: run.controlPort,
            controlGuard: run.controlGuard,
            ...(opts.capture === undefined ? {} : { capture: opts.capture }),
            idleTimeoutMs: opts.idleTimeout,
            maxConnections: opts.maxConnections,
            maxFrameBytes: opts.maxFrameBytes,
            log: run.log,
            onError: (m) => run.output.error(m),
            replies: replyPolicyOptions(opts),
            ...(opts.settingPolls ? { settingPolls: [...opts.settingPolls] } : {}),
          }),
        describe: (c) =>
          `mode ${opts.mode}${upstream ? `, upstream ${upstream.host}:${upstream.port}` : ''}, local replies ${opts.localReplies}, contract ${c.contract.version}`,
        render: renderServeProxy,
      })
    })
}
