/**
 * Timeouts counted in the time this process was running. While the event loop is stalled (CPU
 * starvation on a loaded machine, a long GC pause) no socket is read: a reply already waiting in
 * the kernel, or a peer in this same process that could not run either, would be blamed for the
 * stall. So a stall (a tick of the loop later than TICK_MS + STALL_SLACK_MS) does not count toward
 * the deadline; a loop that keeps running — a peer that really is slow or silent — reaches it on
 * time. Every timer that uses this clock (the proxy's upstream wait, the soak's slow replies)
 * sees the same stalls, so their order does not depend on machine load.
 */

/** How often the loop is sampled while a running timeout is armed (ms). */
const TICK_MS = 5
/** Lateness of a tick up to this (ms) is ordinary timer jitter and counts as running time. */
const STALL_SLACK_MS = 5

let stalledMs = 0
let lastTick = 0
let ticker: NodeJS.Timeout | null = null
let armed = 0

/** The stall in progress: how much the current gap since the last tick exceeds a tick. */
const excess = (now: number): number =>
  ticker === null ? 0 : Math.max(0, now - lastTick - TICK_MS - STALL_SLACK_MS)

function tick(): void {
  const now = performance.now()
  stalledMs += excess(now)
  lastTick = now
}

/** Milliseconds of running time since an arbitrary origin (monotonic). */
export function runningNow(): number {
  const now = performance.now()
  return now - stalledMs - excess(now)
}

export interface RunningTimeout {
  /** Stops the timeout (a no-op once it fired). */
  cancel(): void
}

/** Calls `fn` once `ms` of running time have passed (see the module comment). */
export function runningTimeout(fn: () => void, ms: number): RunningTimeout {
  if (armed++ === 0) {
    lastTick = performance.now()
    ticker = setInterval(tick, TICK_MS)
    ticker.unref()
  }
  const due = runningNow() + ms
  let done = false
  const release = (): void => {
    if (done) return
    done = true
    if (--armed === 0) {
      tick()
      clearInterval(ticker!)
      ticker = null
    }
  }
  const check = (): void => {
    const left = due - runningNow()
    if (left > 0) {
      // The loop stalled while waiting: give the I/O that piled up the time it lost.
      timer = setTimeout(check, left)
      return
    }
    release()
    fn()
  }
  let timer = setTimeout(check, ms)
  return {
    cancel() {
      clearTimeout(timer)
      release()
    },
  }
}
