/** What a command gets from main: the output layer and a way to set the exit code. */
import type { Command } from 'commander'
import { ExitCode } from './exit-codes.js'
import { Output, type OutputStreams } from './output.js'

export interface GlobalOptions {
  json?: boolean
  quiet?: boolean
  color?: boolean
  debug?: boolean
}

export class CommandContext {
  exitCode: ExitCode = ExitCode.Ok
  output: Output | null = null

  constructor(
    readonly streams: OutputStreams,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Builds the output layer from the global options of the running command. */
  open(command: Command): Output {
    const g = command.optsWithGlobals<GlobalOptions>()
    this.output = new Output(
      this.streams,
      { json: g.json === true, quiet: g.quiet === true, color: g.color !== false },
      this.env,
    )
    return this.output
  }

  /**
   * A commander action: opens the output layer of the running command (commander passes it
   * last), runs `fn` with the action's own arguments and sets the exit code it returns.
   */
  action<A extends unknown[]>(
    fn: (output: Output, ...args: A) => ExitCode | Promise<ExitCode>,
  ): (...args: [...A, Command]) => Promise<void> {
    return async (...args) => {
      const output = this.open(args[args.length - 1] as Command)
      this.setExitCode(await fn(output, ...(args.slice(0, -1) as A)))
    }
  }

  setExitCode(code: ExitCode): void {
    this.exitCode = code
  }
}
