/** The one error class for "could not run": a code, a message, and a hint for the user. */
export class OigError extends Error {
  readonly code: string
  readonly hint: string | undefined

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'OigError'
    this.code = code
    this.hint = options.hint
  }
}

/** Extracts a short reason from any thrown value (no stack). */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}
