/**
 * Option builders: every option that recurs (addresses, the contract, output paths, numbers,
 * choices, durations, seeds) is declared here once, with its default and help label, and parses
 * its own value. A bad value is an OptionValueError, which main turns into a usage error (exit 2)
 * naming the command; zod keeps only the checks that span several options (`parseOptions`).
 */
import { Option, type Command } from 'commander'
import type { z } from 'zod'
import { OigError } from '../errors.js'
import { SHIPPED_CONTRACT } from '../shipped.js'
import { parseEndpoint, type Endpoint, type EndpointUse } from '../targets/endpoint.js'
import { expandGlob } from './glob.js'

/** A value that does not fit its option; main reports it as `Failed to run CMD: <message>.` */
export class OptionValueError extends Error {}

const got = (text: string): string => ` (got ${JSON.stringify(text)})`

/** Checks that span several options; a failure is a usage error (exit 2). Returns `raw`. */
export function parseOptions<T>(schema: z.ZodType, raw: T, command: string): T {
  const parsed = schema.safeParse(raw)
  if (parsed.success) return raw
  const issue = parsed.error.issues[0]
  const key = issue?.path.length ? String(issue.path[0]) : null
  const name = key ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : 'options'
  throw new OigError(
    'USAGE',
    `Failed to run ${command}: invalid ${name}: ${issue?.message ?? 'invalid value'}.`,
    { hint: `Run oigctl ${command} --help for the options.` },
  )
}

/** What a number option accepts: whole numbers only, and its bounds. */
export interface NumberRule {
  readonly int?: boolean
  readonly min?: number
  readonly above?: number
  readonly max?: number
}

export function parseNumber(name: string, text: string, rule: NumberRule): number {
  const n = text.trim() === '' ? NaN : Number(text)
  const fail = (what: string): never => {
    throw new OptionValueError(`${name} must be ${what}${got(text)}`)
  }
  if (!Number.isFinite(n)) fail(rule.int ? 'a whole number' : 'a number')
  if (rule.int && !Number.isInteger(n)) fail('a whole number')
  if (rule.above !== undefined && !(n > rule.above)) fail(`a number above ${rule.above}`)
  if (rule.min !== undefined && n < rule.min) fail(`a number of at least ${rule.min}`)
  if (rule.max !== undefined && n > rule.max) fail(`a number of at most ${rule.max}`)
  return n
}

/** An option that carries its own parser (it needs its long name for the message). */
function parsed<T>(flags: string, description: string, parse: (name: string, v: string) => T) {
  const option = new Option(flags, description)
  return option.argParser((v: string) => parse(option.long ?? flags, v))
}

export function numberOption(flags: string, description: string, rule: NumberRule, dflt?: number) {
  const option = parsed(flags, description, (name, v) => parseNumber(name, v, rule))
  return dflt === undefined ? option : option.default(dflt)
}

/** `.choices()` for help, with oigctl's own message for a value outside them. */
export function choiceOption(
  flags: string,
  description: string,
  choices: readonly string[],
  dflt?: string,
): Option {
  const option = new Option(flags, description).choices(choices)
  option.argParser((v: string) => {
    if (choices.includes(v)) return v
    throw new OptionValueError(
      `invalid ${option.long}: expected one of ${choices.join(', ')}${got(v)}`,
    )
  })
  return dflt === undefined ? option : option.default(dflt)
}

const UNIT_MS = new Map([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
])

/** `250ms`, `30s`, `10m`, `1.5h`, `7d` (and a bare `0`) → milliseconds; one message for all. */
export function parseDuration(name: string, text: string, allowZero: boolean): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim())
  const ms = text.trim() === '0' ? 0 : m ? Math.round(Number(m[1]) * UNIT_MS.get(m[2]!)!) : NaN
  if (Number.isNaN(ms))
    throw new OptionValueError(
      `${name} must be a duration with a unit, e.g. 250ms, 30s, 10m or 1h${got(text)}`,
    )
  if (ms === 0 && !allowZero)
    throw new OptionValueError(`${name} must be longer than 0${got(text)}`)
  return ms
}

/** A duration as help shows it: the largest unit that divides it (`5s`, `10m`, `0`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0'
  const units = [...UNIT_MS].reverse()
  const [unit, size] = units.find(([, size]) => ms % size === 0) ?? ['ms', 1]
  return `${ms / size}${unit}`
}

/** A duration option; its value is milliseconds. `zero`: 0 is allowed (e.g. "0 = never"). */
export class DurationOption extends Option {
  constructor(
    flags: string,
    description: string,
    dfltMs?: number,
    readonly zero = false,
  ) {
    super(flags, description)
    this.argParser((v: string) => parseDuration(this.long ?? flags, v, zero))
    if (dfltMs !== undefined) this.default(dfltMs, formatDuration(dfltMs))
  }
}

/**
 * A hidden old spelling of `target`: its value goes into `target`'s key, parsed by `toTarget`
 * (by default `target`'s own parser). Wired up by installAliases (main, for every command).
 */
export class AliasOption extends Option {
  constructor(
    flags: string,
    readonly target: Option,
    readonly toTarget: (name: string, raw: string, current: unknown) => unknown = (_n, raw, c) =>
      target.parseArg ? target.parseArg(raw, c) : raw,
  ) {
    super(flags, `alias of ${target.long ?? target.flags}`)
    this.hideHelp()
  }
}

