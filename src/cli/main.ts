/** commander wiring: global options, one sub-command per file, errors to exit codes. */
import { Command, CommanderError } from 'commander'
import { OigError } from '../errors.js'
import { fsErrorCode, fsReason } from '../evidence/fs-reason.js'
import { installInterruptHandlers } from '../evidence/interrupt-cleanup.js'
import { beginOutputRun, commitOutputRun, rollbackOutputRun } from '../evidence/output-run.js'
import { OIGCTL_VERSION } from '../version.js'
import { CommandContext } from './context.js'
import { ExitCode } from './exit-codes.js'
import { limitHeapGrowth } from './heap.js'
import { commandPath, configureHelp } from './help.js'
import { installAliases, OptionValueError } from './options.js'
import type { OutputStreams } from './output.js'
import type { ErrorDoc } from '../formats/stdout-docs.js'

type Register = (program: Command, ctx: CommandContext) => Promise<void>

/**
 * The top-level commands in help order, each with what registers it. A command's module (and what
 * it imports: zod schemas, SQLite, servers) is loaded only when it is registered, and a run of one
 * command registers only that one: start-up of `oigctl contract derive` does not load the others.
 */
const COMMANDS: ReadonlyArray<readonly [names: readonly string[], register: Register]> = [
  [['extract'], async (p, c) => (await import('./commands/extract.js')).registerExtract(p, c)],
  [['simulate'], async (p, c) => (await import('./commands/simulate.js')).registerSimulate(p, c)],
  [['contract'], async (p, c) => (await import('./commands/contract.js')).registerContract(p, c)],
  [
    ['pipeline', 'demo'],
    async (p, c) => (await import('./commands/pipeline.js')).registerPipeline(p, c),
  ],
  [['replay'], async (p, c) => (await import('./commands/replay.js')).registerReplay(p, c)],
  [['compare'], async (p, c) => (await import('./commands/compare.js')).registerCompare(p, c)],
  [['gate'], async (p, c) => (await import('./commands/gate.js')).registerGate(p, c)],
  [['soak'], async (p, c) => (await import('./commands/soak.js')).registerSoak(p, c)],
  [['show'], async (p, c) => (await import('./commands/show.js')).registerShow(p, c)],
  [['report'], async (p, c) => (await import('./commands/report.js')).registerReport(p, c)],
  [
    ['serve'],
    async (p, c) => {
      const [serve, proxy] = await Promise.all([
        import('./commands/serve.js'),
        import('./commands/serve-proxy.js'),
      ])
      proxy.addServeProxy(serve.registerServe(p, c), c)
    },
  ],
]

/**
 * The registrars to run for `argv`: the named command's alone, or all of them when no known
 * command is named (help, a typo that commander answers with the list). Global options take no
 * value, so the command is the first word that is not an option.
 */
function registrarsFor(argv: readonly string[]): Register[] {
  const word = argv.slice(2).find((a) => !a.startsWith('-'))
  const named = COMMANDS.find(([names]) => word !== undefined && names.includes(word))
  return named ? [named[1]] : COMMANDS.map(([, register]) => register)
}

async function buildProgram(ctx: CommandContext, argv: readonly string[]): Promise<Command> {
  const program = new Command('oigctl')
    .description(
      'Analyse and test the OIG Power BOX <-> OIG cloud protocol from oig-proxy captures.',
    )
    .version(OIGCTL_VERSION)
    .option(
      '--json',
      'print one JSON document (with schemaVersion and kind) on stdout, nothing else',
    )
    .option('-q, --quiet', 'no progress or info lines on stderr')
    .option('--no-color', 'no colour (also off under NO_COLOR or when stdout is not a terminal)')
    .option('--debug', 'show stack traces of internal errors')
    .showHelpAfterError('Hint: run oigctl --help, or oigctl <command> --help, for the options.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.streams.stdout.write(s),
      writeErr: (s) => ctx.streams.stderr.write(s),
      outputError: (s, write) =>
        write(`Failed to parse the command line: ${s.replace(/^error: /, '')}`),
    })
  for (const register of registrarsFor(argv)) await register(program, ctx)
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)]
  for (const sub of all(program)) {
    sub.exitOverride()
    installAliases(sub)
  }
  configureHelp(program)
  return program
}

