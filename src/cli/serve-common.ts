/**
 * What both `oigctl serve …` commands share: their options (declared once, defaults in
 * commander), the loopback guard, the control token, and runServe(): checks, contract, event
 * log, start, the listening line, run until a stop signal, the `kind: "serve"` document.
 */
import { Option, type Command } from 'commander'
import { z } from 'zod'
import { readContract, type LoadedContract } from '../contract/files.js'
import { REPLY_MODES, type ReplyMode, type ReplyPolicyOptions } from '../contract/reply-policy.js'
import type { BoxClass } from '../protocol/frame-class.js'
import { OigError } from '../errors.js'
import { checkOutputFile } from '../evidence/files.js'
import { onStopSignal, SIGNAL_EXIT_CODES } from '../evidence/interrupt-cleanup.js'
import { isLoopbackHost } from '../targets/listen.js'
import { MAX_FRAME_BYTES } from '../protocol/frame-splitter.js'
import { NO_EVENT_LOG, openEventLog } from '../targets/event-log.js'
import type { ProxyEventSink } from '../evidence/schemas/proxy-events.js'
import { withLiveFrames } from './live-frames.js'
import { formatEndpoint, type Endpoint } from '../targets/endpoint.js'
import type { CommandContext } from './context.js'
import type { Output } from './output.js'
import {
  choiceOption,
  contractOption,
  durationAlias,
  DurationOption,
  endpointOption,
  numberOption,
  OptionValueError,
  seedOption,
} from './options.js'

/** The defaults both servers share, declared once (help shows them from here too). */
export const SERVE_DEFAULTS = {
  listen: { host: '127.0.0.1', port: 5710 },
  controlHost: '127.0.0.1',
  controlPort: 5711,
  idleTimeoutMs: 600_000,
  maxConnections: 1000,
  maxFrameBytes: MAX_FRAME_BYTES,
} as const

/** The options both servers take, as parsed (durations in ms). */
export interface ServeOptions {
  readonly listen: Endpoint
  readonly controlHost: string
  readonly controlPort: number
  readonly control: boolean
  readonly controlToken?: string
  readonly contract: string
  readonly log?: string
  readonly idleTimeout: number
  readonly maxConnections: number
  readonly maxFrameBytes: number
  readonly settingPolls?: readonly BoxClass[]
  readonly replies: ReplyMode
  readonly seed: number
  readonly allowRemote?: boolean
}

/** `--replies dominant|sampled` and `--seed N` (the reply mix of a contract-driven target). */
export function replyModeOptions(
  seed = 'seed of --replies sampled (the same seed gives the same replies)',
) {
  return [
    choiceOption(
      '--replies <mode>',
      "dominant: the contract's most frequent reply; sampled: each reply drawn from the contract's shares for that request and context",
      REPLY_MODES,
      'dominant',
    ),
    seedOption(seed),
  ]
}

/** The reply policy options from parsed --replies / --seed. */
export function replyPolicyOptions(o: { replies: ReplyMode; seed: number }): ReplyPolicyOptions {
  return { mode: o.replies, seed: o.seed }
}

const POLL_NAMES = new Map<string, BoxClass>([
  ['isnewset', 'box.poll.isnewset'],
  ['isnewfw', 'box.poll.isnewfw'],
  ['isnewweather', 'box.poll.isnewweather'],
])

/** `--setting-polls isnewset,isnewfw`: the polls a queued Setting may be delivered on. */
function settingPollsOption(description: string): Option {
  return new Option('--setting-polls <list>', description).argParser((text: string) =>
    text.split(',').map((p) => {
      const cls = POLL_NAMES.get(p.trim().toLowerCase())
      if (cls) return cls
      throw new OptionValueError(
        `invalid --setting-polls: expected one of ${[...POLL_NAMES.keys()].join(', ')} (got ${JSON.stringify(text)})`,
      )
    }),
  )
}

const SETTING_POLLS_HELP =
  'polls a queued Setting may be delivered on, e.g. isnewset,isnewfw,isnewweather (default: the polls the contract shows carrying one — IsNewSet and IsNewFW in the shipped contract; IsNewWeather only when listed, since no captured frame or pair shows a Setting on it)'

const CONTROL_TOKEN_HELP =
  'bearer token the HTTP control API requires (or env OIGCTL_CONTROL_TOKEN); needed with a non-loopback --control-host'

/**
 * Adds the options both servers take: where to listen (`--listen`), the control API, the
 * contract, the event log, the connection limits, the reply mix and the remote guard.
 */
