/**
 * Cleanup of partial output when the user interrupts (SIGINT/SIGTERM): every registered cleanup
 * runs synchronously, then the process exits 130 — no staging folder or temp file stays behind.
 * The signal handlers exist only while something is registered (servers install their own).
 */
const cleanups = new Set<() => void>()

function onSignal(signal: NodeJS.Signals): void {
  for (const fn of [...cleanups]) {
    try {
      fn()
    } catch {
      // best effort: the other cleanups still run
    }
  }
  cleanups.clear()
  process.stderr.write(`\nInterrupted (${signal}): partial output removed.\n`)
  process.exit(130)
}

/** Registers a synchronous cleanup; returns the function that unregisters it. */
export function registerCleanup(fn: () => void): () => void {
  if (cleanups.size === 0) {
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  }
  cleanups.add(fn)
  return () => {
    cleanups.delete(fn)
    if (cleanups.size === 0) {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  }
}
