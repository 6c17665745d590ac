/**
 * Progress as the domain reports it: how much of how much is done. Pure data; the CLI's output
 * layer turns it into a redrawn line on a terminal or a plain log line every few seconds.
 */
export interface ProgressTick {
  /** What runs, e.g. `extract` or `compare`: the line's label, and the ETA is reckoned per task. */
  readonly task: string
  readonly done: number
  /** null while the total is not known. */
  readonly total: number | null
  /** What is counted: `rows`, `frames`, `replays`, `s simulated`. */
  readonly unit: string
  /** What is being worked on now (a file, a session, a state). */
  readonly detail?: string
}

export type OnProgress = (tick: ProgressTick) => void

/**
 * A counter towards `total` that reports each step to `onProgress` (and 0 at once, the ETA's
 * start): `step()` adds one, `step(n, detail)` adds n and names what is worked on.
 */
export function progressCounter(
  task: string,
  total: number,
  unit: string,
  onProgress: OnProgress | undefined,
): (by?: number, detail?: string) => void {
  let done = 0
  onProgress?.({ task, done, total, unit })
  return (by = 1, detail) => {
    done += by
    onProgress?.({ task, done, total, unit, ...(detail === undefined ? {} : { detail }) })
  }
}

/**
 * One progress for `parts` (`what` they are) that run side by side: `part(name)` is the callback of one part; once
 * every part has reported, each tick reports the sum of their latest counts and of their totals.
 */
export function progressOfParts(
  task: string,
  parts: number,
  what: string,
  onProgress: OnProgress | undefined,
): (name: string) => OnProgress {
  const latest = new Map<string, ProgressTick>()
  const detail = `${parts} ${what} side by side`
  return (name) => (tick) => {
    latest.set(name, tick)
    if (latest.size < parts) return
    let done = 0
    let total: number | null = 0
    for (const t of latest.values()) {
      done += t.done
      total = total === null || t.total === null ? null : total + t.total
    }
    onProgress?.({ task, done, total, unit: tick.unit, detail })
  }
}