export function addServeOptions(c: Command, polls: string, remote: string): Command {
  const idle = new DurationOption(
    '--idle-timeout <duration>',
    'close a BOX connection silent this long (0 = never)',
    SERVE_DEFAULTS.idleTimeoutMs,
    true,
  )
  for (const o of replyModeOptions()) c.addOption(o)
  return c
    .addOption(
      endpointOption(
        '--listen <host:port>',
        'address for BOX connections: HOST:PORT, [IPv6]:PORT or tcp://HOST:PORT (port 0 = a free port)',
        'listen',
      ).default(SERVE_DEFAULTS.listen, formatEndpoint(SERVE_DEFAULTS.listen)),
    )
    .option('--control-host <host>', 'address of the HTTP control API', SERVE_DEFAULTS.controlHost)
    .addOption(
      numberOption(
        '--control-port <port>',
        'HTTP control API port (0 = a free port)',
        { int: true, min: 0, max: 65535 },
        SERVE_DEFAULTS.controlPort,
      ),
    )
    .option('--no-control', 'no HTTP control API')
    .option('--control-token <token>', CONTROL_TOKEN_HELP)
    .addOption(contractOption('contract the replies follow'))
    .option('--log <file>', 'JSON-lines event log of every frame in and out (- = stdout)')
    .addOption(idle)
    .addOption(durationAlias('--idle-timeout-s <s>', idle, 's'))
    .addOption(
      numberOption(
        '--max-connections <n>',
        'refuse BOX connections beyond this many',
        { int: true, above: 0 },
        SERVE_DEFAULTS.maxConnections,
      ),
    )
    .addOption(
      numberOption(
        '--max-frame-bytes <n>',
        'close a connection sending a larger frame',
        { int: true, min: 1024, max: 1_048_576 },
        SERVE_DEFAULTS.maxFrameBytes,
      ),
    )
    .addOption(settingPollsOption(`${polls}${SETTING_POLLS_HELP}`))
    .option('--allow-remote', remote)
}

/**
 * Refuses to bind a non-loopback host unless `--allow-remote`: the servers accept anything a
 * peer sends and the control API queues changes for a real inverter.
 */
export function assertHostAllowed(
  host: string,
  allowRemote: boolean,
  command: string,
  option = '--host',
): void {
  if (allowRemote || isLoopbackHost(host)) return
  throw new OigError(
    'REMOTE_NOT_ALLOWED',
    `Failed to run ${command}: ${option} ${host} is not a loopback address.`,
    {
      hint: `Use 127.0.0.1, or pass --allow-remote to listen on ${host} on purpose (anyone who can reach it can talk to the server).`,
    },
  )
}

/** `--control-token`: long enough not to be guessed, and printable (it travels in a header). */
export const ControlTokenSchema = z
  .string()
  .min(16, 'expected at least 16 characters')
  .max(256, 'expected at most 256 characters')
  .regex(/^[\x21-\x7e]+$/, 'expected printable ASCII without spaces')

/**
 * The control API's token: `--control-token`, else `$OIGCTL_CONTROL_TOKEN`. A control API off
 * loopback without one is refused: anyone who can reach it could queue Settings for a real BOX.
 */