/** An old duration spelling in a fixed unit (`--reply-timeout-ms 5000`): a plain number. */
export function durationAlias(flags: string, target: DurationOption, unit: 'ms' | 's' | 'm' | 'd') {
  const rule = target.zero ? { min: 0 } : { above: 0 }
  const factor = UNIT_MS.get(unit)!
  return new AliasOption(flags, target, (name, raw) =>
    Math.round(parseNumber(name, raw, rule) * factor),
  )
}

/** Makes every AliasOption of `cmd` set its target's value (in the order given). */
export function installAliases(cmd: Command): void {
  for (const option of cmd.options) {
    if (!(option instanceof AliasOption)) continue
    const key = option.target.attributeName()
    cmd.on(`option:${option.name()}`, (raw: string) => {
      const value = option.toTarget(option.long ?? option.flags, raw, cmd.getOptionValue(key))
      cmd.setOptionValueWithSource(key, value, 'cli')
    })
  }
}

/** Commander collector for repeatable options (`--db a --db b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/** `--session FILE` (repeatable); the old `--session-file` is a hidden alias. */
/** What `--session` takes where captures are read as rows (extract, contract derive/validate). */
export const SESSION_INPUT_HELP =
  "the add-on's session export JSON, an extract pack (<pack>.sessions.json, or <pack>#<ref> for one session) or a version 1 fixture; repeatable"

export function sessionOptions(description: string): Option[] {
  const session = new Option('--session <file>', description).argParser(collect)
  return [session, new AliasOption('--session-file <file>', session)]
}

/** `--db FILE…`: repeatable, variadic (`--db a.db b.db`) and globs (`--db 'captures/*.db'`). */
export function dbOption(description: string): Option {
  return new Option('--db <files...>', description).argParser(
    (value: string, previous?: string[]) => [...(previous ?? []), ...expandGlob(value, '--db')],
  )
}

/** An endpoint (`HOST:PORT`, `[v6]:PORT`, `tcp://HOST:PORT`) through the one parser. */
export function endpointOption(flags: string, description: string, use: EndpointUse) {
  return parsed(flags, description, (name, v): Endpoint => {
    const e = parseEndpoint(v, use)
    if (typeof e !== 'string') return e
    throw new OptionValueError(`invalid ${name}: ${e}`)
  })
}

/** `--contract FILE`, by default the shipped contract. */
export function contractOption(description: string): Option {
  return new Option('--contract <file>', description).default(SHIPPED_CONTRACT)
}

/** `--out DIR`, the evidence folder (default `evidence`). */
export function outDirOption(description = 'evidence folder', dflt = 'evidence'): Option {
  return new Option('--out <dir>', description).default(dflt)
}

/** `--out FILE`: a file to write (written through a temp file and renamed). */
export function outFileOption(description: string, dflt?: string): Option {
  const option = new Option('--out <file>', description)
  return dflt === undefined ? option.makeOptionMandatory() : option.default(dflt)
}

/** `--seed N`: a whole number of at least 0 (the same seed gives the same result). */
export function seedOption(description: string): Option {
  return numberOption('--seed <n>', description, { int: true, min: 0 }, 1)
}

/** `--jobs N`: how many at once, a whole number above 0 (each command states its own default). */
export function jobsOption(description: string): Option {
  return numberOption('--jobs <n>', description, { int: true, above: 0 })
}

/** `--session-gap DURATION` (old spelling `--session-gap-s S`): silence that ends a session. */
export function sessionGapOptions(dfltMs: number): Option[] {
  const gap = new DurationOption(
    '--session-gap <duration>',
    'silence that ends a session when conn_id cannot tell',
    dfltMs,
  )
  return [gap, durationAlias('--session-gap-s <s>', gap, 's')]
}

/** Adds options to a command, in order (for builders that return several). */
export function addOptions(cmd: Command, ...options: Array<Option | Option[]>): Command {
  for (const o of options.flat()) cmd.addOption(o)
  return cmd
}

/** `--pairs FILE` (repeatable): the upstream pairing engine's request → reply pairs. */
export function pairsOption(description: string): Option {
  return new Option('--pairs <file>', `${description}; repeatable`).argParser(collect)
}

/** `--reply-timeout DURATION` (old spelling `--reply-timeout-ms MS`), default 5s. */
export function replyTimeoutOptions(description: string): Option[] {
  const timeout = new DurationOption('--reply-timeout <duration>', description, 5000)
  return [timeout, durationAlias('--reply-timeout-ms <ms>', timeout, 'ms')]
}

/** The hybrid proxy's switch: `--fail-threshold N` and `--retry-interval DURATION` (old `-s`). */
export function hybridOptions(retry: string): Option[] {
  const interval = new DurationOption('--retry-interval <duration>', retry, 60_000)
  return [
    numberOption(
      '--fail-threshold <n>',
      'consecutive failures that switch hybrid to offline',
      { int: true, min: 1 },
      3,
    ),
    interval,
    durationAlias('--retry-interval-s <s>', interval, 's'),
  ]
}
