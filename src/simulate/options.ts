/** Options of the synthetic capture model and their validation. Pure. */

/** Default first session start: a fixed instant, so that a seed alone fixes the output. */
export const DEFAULT_SYNTHETIC_START = '2026-01-05T00:00:00Z'

/** The synthetic BOX id, in `device_id` and in every frame's `ID_Device`. */
export const SYNTHETIC_DEVICE_ID = '0000000001'

const DEFAULT_SETTINGS_PER_DAY = 3

export interface SyntheticOptions {
  /** Seed of the PRNG: the same seed and options give the same rows. */
  readonly seed: number
  /** First session start: an ISO-8601 instant with a zone (`Z` or ±hh:mm) or a `YYYY-MM-DD` (UTC). */
  readonly start?: string | undefined
  /** Stop after this many days of simulated time (default 1 when no stop is given). */
  readonly days?: number | undefined
  /** Stop after this many connections. */
  readonly sessions?: number | undefined
  /** Stop after exactly this many rows (the last connection is cut). */
  readonly rows?: number | undefined
  /** Mean number of user setting changes per day, delivered as setting handshakes (default 3). */
  readonly settingsPerDay?: number | undefined
  /** Ten-digit synthetic device id (default 0000000001). */
  readonly deviceId?: string | undefined
  /**
   * 2025-style long connections: consecutive batches share one BOX connection (one `conn_id`)
   * until it is this many minutes old (PROTOCOL.md §3). Default: one connection per batch (2026).
   */
  readonly connectionMinutes?: number | undefined
}

export type SyntheticStop =
  | { readonly kind: 'days'; readonly value: number }
  | { readonly kind: 'sessions'; readonly value: number }
  | { readonly kind: 'rows'; readonly value: number }

export interface ResolvedSyntheticOptions {
  readonly seed: number
  readonly startMs: number
  readonly stop: SyntheticStop
  readonly settingsPerDay: number
  readonly deviceId: string
  /** Connection lifetime in minutes; null: one connection per batch. */
  readonly connectionMinutes: number | null
}

/** Invalid simulator options (a usage error); the message is a short reason without a final period. */
export class SyntheticOptionsError extends RangeError {
  override readonly name = 'SyntheticOptionsError'
}

const START_RE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/

function parseStart(start: string | undefined): number {
  const text = start ?? DEFAULT_SYNTHETIC_START
  // A time without a zone would be read in the host's zone: not deterministic, so refused.
  const ms = START_RE.test(text) ? Date.parse(text) : NaN
  if (!Number.isFinite(ms)) {
    throw new SyntheticOptionsError(
      `invalid start "${text}": expected an ISO-8601 instant with a zone, e.g. 2026-01-05T00:00:00Z`,
    )
  }
  return ms
}

function resolveStop(opts: SyntheticOptions): SyntheticStop {
  const given = (['days', 'sessions', 'rows'] as const).filter((k) => opts[k] !== undefined)
  if (given.length > 1) {
    throw new SyntheticOptionsError(
      `give only one of days, sessions, rows (got ${given.join(', ')})`,
    )
  }
  const kind = given[0] ?? 'days'
  const value = opts[kind] ?? 1
  if (kind === 'days') {
    if (!Number.isFinite(value) || value <= 0) {
      throw new SyntheticOptionsError(`invalid days ${value}: expected a positive number`)
    }
  } else if (!Number.isSafeInteger(value) || value < 1) {
    throw new SyntheticOptionsError(`invalid ${kind} ${value}: expected a positive integer`)
  }
  return { kind, value }
}

/** Validates options and fills in defaults; throws SyntheticOptionsError with a clear message. */
export function resolveSyntheticOptions(opts: SyntheticOptions): ResolvedSyntheticOptions {
  if (!Number.isSafeInteger(opts.seed)) {
    throw new SyntheticOptionsError(`invalid seed ${opts.seed}: expected an integer`)
  }
  const settingsPerDay = opts.settingsPerDay ?? DEFAULT_SETTINGS_PER_DAY
  if (!Number.isFinite(settingsPerDay) || settingsPerDay < 0) {
    throw new SyntheticOptionsError(
      `invalid settingsPerDay ${settingsPerDay}: expected a number >= 0`,
    )
  }
  const deviceId = opts.deviceId ?? SYNTHETIC_DEVICE_ID
  if (!/^\d{10}$/.test(deviceId)) {
    throw new SyntheticOptionsError(`invalid deviceId "${deviceId}": expected ten digits`)
  }
  const connectionMinutes = opts.connectionMinutes ?? null
  if (
    connectionMinutes !== null &&
    !(Number.isFinite(connectionMinutes) && connectionMinutes > 0)
  ) {
    throw new SyntheticOptionsError(
      `invalid connectionMinutes ${connectionMinutes}: expected a positive number`,
    )
  }
  return {
    seed: opts.seed,
    startMs: parseStart(opts.start),
    stop: resolveStop(opts),
    settingsPerDay,
    deviceId,
    connectionMinutes,
  }
}