/** Runs oigctl with `argv` (as process.argv) and returns the exit code; never throws. */
export async function run(
  argv: readonly string[],
  streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr },
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  limitHeapGrowth()
  const ctx = new CommandContext(streams, env)
  const program = await buildProgram(ctx, argv)
  const debug = argv.includes('--debug')
  if (argv.length <= 2) {
    streams.stderr.write(
      `${program.helpInformation()}\nFailed to run oigctl: no command given.\nHint: run oigctl demo for a first look, or oigctl --help.\n`,
    )
    return ExitCode.CouldNotRun
  }
  const uninstall = installInterruptHandlers()
  const stdoutClosed = watchStdout(streams.stdout)
  beginOutputRun()
  try {
    await program.parseAsync([...argv])
    commitOutputRun()
    return stdoutClosed() ? ExitCode.StdoutClosed : ctx.exitCode
  } catch (error) {
    rollbackOutputRun()
    if (stdoutClosed()) return ExitCode.StdoutClosed
    const failure = describeFailure(asUsage(error, program, argv), debug, argv)
    if (failure === null) return ExitCode.Ok
    if (failure.text.length > 0) {
      const write = (s: string): void => {
        if (ctx.output) ctx.output.error(s)
        else streams.stderr.write(`${s}\n`)
      }
      for (const line of failure.text) write(line)
    }
    // --json: the failure is the one document on stdout (unless a result was already printed).
    if (argv.includes('--json') && ctx.output?.resultWritten !== true) {
      const doc: ErrorDoc = {
        kind: 'error',
        schemaVersion: 1,
        code: failure.code,
        message: failure.message,
        hint: failure.hint,
        exitCode: ExitCode.CouldNotRun,
      }
      streams.stdout.write(`${JSON.stringify(doc, null, 2)}\n`)
    }
    return ExitCode.CouldNotRun
  } finally {
    uninstall()
  }
}

/** A bad option value, as the usage error of the command it was given to. */
function asUsage(error: unknown, program: Command, argv: readonly string[]): unknown {
  if (!(error instanceof OptionValueError)) return error
  let cmd = program
  for (const word of argv.slice(2)) {
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word))
    if (sub) cmd = sub
    else if (!word.startsWith('-')) break
  }
  const name = commandPath(cmd)
  return new OigError('USAGE', `Failed to run ${name}: ${error.message}.`, {
    hint: `Run oigctl ${name} --help for the options.`,
  })
}

interface Failure {
  readonly code: string
  readonly message: string
  readonly hint: string | null
  /** Lines for stderr (commander has printed its own already). */
  readonly text: readonly string[]
}

/** What went wrong, for stderr and the --json error document; null for --help/--version. */
function describeFailure(error: unknown, debug: boolean, argv: readonly string[]): Failure | null {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return null
    // A command group without its sub-command (`oigctl contract`): help on stderr, exit 2.
    if (error.code === 'commander.help') {
      if (error.exitCode === 0) return null
      const group = argv.slice(2).filter((a) => !a.startsWith('-'))
      const message = `Failed to run ${['oigctl', ...group].join(' ')}: no sub-command given.`
      const hint = 'pick one of the sub-commands listed above.'
      return { code: 'USAGE', message, hint, text: [message, `Hint: ${hint}`] }
    }
    return {
      code: 'USAGE',
      message: `Failed to parse the command line: ${error.message.replace(/^error: /, '')}`,
      hint: 'run oigctl --help, or oigctl <command> --help, for the options.',
      text: [],
    }
  }
  if (error instanceof OigError) {
    const text = [error.message]
    if (error.hint) text.push(`Hint: ${error.hint}`)
    if (debug && error.cause instanceof Error && error.cause.stack) text.push(error.cause.stack)
    return { code: error.code, message: error.message, hint: error.hint ?? null, text }
  }
  // An OS error that escaped as is (disk full, read-only, …) is still no internal error.
  if (fsErrorCode(error) !== null) {
    const file = (error as { path?: unknown }).path
    const message = `Failed to run oigctl: ${typeof file === 'string' ? `${file}: ` : ''}${fsReason(error)}.`
    const hint = 'Check the paths given (they must be readable inputs and writable outputs).'
    return { code: 'OS_ERROR', message, hint, text: [message, `Hint: ${hint}`] }
  }
  const reason = error instanceof Error ? error.message : String(error)
  const message = `Failed to run oigctl: internal error: ${reason}`
  const hint = 'run again with --debug for the stack trace, and report it.'
  const text = [message]
  if (debug && error instanceof Error && error.stack) text.push(error.stack)
  else text.push(`Hint: ${hint}`)
  return { code: 'INTERNAL', message, hint, text }
}

/**
 * A reader that closes stdout early (`oigctl … --json | head -c 100`) ends the output quietly:
 * EPIPE is no crash and no finding; the run ends with ExitCode.StdoutClosed (as after SIGPIPE).
 */
function watchStdout(stdout: OutputStreams['stdout']): () => boolean {
  let closed = false
  const onError = (error: NodeJS.ErrnoException): void => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error
    closed = true
    // Arriving after run() returned, the code is set here (the only place besides bin/).
    process.exitCode = ExitCode.StdoutClosed
  }
  if (typeof (stdout as NodeJS.EventEmitter).on === 'function')
    (stdout as NodeJS.EventEmitter).on('error', onError)
  return () => closed
}
