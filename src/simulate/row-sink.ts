/**
 * Collects the rows of one synthetic connection: capture `ts` formatting, per-frame `ver` values
 * and the add-on's row labelling (PROTOCOL.md §6). Pure.
 */
import type { FrameClass } from '../protocol/frame-class.js'
import type { Rng } from './prng.js'

/** Marks every synthetic row in the `peer` column. */
export const SYNTHETIC_PEER = 'synthetic'

/** The older add-on's direction vocabulary (PROTOCOL.md §6). */
export type SyntheticDirection = 'box_to_proxy' | 'cloud_to_proxy'

/** One row of the `frames` table, in capture order. */
export interface SyntheticRow {
  /** UTC ISO-8601 with microseconds and `+00:00`, like the real files. */
  readonly ts: string
  /** The synthetic device id where the frame carries `ID_Device` (as the add-on records it). */
  readonly deviceId: string | null
  /** The add-on's label: the request's table/poll name, also on the cloud reply (§6). */
  readonly tableName: string
  /** The frame text, ending with CRLF. */
  readonly raw: string
  readonly parsed: '{}'
  readonly direction: SyntheticDirection
  /** One per BOX connection, counting from 1 (a connection carries one or more batches). */
  readonly connId: number
  readonly peer: typeof SYNTHETIC_PEER
  /** Bytes of `raw` including CRLF (frames are ASCII). */
  readonly length: number
  /** The class the model built the frame as; classifyText agrees (checked by the tests). */
  readonly frameClass: FrameClass
}

const PAD2 = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'))

export class RowSink {
  rows: SyntheticRow[] = []
  private connId = 0
  private readonly vers = new Set<string>()
  private lastVer = ''
  private tsDay = NaN
  private tsDayPrefix = ''

  constructor(
    private readonly rng: Rng,
    private readonly deviceId: string,
  ) {}

  /** Starts the rows of the next connection (`conn_id` + 1). */
  open(): void {
    this.rows = []
    this.vers.clear()
    this.connId++
  }

  /** Starts the rows of another batch on the same connection (2025-style long connections). */
  continue(): void {
    this.rows = []
  }

  /** A 5-digit `ver`, different from every other one of the connection and from the last one. */
  ver(): string {
    for (;;) {
      const v = String(100_000 + this.rng.int(0, 99_999)).slice(1)
      if (v !== this.lastVer && !this.vers.has(v)) {
        this.vers.add(v)
        this.lastVer = v
        return v
      }
    }
  }

  /** Records a BOX frame; `device_id` is set when the frame carries `ID_Device`. */
  box(raw: string, table: string, tUs: number, cls: FrameClass, carriesDevice = true): void {
    this.push(raw, table, tUs, 'box_to_proxy', cls, carriesDevice ? this.deviceId : null)
  }

  /** Records a cloud frame, labelled with the table of the request it answers. */
  cloud(raw: string, table: string, tUs: number, cls: FrameClass, carriesDevice = false): void {
    this.push(raw, table, tUs, 'cloud_to_proxy', cls, carriesDevice ? this.deviceId : null)
  }

  private push(
    raw: string,
    tableName: string,
    tUs: number,
    direction: SyntheticDirection,
    frameClass: FrameClass,
    deviceId: string | null,
  ): void {
    this.rows.push({
      ts: this.formatTs(tUs),
      deviceId,
      tableName,
      raw,
      parsed: '{}',
      direction,
      connId: this.connId,
      peer: SYNTHETIC_PEER,
      length: raw.length,
      frameClass,
    })
  }

  /** `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`; the date part is cached per day (hot path). */
  private formatTs(tUs: number): string {
    const second = Math.floor(tUs / 1_000_000)
    const day = Math.floor(second / 86_400)
    if (day !== this.tsDay) {
      this.tsDay = day
      this.tsDayPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11)
    }
    const sod = second - day * 86_400
    const hms = `${PAD2[Math.floor(sod / 3600)]}:${PAD2[Math.floor(sod / 60) % 60]}:${PAD2[sod % 60]}`
    const micros = String(1_000_000 + tUs - second * 1_000_000).slice(1)
    return `${this.tsDayPrefix}${hms}.${micros}+00:00`
  }
}
