/** commander wiring: global options, one sub-command per file, errors to exit codes. */
import { Command, CommanderError } from 'commander'
import { OigError } from '../errors.js'
import { fsErrorCode, fsReason } from '../evidence/fs-reason.js'
import { installInterruptHandlers } from '../evidence/interrupt-cleanup.js'
import { beginOutputRun, commitOutputRun, rollbackOutputRun } from '../evidence/output-run.js'
import { OIGCTL_VERSION } from '../version.js'
import { CommandContext } from './context.js'
import { ExitCode } from './exit-codes.js'
import { registerContract } from './commands/contract.js'
import { registerPipeline } from './commands/pipeline.js'
import { registerExtract } from './commands/extract.js'
import { registerGate } from './commands/gate.js'
import { registerServe } from './commands/serve.js'
import { addServeProxy } from './commands/serve-proxy.js'
import { registerReplay } from './commands/replay.js'
import { registerSimulate } from './commands/simulate.js'
import { registerSoak } from './commands/soak.js'
import { registerShow } from './commands/show.js'
import { registerReport } from './commands/report.js'
import type { OutputStreams } from './output.js'

function buildProgram(ctx: CommandContext): Command {
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
  registerExtract(program, ctx)
  registerSimulate(program, ctx)
  registerContract(program, ctx)
  registerPipeline(program, ctx)
  registerReplay(program, ctx)
  registerGate(program, ctx)
  registerSoak(program, ctx)
  registerShow(program, ctx)
  registerReport(program, ctx)
  addServeProxy(registerServe(program, ctx), ctx)
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)]
  for (const sub of all(program)) sub.exitOverride()
  return program
}

/** Runs oigctl with `argv` (as process.argv) and returns the exit code; never throws. */
export async function run(
  argv: readonly string[],
  streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr },
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  const ctx = new CommandContext(streams, env)
  const program = buildProgram(ctx)
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
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return ExitCode.Ok
      }
      return ExitCode.CouldNotRun
    }
    const write = (s: string): void => {
      if (ctx.output) ctx.output.error(s)
      else streams.stderr.write(`${s}\n`)
    }
    if (error instanceof OigError) {
      write(error.message)
      if (error.hint) write(`Hint: ${error.hint}`)
      if (debug && error.cause instanceof Error && error.cause.stack) write(error.cause.stack)
      return ExitCode.CouldNotRun
    }
    // An OS error that escaped as is (disk full, read-only, …) is still no internal error.
    if (fsErrorCode(error) !== null) {
      const file = (error as { path?: unknown }).path
      write(
        `Failed to run oigctl: ${typeof file === 'string' ? `${file}: ` : ''}${fsReason(error)}.`,
      )
      write('Hint: Check the paths given (they must be readable inputs and writable outputs).')
      return ExitCode.CouldNotRun
    }
    const message = error instanceof Error ? error.message : String(error)
    write(`Failed to run oigctl: internal error: ${message}`)
    if (debug && error instanceof Error && error.stack) write(error.stack)
    else write('Hint: run again with --debug for the stack trace, and report it.')
    return ExitCode.CouldNotRun
  } finally {
    uninstall()
  }
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
