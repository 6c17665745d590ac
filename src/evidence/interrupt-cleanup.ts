/**
 * Stopping on SIGINT/SIGTERM. While a command runs (main installs the handlers), a signal runs
 * every registered cleanup synchronously — staging folders, temp files and the output run's
 * rollback — and exits 130 (SIGINT) or 143 (SIGTERM) at once. A server instead asks to be told
 * (`onStopSignal`) and shuts down gracefully; a second signal then stops it the hard way.
 */
const cleanups = new Set<() => void>()
let graceful: ((signal: NodeJS.Signals) => void) | null = null
let installed = 0

/** 128 + the signal number, as a shell reports a process stopped by it. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const

function runCleanups(): void {
  for (const fn of [...cleanups].reverse()) {
    try {
      fn()
    } catch {
      // best effort: the other cleanups still run
    }
  }
  cleanups.clear()
}

function onSignal(signal: NodeJS.Signals): void {
  if (graceful) {
    const stop = graceful
    graceful = null
    stop(signal)
    return
  }
  runCleanups()
  process.stderr.write(`\nInterrupted (${signal}): stopped; partial output removed.\n`)
  process.exit(signal === 'SIGTERM' ? SIGNAL_EXIT_CODES.SIGTERM : SIGNAL_EXIT_CODES.SIGINT)
}

/** Handles SIGINT/SIGTERM until the returned function is called (main, around each command). */
export function installInterruptHandlers(): () => void {
  if (installed++ === 0) {
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  }
  return () => {
    if (--installed === 0) {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}

/** Registers a synchronous cleanup run on interrupt; returns the function that unregisters it. */
export function registerCleanup(fn: () => void): () => void {
  cleanups.add(fn)
  return () => {
    cleanups.delete(fn)
  }
}

/**
 * Resolves with the next SIGINT or SIGTERM instead of exiting (a server's graceful stop). Works
 * with or without main's handlers; a second signal then exits through the cleanups.
 */
export function onStopSignal(): Promise<NodeJS.Signals> {
  const uninstall = installInterruptHandlers()
  return new Promise((resolve) => {
    graceful = (signal) => {
      resolve(signal)
      // Keep handling: a second signal exits at once (main's handlers may stay installed).
      setImmediate(uninstall)
    }
  })
}

/**
 * Yields to the event loop when `budgetMs` passed since the last yield (looked at every `every`
 * calls), so that a long synchronous loop lets signal handlers run. Cheap enough once per row.
 */
export function makeYielder(budgetMs = 50, every = 1024): () => Promise<void> | null {
  let last = Date.now()
  let calls = 0
  return () => {
    if (++calls % every !== 0) return null
    const now = Date.now()
    if (now - last < budgetMs) return null
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        last = Date.now()
        resolve()
      }),
    )
  }
}
