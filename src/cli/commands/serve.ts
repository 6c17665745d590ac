/** `oigctl serve mock` (and the `serve` group that `serve proxy` joins, see serve-proxy.ts). */
import type { Option } from 'commander'
import { type Command } from 'commander'
import type { Endpoint } from '../../targets/endpoint.js'
import { startMockCloud } from '../../targets/mock-cloud/server.js'
import type { CommandContext } from '../context.js'
import { AliasOption, parseNumber } from '../options.js'
import { renderServe } from '../render/serve.js'
import {
  addServeOptions,
  replyPolicyOptions,
  runServe,
  type ServeOptions,
} from '../serve-common.js'

/** Creates the `serve` command group with its `mock` sub-command; returns the group. */
export function registerServe(program: Command, ctx: CommandContext): Command {
  const serve = program
    .command('serve')
    .description('run a target server (mock cloud or proxy) until SIGINT/SIGTERM')
  addServeMock(serve, ctx)
  return serve
}

/** The mock's old `--host` / `--port`: hidden aliases that set one half of --listen. */
function listenAliases(listen: Option): Option[] {
  const port = { int: true, min: 0, max: 65535 }
  return [
    new AliasOption('--host <host>', listen, (_n, host, e) => ({ ...(e as Endpoint), host })),
    new AliasOption('--port <port>', listen, (name, raw, e) => ({
      ...(e as Endpoint),
      port: parseNumber(name, raw, port),
    })),
  ]
}

function addServeMock(serve: Command, ctx: CommandContext): void {
  const mock = serve
    .command('mock')
    .description('a mock cloud that answers a BOX with the replies the contract shows')
  addServeOptions(mock, '', 'allow a non-loopback --listen / --control-host')
  for (const alias of listenAliases(mock.options.find((o) => o.long === '--listen')!))
    mock.addOption(alias)
  mock.action(async (opts: ServeOptions & { host?: string }, command: Command) => {
    await runServe(ctx, command, {
      target: 'mock',
      opts,
      listenOption: opts.host === undefined ? '--listen' : '--host',
      start: (run) =>
        startMockCloud({
          host: opts.listen.host,
          port: opts.listen.port,
          controlHost: opts.controlHost,
          controlPort: run.controlPort,
          controlGuard: run.controlGuard,
          contract: run.contract.contract,
          idleTimeoutMs: opts.idleTimeout,
          maxConnections: opts.maxConnections,
          maxFrameBytes: opts.maxFrameBytes,
          log: (e) => run.log?.write(e),
          replies: replyPolicyOptions(opts),
          ...(opts.settingPolls ? { settingPolls: [...opts.settingPolls] } : {}),
        }),
      describe: (c) => `contract ${c.contract.version} (${opts.contract})`,
      render: renderServe,
    })
  })
}
