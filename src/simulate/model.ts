/**
 * The synthetic capture model behind `oigctl simulate`: a deterministic generator of capture rows
 * in the older add-on's `frames` layout (PROTOCOL.md §3, §4, §6). Pure: no I/O, no wall clock.
 */
import { czechOffsetHours } from '../protocol/cz-time.js'
import type { FrameClass } from '../protocol/frame-class.js'
import * as F from './frames.js'
import { resolveSyntheticOptions } from './options.js'
import type { ResolvedSyntheticOptions, SyntheticOptions } from './options.js'
import { createRng, type Rng } from './prng.js'
import { RowSink, type SyntheticRow } from './row-sink.js'
import { FIVE_MINUTE_TABLES, actualFields, drawPlantState, fiveMinuteFields } from './tables.js'
import type { PlantState } from './tables.js'

export type { SyntheticOptions, ResolvedSyntheticOptions, SyntheticStop } from './options.js'
export {
  DEFAULT_SYNTHETIC_START,
  SYNTHETIC_DEVICE_ID,
  SyntheticOptionsError,
  resolveSyntheticOptions,
} from './options.js'
export { SYNTHETIC_PEER } from './row-sink.js'
export type { SyntheticDirection, SyntheticRow } from './row-sink.js'

type Poll = 'IsNewSet' | 'IsNewFW' | 'IsNewWeather'

const POLL_CLASS = {
  IsNewSet: 'box.poll.isnewset',
  IsNewFW: 'box.poll.isnewfw',
  IsNewWeather: 'box.poll.isnewweather',
} as const satisfies Record<Poll, FrameClass>

/**
 * Exponential part of a reply latency in ms, above a 4 ms floor and cut at 50 ms; tuned so that
 * the averages come out near PROTOCOL.md §3 (uploads 10, IsNewSet 17, IsNewWeather 20 ms).
 */
const LATENCY_EXP_MS = { upload: 6, IsNewSet: 15.5, IsNewFW: 15.5, IsNewWeather: 23 } as const
const LATENCY_OUTLIER_P = 0.0005
const GETACTUAL_P = 0.92
const NACK_ONEMORE_P = 0.003
const MERGED_POLL_P = 0.4
const END_VER_P = 0.5
const SETTING_CLOSE_WITH_TIME_P = 0.8
const FIVE_MINUTES_MS = 300_000
const US = 1000
const SECOND_US = 1_000_000

class Simulation {
  private readonly rng: Rng
  private readonly sink: RowSink
  private nextStartUs: number
  private nextRequestUs: number
  private readonly requestMeanUs: number
  private lastSlot = -1
  private readonly boxLagMs: number
  private mode = '0'
  private settingCount = 0
  private lastWeatherMs: number
  private stampSecond = NaN
  private lastStamp: F.BoxStamp = { dt: '', idSet: 0 }
  private connectionOpenedUs = -Infinity

  constructor(private readonly o: ResolvedSyntheticOptions) {
    this.rng = createRng(o.seed)
    this.sink = new RowSink(this.rng, o.deviceId)
    this.nextStartUs = o.startMs * US
    this.lastWeatherMs = o.startMs
    this.boxLagMs = this.rng.int(2500, 5000)
    this.requestMeanUs = o.settingsPerDay > 0 ? (86_400_000 / o.settingsPerDay) * US : Infinity
    this.nextRequestUs = this.nextStartUs + this.rng.exponential(this.requestMeanUs)
  }

  get nextSessionStartUs(): number {
    return this.nextStartUs
  }

  /** Whether the next batch opens a new BOX connection (always, unless connections are long). */
  get opensConnection(): boolean {
    const minutes = this.o.connectionMinutes
    return (
      minutes === null || this.nextStartUs - this.connectionOpenedUs >= minutes * 60 * SECOND_US
    )
  }

