/** Exit codes of every oigctl command (README "Exit codes"). Only bin/ sets process.exitCode. */
export const ExitCode = {
  /** The command ran and found nothing to report. */
  Ok: 0,
  /** The command ran and has findings: integrity errors, mismatches, an invalid contract, KEEP. */
  Findings: 1,
  /** The command could not run: usage error, missing or corrupt input, unwritable output. */
  CouldNotRun: 2,
  /** Stopped by SIGINT (Ctrl-C): partial output removed (128 + 2). */
  Interrupted: 130,
  /** Stdout was closed by its reader (`| head`): output cut short, work done (128 + 13, SIGPIPE). */
  StdoutClosed: 141,
  /** Stopped by SIGTERM: partial output removed (128 + 15). */
  Terminated: 143,
} as const

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]
