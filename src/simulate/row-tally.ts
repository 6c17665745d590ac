/** Running totals of a synthetic capture (rows, sessions, time span, frame classes). Pure. */
import { classifyText } from '../protocol/classify.js'
import { FRAME_CLASSES } from '../protocol/frame-class.js'
import type { SyntheticRow } from './row-sink.js'

export interface TallyResult {
  readonly rows: number
  readonly sessions: number
  readonly from: string
  readonly to: string
  /** Rows per frame class (only classes that occur, in FRAME_CLASSES order). */
  readonly classCounts: Record<string, number>
  readonly settingHandshakes: number
}

/** A frame that classifyText does not see as the class the model built it as (a model bug). */
export class ModelMismatchError extends Error {
  override readonly name = 'ModelMismatchError'
}

export class RowTally {
  private rows = 0
  private sessions = 0
  private from = ''
  private to = ''
  private readonly counts = new Map<string, number>()

  /** `verify`: classify the frame with classifyText and check its CRC instead of trusting the model. */
  constructor(private readonly verify: boolean) {}

  add(row: SyntheticRow): void {
    const cls = this.verify ? verifiedClass(row) : row.frameClass
    this.counts.set(cls, (this.counts.get(cls) ?? 0) + 1)
    if (this.rows++ === 0) this.from = row.ts
    this.to = row.ts
    this.sessions = row.connId
  }

  result(): TallyResult {
    const classCounts: Record<string, number> = {}
    for (const cls of FRAME_CLASSES) {
      const n = this.counts.get(cls)
      if (n !== undefined) classCounts[cls] = n
    }
    return {
      rows: this.rows,
      sessions: this.sessions,
      from: this.from,
      to: this.to,
      classCounts,
      settingHandshakes: this.counts.get('cloud.setting') ?? 0,
    }
  }
}

function verifiedClass(row: SyntheticRow): string {
  const c = classifyText(row.raw, row.direction === 'box_to_proxy' ? 'box' : 'cloud')
  if (c.class !== row.frameClass || c.crcOk !== true) {
    throw new ModelMismatchError(
      `internal error: frame of conn ${row.connId} at ${row.ts} classifies as ${c.class} ` +
        `(CRC ok: ${String(c.crcOk)}), the model built ${row.frameClass}`,
    )
  }
  return c.class
}