  /**
   * Builds the rows of the next batch (PROTOCOL.md §3): on a new BOX connection, or with long
   * connections on the current one while it is younger than `connectionMinutes`.
   */
  session(): SyntheticRow[] {
    const sink = this.sink
    if (this.opensConnection) {
      sink.open()
      this.connectionOpenedUs = this.nextStartUs
    } else sink.continue()
    let t = this.nextStartUs
    const state = drawPlantState(this.rng, this.czechHour(t))
    const requestMs = this.takeDueRequest(t)
    const r = this.rng.next()
    // Polls come IsNewSet about twice as often as IsNewFW / IsNewWeather (PROTOCOL.md §3); a due
    // Setting rides on IsNewSet, IsNewFW, IsNewWeather in the observed 66 : 16 : 2 (§4).
    const poll: Poll =
      requestMs === null
        ? r < 0.5
          ? 'IsNewSet'
          : r < 0.75
            ? 'IsNewFW'
            : 'IsNewWeather'
        : r < 66 / 84
          ? 'IsNewSet'
          : r < 82 / 84
            ? 'IsNewFW'
            : 'IsNewWeather'
    sink.box(this.pollFrame(poll, t, state), poll, t, POLL_CLASS[poll])
    t += this.latencyUs(LATENCY_EXP_MS[poll])
    if (requestMs !== null) t = this.handshake(poll, t, requestMs)
    else this.pollReply(poll, t)
    t += this.gapUs()

    const slot = Math.floor(this.boxMs(t) / FIVE_MINUTES_MS)
    if (slot > this.lastSlot) {
      this.lastSlot = slot
      const stamp = this.stamp(slot * FIVE_MINUTES_MS)
      for (const table of FIVE_MINUTE_TABLES) {
        const fields = fiveMinuteFields(table, this.rng, state)
        // Captured 5-minute uploads carry an ID_Set one or two seconds past their rounded DT.
        const idSet = stamp.idSet + this.rng.int(1, 2)
        const raw = F.boxUpload(table, stamp, this.o.deviceId, fields, sink.ver(), idSet)
        t = this.upload(raw, table, t) + this.gapUs()
      }
    }
    for (let n = this.rng.int(1, 3); n > 0; n--) {
      const stamp = this.stamp(this.boxMs(t))
      const fields = actualFields(this.rng, state)
      const raw = F.boxUpload('tbl_actual', stamp, this.o.deviceId, fields, sink.ver())
      t = this.upload(raw, 'tbl_actual', t) + this.gapUs()
    }
    const endVer = this.rng.chance(END_VER_P) ? sink.ver() : null
    sink.box(F.boxEnd(this.stamp(this.boxMs(t)).dt, endVer), 'END', t, 'box.end', false)
    t += this.latencyUs(LATENCY_EXP_MS.upload)
    sink.cloud(F.CLOUD_ACK, 'END', t, 'cloud.ack')
    this.nextStartUs = t + Math.round(this.rng.float(60, 240) * SECOND_US)
    return sink.rows
  }

  /** PROTOCOL.md §4: Setting as the poll reply, BOX ACK 5–7 s later, END family, tbl_events. */
  private handshake(poll: Poll, replyUs: number, requestMs: number): number {
    const sink = this.sink
    const newValue = this.mode === '0' ? '3' : '0'
    const setting = F.cloudSetting({
      id: 1_000_000 + ++this.settingCount,
      deviceId: this.o.deviceId,
      requestMs,
      newValue,
      tblName: 'tbl_box_prms',
      tblItem: 'MODE',
      sentMs: Math.floor(replyUs / US),
      ver: sink.ver(),
    })
    sink.cloud(setting, poll, replyUs, 'cloud.setting', true)
    // Rdt of the ACK and DT of the event: the BOX time at which the Setting arrived.
    const applied = this.stamp(this.boxMs(replyUs))
    let t = replyUs + Math.round(this.rng.float(5, 7) * SECOND_US)
    sink.box(F.boxSettingAck(applied.dt, sink.ver()), 'ACK', t, 'box.setting-ack', false)
    t += this.latencyUs(LATENCY_EXP_MS.upload)
    if (this.rng.chance(SETTING_CLOSE_WITH_TIME_P)) {
      sink.cloud(F.cloudEndTime(Math.floor(t / US), true), 'ACK', t, 'cloud.end-time-getactual')
    } else {
      sink.cloud(F.CLOUD_END_GETACTUAL, 'ACK', t, 'cloud.end-getactual')
    }
    const content = `Remotely : tbl_box_prms / MODE: [${this.mode}]->[${newValue}]`
    this.mode = newValue
    t += this.gapUs()
    const events = F.boxEvents(this.o.deviceId, applied, 'Setting', content, sink.ver())
    return this.upload(events, 'tbl_events', t, 'box.events')
  }

  private pollFrame(poll: Poll, tUs: number, state: PlantState): string {
    const id = this.o.deviceId
    const sink = this.sink
    if (poll === 'IsNewFW') return F.boxPollIsNewFw(id, sink.ver())
    if (poll === 'IsNewWeather') {
      const frame = F.boxPollIsNewWeather(id, this.lastWeatherMs, sink.ver())
      this.lastWeatherMs = this.boxMs(tUs)
      return frame
    }
    const lat = this.rng.int(500, 3000)
    if (!this.rng.chance(MERGED_POLL_P)) return F.boxPollIsNewSetShort(id, lat, sink.ver())
    const stamp = this.stamp(this.boxMs(tUs))
    return F.boxPollIsNewSetMerged(id, lat, stamp, actualFields(this.rng, state), sink.ver())
  }