export function controlTokenFor(
  given: string | undefined,
  env: NodeJS.ProcessEnv,
  control: { enabled: boolean; host: string },
  command: string,
): string | null {
  const raw = given ?? (env.OIGCTL_CONTROL_TOKEN || undefined)
  let token: string | null = null
  if (raw !== undefined) {
    const parsed = ControlTokenSchema.safeParse(raw)
    if (!parsed.success)
      throw new OigError(
        'USAGE',
        `Failed to run ${command}: invalid --control-token: ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
        { hint: 'Use e.g. a random hex string: openssl rand -hex 24' },
      )
    token = parsed.data
  }
  if (control.enabled && token === null && !isLoopbackHost(control.host)) {
    throw new OigError(
      'CONTROL_TOKEN_REQUIRED',
      `Failed to run ${command}: --control-host ${control.host} is not a loopback address and no --control-token is set.`,
      {
        hint: 'Pass --control-token (or set OIGCTL_CONTROL_TOKEN) so that only holders of the token can queue Settings.',
      },
    )
  }
  return token
}

/** How long a stopping server lets peers finish before it drops them (the stop takes < 1 s). */
export const STOP_GRACE_MS = 500

/** A started server as runServe needs it (the mock cloud and the proxy both are one). */
export interface Served<S> {
  readonly port: number
  readonly controlPort: number | null
  state(): S
  close(reason: string, graceMs: number): Promise<void>
}

/** What differs between the two serve commands. */
export interface ServeSpec<S> {
  readonly target: 'mock' | 'proxy'
  readonly opts: ServeOptions
  /** How the listen address was given (`--listen`, or the mock's old `--host`). */
  readonly listenOption?: string
  /** More hosts the remote guard checks, and more files written, with their options. */
  readonly remote?: ReadonlyArray<readonly [string, string]>
  readonly outputs?: ReadonlyArray<readonly [string, string]>
  start(run: ServeRun): Promise<Served<S>>
  describe(contract: LoadedContract): string
  render(doc: S & ServeShutdownFields, c: Output['chalk']): string
}

/** What runServe hands the server's start: the contract, the log (null without --log), … */
export interface ServeRun {
  readonly contract: LoadedContract
  readonly log: ProxyEventSink | null
  readonly output: Output
  readonly controlGuard: { readonly token: string | null }
  /** The control port to open, or null under --no-control. */
  readonly controlPort: number | null
}

interface ServeShutdownFields {
  readonly kind: 'serve'
  readonly schemaVersion: 1
  readonly contractFile: string
  readonly stoppedBy: NodeJS.Signals
  readonly stoppedAt: string
}

/**
 * Runs a serve command: checks the addresses, the token and the outputs, reads the contract,
 * opens the log, starts the server, prints where it listens, and runs until SIGINT/SIGTERM; then
 * closes the server (peers get STOP_GRACE_MS) and the log, prints the `kind: "serve"` document and
 * sets the exit code of that signal (130 or 143).
 */
export async function runServe<S>(ctx: CommandContext, command: Command, spec: ServeSpec<S>) {
  const output = ctx.open(command)
  const { opts } = spec
  const name = `serve ${spec.target}`
  const remote: Array<readonly [string, string]> = [
    [opts.listen.host, spec.listenOption ?? '--listen'],
  ]
  if (opts.control) remote.push([opts.controlHost, '--control-host'])
  for (const [host, option] of remote)
    assertHostAllowed(host, opts.allowRemote === true, name, option)
  const controlGuard = {
    token: controlTokenFor(
      opts.controlToken,
      ctx.env,
      { enabled: opts.control, host: opts.controlHost },
      name,
    ),
  }
  for (const [host, option] of spec.remote ?? [])
    assertHostAllowed(host, opts.allowRemote === true, name, option)
  if (opts.log === '-' && output.json)
    throw new OigError('USAGE', `Failed to run ${name}: --log - and --json both need stdout.`, {
      hint: 'Pass --log with a file name.',
    })
  const outputs = [
    ...(opts.log === undefined || opts.log === '-' ? [] : [[opts.log, '--log'] as const]),
  ]
  for (const [file, option] of [...outputs, ...(spec.outputs ?? [])]) checkOutputFile(file, option)
  const contract = readContract(opts.contract)
  const log = opts.log ? openEventLog(opts.log, ctx.streams.stdout, (m) => output.error(m)) : null
  let server: Served<S>
  try {
    const controlPort = opts.control ? opts.controlPort : null
    // On a terminal, a line per frame too (withLiveFrames).
    const sink = withLiveFrames(log, output)
    server = await spec.start({ contract, log: sink, output, controlGuard, controlPort })
  } catch (error) {
    await log?.close()
    throw error
  }
  const control = server.controlPort === null ? 'off' : `${opts.controlHost}:${server.controlPort}`
  // Always printed (even under --quiet): with port 0 it is the only way to learn the ports.
  ctx.streams.stderr.write(
    `listening ${spec.target} ${opts.listen.host}:${server.port} control ${control}\n`,
  )
  output.info(`${spec.describe(contract)}; stop with Ctrl-C or SIGTERM`)
  const signal = await onStopSignal()
  output.info(`${signal}: shutting down`)
  await server.close(signal, STOP_GRACE_MS)
  await (log ?? NO_EVENT_LOG).close()
  const doc = {
    kind: 'serve' as const,
    schemaVersion: 1 as const,
    ...server.state(),
    contractFile: opts.contract,
    stoppedBy: signal,
    stoppedAt: new Date().toISOString(),
  }
  output.result(doc, spec.render)
  ctx.setExitCode(signal === 'SIGTERM' ? SIGNAL_EXIT_CODES.SIGTERM : SIGNAL_EXIT_CODES.SIGINT)
}
