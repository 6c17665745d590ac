/** What every `oigctl serve …` command shares: option pieces, the loopback guard, stop signals. */
import type { Command } from 'commander'
import { z } from 'zod'
import { REPLY_MODES, type ReplyMode, type ReplyPolicyOptions } from '../contract/reply-policy.js'
import type { BoxClass } from '../protocol/frame-class.js'
import { OigError } from '../errors.js'
import { onStopSignal, SIGNAL_EXIT_CODES } from '../evidence/interrupt-cleanup.js'
import { isLoopbackHost } from '../targets/listen.js'
import { SHIPPED_CONTRACT } from '../shipped.js'
import { MAX_FRAME_BYTES } from '../protocol/frame-splitter.js'
import {
  formatEndpoint,
  parseEndpoint,
  type Endpoint,
  type EndpointUse,
} from '../targets/endpoint.js'

/** The shipped contract (src/shipped.ts), the default `--contract`. */
export const DEFAULT_CONTRACT_FILE = SHIPPED_CONTRACT

export const PortSchema = z.coerce
  .number()
  .int('expected a whole port number')
  .min(0, 'expected 0 … 65535')
  .max(65535, 'expected 0 … 65535')

/** The defaults both servers share, declared once (help shows them from here too). */
export const SERVE_DEFAULTS = {
  listen: { host: '127.0.0.1', port: 5710 },
  controlHost: '127.0.0.1',
  controlPort: 5711,
  idleTimeoutS: 600,
  maxConnections: 1000,
  maxFrameBytes: MAX_FRAME_BYTES,
} as const

/**
 * The options both servers take, declared once: where to listen (`--listen`; the mock's old
 * `--host` / `--port` stay as hidden aliases), the control API, the contract, the event log and
 * the connection limits.
 */
export function addServeOptions(c: Command): Command {
  return c
    .option(
      '--listen <host:port>',
      'address for BOX connections: HOST:PORT, [IPv6]:PORT or tcp://HOST:PORT (port 0 = a free port)',
      formatEndpoint(SERVE_DEFAULTS.listen),
    )
    .option('--control-host <host>', 'address of the HTTP control API', SERVE_DEFAULTS.controlHost)
    .option(
      '--control-port <port>',
      'HTTP control API port (0 = a free port)',
      String(SERVE_DEFAULTS.controlPort),
    )
    .option('--no-control', 'no HTTP control API')
    .option('--control-token <token>', CONTROL_TOKEN_HELP)
    .option('--contract <file>', 'contract the replies follow', DEFAULT_CONTRACT_FILE)
    .option('--log <file>', 'JSON-lines event log of every frame in and out (- = stdout)')
    .option(
      '--idle-timeout-s <s>',
      'close a BOX connection silent this long (0 = never)',
      String(SERVE_DEFAULTS.idleTimeoutS),
    )
    .option(
      '--max-connections <n>',
      'refuse BOX connections beyond this many',
      String(SERVE_DEFAULTS.maxConnections),
    )
    .option(
      '--max-frame-bytes <n>',
      'close a connection sending a larger frame',
      String(SERVE_DEFAULTS.maxFrameBytes),
    )
}

/** `--idle-timeout-s`, the same on both servers: seconds of silence, 0 = never. */
export const IdleTimeoutSchema = z.coerce
  .number()
  .nonnegative()
  .default(SERVE_DEFAULTS.idleTimeoutS)

/** `--max-frame-bytes`: one default everywhere (the splitter's). */
export const MaxFrameBytesSchema = z.coerce
  .number()
  .int()
  .min(1024)
  .max(1_048_576)
  .default(SERVE_DEFAULTS.maxFrameBytes)

/** `--listen` / `--upstream`: the one endpoint parser (HOST:PORT, [v6]:PORT, tcp://HOST:PORT). */
export function endpointSchema(use: EndpointUse): z.ZodType<Endpoint, string> {
  return z.string().transform((s, ctx) => {
    const e = parseEndpoint(s, use)
    if (typeof e !== 'string') return e
    ctx.addIssue({ code: 'custom', message: e })
    return z.NEVER
  })
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

export const CONTROL_TOKEN_HELP =
  'bearer token the HTTP control API requires (or env OIGCTL_CONTROL_TOKEN); needed with a non-loopback --control-host'

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

/**
 * Runs until SIGINT/SIGTERM, then closes the server (peers get STOP_GRACE_MS) and its event log
 * (in that order) and returns how it stopped, for the `kind: "serve"` document both serve
 * commands print, with the exit code of that signal (130 or 143).
 */
export async function serveUntilStopped(
  info: (text: string) => void,
  close: (reason: string, graceMs: number) => Promise<void>,
  log: { close(): Promise<void> },
): Promise<{ stoppedBy: NodeJS.Signals; stoppedAt: string; exitCode: 130 | 143 }> {
  const signal = await onStopSignal()
  info(`${signal}: shutting down`)
  await close(signal, STOP_GRACE_MS)
  await log.close()
  const exitCode = signal === 'SIGTERM' ? SIGNAL_EXIT_CODES.SIGTERM : SIGNAL_EXIT_CODES.SIGINT
  return { stoppedBy: signal, stoppedAt: new Date().toISOString(), exitCode }
}

const POLL_NAMES = new Map<string, BoxClass>([
  ['isnewset', 'box.poll.isnewset'],
  ['isnewfw', 'box.poll.isnewfw'],
  ['isnewweather', 'box.poll.isnewweather'],
])

/** `--setting-polls isnewset,isnewfw`: the polls a queued Setting may be delivered on. */
export const SettingPollsSchema = z
  .string()
  .transform((s) => s.split(',').map((p) => p.trim().toLowerCase()))
  .pipe(z.array(z.enum(['isnewset', 'isnewfw', 'isnewweather'])).min(1))
  .transform((names) => names.map((n) => POLL_NAMES.get(n)!))
  .optional()

export const SETTING_POLLS_HELP =
  'polls a queued Setting may be delivered on, e.g. isnewset,isnewfw,isnewweather (default: the polls the contract shows carrying one — IsNewSet and IsNewFW in the shipped contract; IsNewWeather only when listed, since no captured frame or pair shows a Setting on it)'

/** `--replies dominant|sampled` and `--seed N`. */
export const ReplyModeSchema = z
  .enum(REPLY_MODES, 'expected dominant or sampled')
  .default('dominant')
export const SeedSchema = z.coerce
  .number()
  .int('--seed must be a whole number')
  .min(0, '--seed must be 0 or more')
  .default(1)

/** Adds --replies and --seed (the reply mix of a contract-driven target). */
export function addReplyModeOptions(cmd: Command): Command {
  return cmd
    .option(
      '--replies <mode>',
      "dominant: the contract's most frequent reply; sampled: each reply drawn from the contract's shares for that request and context",
      'dominant',
    )
    .option('--seed <n>', 'seed of --replies sampled (the same seed gives the same replies)', '1')
}

/** The reply policy options from parsed --replies / --seed. */
export function replyPolicyOptions(o: { replies: ReplyMode; seed: number }): ReplyPolicyOptions {
  return { mode: o.replies, seed: o.seed }
}
