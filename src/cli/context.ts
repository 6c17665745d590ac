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

  setExitCode(code: ExitCode): void {
    this.exitCode = code
  }
}
