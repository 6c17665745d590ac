/** `oigctl serve mock` (and the `serve` group that `serve proxy` joins, see serve-proxy.ts). */
import { Option, type Command } from 'commander'
import { z } from 'zod'
import { readContract } from '../../contract/files.js'
import { OigError } from '../../errors.js'
import { checkOutputFile } from '../../evidence/files.js'
import { NO_EVENT_LOG, openEventLog } from '../../targets/event-log.js'
import type { ServeDoc } from '../../targets/serve-doc.js'
import { startMockCloud, type MockCloud } from '../../targets/mock-cloud/server.js'
import type { CommandContext } from '../context.js'
import { parseOptions } from '../options.js'
import { renderServe } from '../render/serve.js'
import {
  addReplyModeOptions,
  addServeOptions,
  endpointSchema,
  IdleTimeoutSchema,
  MaxFrameBytesSchema,
  SERVE_DEFAULTS,
  assertHostAllowed,
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

const ServeMockOptions = z.object({
  listen: endpointSchema('listen').default(SERVE_DEFAULTS.listen),
  host: z.string().min(1).optional(),
  port: PortSchema.optional(),
  controlHost: z.string().min(1).default(SERVE_DEFAULTS.controlHost),
  controlPort: PortSchema.default(SERVE_DEFAULTS.controlPort),
  control: z.boolean().default(true),
  contract: z.string().min(1).default(DEFAULT_CONTRACT_FILE),
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

/** Creates the `serve` command group with its `mock` sub-command; returns the group. */
export function registerServe(program: Command, ctx: CommandContext): Command {
  const serve = program
    .command('serve')
    .description('run a target server (mock cloud or proxy) until SIGINT/SIGTERM')
  addServeMock(serve, ctx)
  return serve
}

function addServeMock(serve: Command, ctx: CommandContext): void {
  const mock = serve.command('mock')
  addReplyModeOptions(mock)
  addServeOptions(mock)
    .description('a mock cloud that answers a BOX with the replies the contract shows')
    // The old spellings, kept as hidden aliases of --listen.
    .addOption(new Option('--host <host>', 'alias: the host of --listen').hideHelp())
    .addOption(new Option('--port <port>', 'alias: the port of --listen').hideHelp())
    .option('--setting-polls <list>', SETTING_POLLS_HELP)
    .option('--allow-remote', 'allow a non-loopback --listen / --control-host')
    .action(async (raw: unknown, command: Command) => {
      const output = ctx.open(command)
      const parsed = parseOptions(ServeMockOptions, raw, 'serve mock')
      const opts = {
        ...parsed,
        host: parsed.host ?? parsed.listen.host,
        port: parsed.port ?? parsed.listen.port,
      }
      const listenOption = parsed.host === undefined ? '--listen' : '--host'
      assertHostAllowed(opts.host, opts.allowRemote, 'serve mock', listenOption)
      if (opts.control)
        assertHostAllowed(opts.controlHost, opts.allowRemote, 'serve mock', '--control-host')
      const token = controlTokenFor(
        opts.controlToken,
        ctx.env,
        { enabled: opts.control, host: opts.controlHost },
        'serve mock',
      )
      if (opts.log === '-' && output.json)
        throw new OigError(
          'USAGE',
          'Failed to run serve mock: --log - and --json both need stdout.',
          {
            hint: 'Pass --log with a file name.',
          },
        )
      if (opts.log !== undefined && opts.log !== '-') checkOutputFile(opts.log, '--log')
      const { contract } = readContract(opts.contract)
      const log = opts.log
        ? openEventLog(opts.log, ctx.streams.stdout, (m) => output.error(m))
        : NO_EVENT_LOG
      let mock: MockCloud
      try {
        mock = await startMockCloud({
          host: opts.host,
          port: opts.port,
          controlHost: opts.controlHost,
          controlPort: opts.control ? opts.controlPort : null,
          controlGuard: { token },
          contract,
          idleTimeoutMs: opts.idleTimeoutS * 1000,
          maxConnections: opts.maxConnections,
          maxFrameBytes: opts.maxFrameBytes,
          log: (e) => log.write(e),
          replies: replyPolicyOptions(opts),
          ...(opts.settingPolls ? { settingPolls: opts.settingPolls } : {}),
        })
      } catch (error) {
        await log.close()
        throw error
      }
      const control = mock.controlPort === null ? 'off' : `${opts.controlHost}:${mock.controlPort}`
      // Always printed (even under --quiet): with port 0 it is the only way to learn the ports.
      ctx.streams.stderr.write(`listening mock ${opts.host}:${mock.port} control ${control}\n`)
      output.info(`contract ${contract.version} (${opts.contract}); stop with Ctrl-C or SIGTERM`)
      const { exitCode, ...stopped } = await serveUntilStopped(
        (t) => output.info(t),
        (r, graceMs) => mock.close(r, graceMs),
        log,
      )
      const doc: ServeDoc = {
        kind: 'serve',
        schemaVersion: 1,
        ...mock.state(),
        contractFile: opts.contract,
        ...stopped,
      }
      output.result(doc, renderServe)
      ctx.setExitCode(exitCode)
    })
}
