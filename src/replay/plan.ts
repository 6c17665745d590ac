/**
 * A replay plan from a recorded session (pure): the BOX frames in order with their recorded gaps
 * and the real cloud's recorded replies, and the Settings the real cloud delivered in it.
 */
import type { FixtureFrame } from '../evidence/schemas/session-fixture.js'
import type { BoxClass, CloudClass } from '../protocol/frame-class.js'
import { getTag, parseFrame, wireBytes } from '../protocol/frame.js'

export interface RecordedReply {
  readonly id: number
  readonly class: CloudClass
  readonly latencyMs: number | null
  readonly origin: 'cloud' | 'proxy'
}

export interface ReplayStep {
  /** 1-based position among the BOX frames. */
  readonly seq: number
  readonly id: number
  readonly class: BoxClass
  readonly table: string | null
  readonly eventType: string | null
  /** The IsNewSet form (short / merged); null for other classes. */
  readonly pollForm: 'short' | 'merged' | null
  readonly raw: string
  /** The frame bytes, base64, when `raw` cannot stand for them (sent instead of `raw`). */
  readonly rawB64?: string
  /** Recorded ms between the previous frame of the session and this BOX frame (null: unknown). */
  readonly gapMs: number | null
  /** The reply the BOX got in the capture (null: none captured). */
  readonly recorded: RecordedReply | null
  /** A BOX setting ACK/NACK: sent only after the target delivered a Setting. */
  readonly answersSetting: boolean
  /** Contract context in the recorded session: `setting-batch` right after a cloud Setting. */
  readonly context: 'normal' | 'setting-batch'
  /** For a setting ACK: whether the capture holds the poll that carried the Setting it answers. */
  readonly settingPollCaptured: boolean
  /** The next captured frame of the session: the BOX's, one sent to the BOX, or none. */
  readonly next?: 'box' | 'to-box' | null
}

export interface SettingSpec {
  readonly table: string
  readonly item: string
  readonly value: string
}

export interface ReplayPlan {
  readonly sessionId: string
  readonly source: string
  readonly steps: ReplayStep[]
  /** Settings the real cloud delivered in the session, to queue on the target before replaying. */
  readonly settings: SettingSpec[]
  /** The capture holds frames sent to the BOX (false: a BOX-only capture). */
  readonly cloudSide?: boolean
}

/** Builds the plan of a session fixture's frames. */
export function planReplay(
  sessionId: string,
  source: string,
  frames: readonly FixtureFrame[],
): ReplayPlan {
  const byId = new Map(frames.map((f) => [f.id, f]))
  const steps: ReplayStep[] = []
  const settings: SettingSpec[] = []
  const seen = new Set<string>()
  let lastToBox: FixtureFrame | null = null
  const isDuplicate = (f: FixtureFrame): boolean =>
    f.notes.some((n) => n.startsWith('duplicate-of'))
  const kept = frames.filter((f) => !isDuplicate(f))
  const nextOf = new Map(kept.map((f, i) => [f, kept[i + 1] ?? null]))
  for (const f of frames) {
    const context =
      (lastToBox as FixtureFrame | null)?.class === 'cloud.setting' ? 'setting-batch' : 'normal'
    if (f.destination === 'box') lastToBox = f
    if (f.class === 'cloud.setting' && f.origin === 'cloud') {
      const parsed = parseFrame(frameBytes(f))
      if (parsed.ok) {
        const spec = {
          table: getTag(parsed.frame, 'TblName') ?? '',
          item: getTag(parsed.frame, 'TblItem') ?? '',
          value: getTag(parsed.frame, 'NewValue') ?? '',
        }
        // A re-delivered Setting (same ID) is one setting, queued once.
        const key = getTag(parsed.frame, 'ID') ?? `${spec.table}/${spec.item}=${spec.value}`
        if (!seen.has(key)) {
          seen.add(key)
          settings.push(spec)
        }
      }
    }
    if (f.origin !== 'box' || isDuplicate(f)) continue
    const reply = f.replyId === null ? undefined : byId.get(f.replyId)
    const next = nextOf.get(f) ?? null
    steps.push({
      seq: steps.length + 1,
      id: f.id,
      class: f.class as BoxClass,
      table: f.table,
      eventType: f.eventType,
      pollForm: f.pollForm ?? null,
      raw: f.raw,
      ...(f.rawB64 === undefined ? {} : { rawB64: f.rawB64 }),
      gapMs: f.gapMs,
      recorded:
        reply && (reply.origin === 'cloud' || reply.origin === 'proxy')
          ? {
              id: reply.id,
              class: reply.class as CloudClass,
              latencyMs: f.latencyMs,
              origin: reply.origin,
            }
          : null,
      answersSetting: f.class === 'box.setting-ack' || f.class === 'box.setting-nack',
      context,
      settingPollCaptured: steps.some((p) => p.recorded?.class === 'cloud.setting'),
      next: next === null ? null : next.destination === 'box' ? 'to-box' : 'box',
    })
  }
  const cloudSide = frames.some((f) => f.destination === 'box')
  return { sessionId, source, steps, settings, cloudSide }
}

/** Parses `tbl/ITEM=VALUE` (the --queue-setting syntax). */
export function parseSettingSpec(text: string): SettingSpec | null {
  const m = /^([A-Za-z0-9_]+)\/([A-Za-z0-9_]+)=(.+)$/.exec(text)
  return m ? { table: m[1]!, item: m[2]!, value: m[3]! } : null
}

/** What a fixture frame or replay step is on the wire: its bytes, or its text as UTF-8. */
export function frameBytes(f: { readonly raw: string; readonly rawB64?: string }): Buffer {
  return f.rawB64 === undefined ? wireBytes(f.raw) : Buffer.from(f.rawB64, 'base64')
}
