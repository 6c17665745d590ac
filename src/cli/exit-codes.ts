/** Exit codes of every oigctl command (README "Exit codes"). Only bin/ sets process.exitCode. */
export const ExitCode = {
  /** The command ran and found nothing to report. */
  Ok: 0,
  /** The command ran and has findings: integrity errors, mismatches, an invalid contract, KEEP. */
  Findings: 1,
  /** The command could not run: usage error, missing or corrupt input, unwritable output. */
  CouldNotRun: 2,
} as const

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]