  /** Poll replies with nothing pending; a weather reply is never synthesised (§2). */
  private pollReply(poll: Poll, replyUs: number): void {
    const sink = this.sink
    if (poll !== 'IsNewSet') sink.cloud(F.CLOUD_END, poll, replyUs, 'cloud.end')
    else if (this.rng.chance(NACK_ONEMORE_P)) {
      sink.cloud(F.CLOUD_NACK_ONEMORE, poll, replyUs, 'cloud.nack-onemore')
    } else {
      sink.cloud(F.cloudEndTime(Math.floor(replyUs / US), false), poll, replyUs, 'cloud.end-time')
    }
  }

  /** Records an upload at `tUs` and its ACK(+GetActual); returns the reply time. */
  private upload(raw: string, table: string, tUs: number, cls: FrameClass = 'box.upload'): number {
    this.sink.box(raw, table, tUs, cls)
    const replyUs = tUs + this.latencyUs(LATENCY_EXP_MS.upload)
    if (this.rng.chance(GETACTUAL_P)) {
      this.sink.cloud(F.CLOUD_ACK_GETACTUAL, table, replyUs, 'cloud.ack-getactual')
    } else {
      this.sink.cloud(F.CLOUD_ACK, table, replyUs, 'cloud.ack')
    }
    return replyUs
  }

  /** User requests arrive as a Poisson process; one due request is delivered per connection. */
  private takeDueRequest(tUs: number): number | null {
    if (this.nextRequestUs > tUs - SECOND_US) return null
    const requestMs = Math.floor(this.nextRequestUs / US)
    this.nextRequestUs += this.rng.exponential(this.requestMeanUs)
    return requestMs
  }

  private latencyUs(expMeanMs: number): number {
    if (this.rng.chance(LATENCY_OUTLIER_P)) return Math.round(this.rng.float(100, 3000) * US)
    for (;;) {
      const ms = 4 + this.rng.exponential(expMeanMs)
      if (ms <= 50) return Math.round(ms * US)
    }
  }

  /** The BOX waits 3.5–8 s after a reply before its next frame (§3). */
  private gapUs(): number {
    return Math.round(this.rng.float(3.5, 8) * SECOND_US)
  }

  /** The BOX clock (`Rdt`, `DT`) runs a few seconds behind capture time, as in the captures. */
  private boxMs(tUs: number): number {
    return Math.floor(tUs / US) - this.boxLagMs
  }

  /** Czech DT and ID_Set of a BOX instant, memoised: the six 5-minute tables share one. */
  private stamp(ms: number): F.BoxStamp {
    const second = Math.floor(ms / 1000)
    if (second !== this.stampSecond) {
      this.stampSecond = second
      this.lastStamp = F.boxStamp(second * 1000)
    }
    return this.lastStamp
  }

  private czechHour(tUs: number): number {
    const ms = Math.floor(tUs / US)
    return new Date(ms + czechOffsetHours(ms) * 3_600_000).getUTCHours()
  }
}

/**
 * Generates synthetic capture rows in capture order, deterministically for `opts.seed`. Stops after
 * `days` of simulated time, `sessions` connections or exactly `rows` rows (default: 1 day); the
 * rows of a shorter run are a prefix of a longer one. Throws SyntheticOptionsError on bad options.
 */
export function* generateSyntheticRows(opts: SyntheticOptions): Generator<SyntheticRow> {
  const o = resolveSyntheticOptions(opts)
  const sim = new Simulation(o)
  const { kind, value } = o.stop
  const endUs = kind === 'days' ? (o.startMs + value * 86_400_000) * US : Infinity
  let rowsLeft = kind === 'rows' ? value : Infinity
  for (let n = 0; ;) {
    // `sessions` counts BOX connections (each carrying one batch unless connections are long).
    if (sim.opensConnection) n++
    if (kind === 'sessions' && n > value) return
    if (sim.nextSessionStartUs >= endUs) return
    const rows = sim.session()
    if (rows.length >= rowsLeft) {
      // Cut the last connection; an even count ends on a request/reply pair.
      yield* rows.slice(0, rowsLeft)
      return
    }
    rowsLeft -= rows.length
    yield* rows
  }
}
