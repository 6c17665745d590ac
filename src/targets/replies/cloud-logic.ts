/**
 * The cloud's side of a BOX session as the contract describes it (pure): for each BOX frame, the
 * reply the real cloud gives in that context, Setting delivery only as the reply to a poll, the
 * next Setting or the END-family frame after the BOX's setting ACK, and NACK WC for a bad CRC.
 * The mock cloud and the proxy's `contract` local replies both run it.
 */
import type { ReplyChoice, ReplyPolicy } from '../../contract/reply-policy.js'
import { makeRequestKey } from '../../contract/keys.js'
import type { ContractContext, RequestKey } from '../../contract/schema.js'
import { buildCloudReply, cloudSetting } from '../../protocol/cloud-frames.js'
import { classifyFrame } from '../../protocol/classify.js'
import type { BoxClass, CloudClass } from '../../protocol/frame-class.js'
import { getTag, parseFrame, type FrameInput } from '../../protocol/frame.js'
import type { SettingQueue } from './setting-queue.js'

export interface Decision {
  /** The BOX frame's class (box.unknown for text that is no frame). */
  readonly request: BoxClass
  readonly table: string | null
  readonly crcOk: boolean | null
  readonly context: ContractContext
  /** The frame to send, or null: nothing the contract shows fits (see `unobserved`). */
  readonly reply: string | null
  readonly replyClass: CloudClass | null
  /** Why no reply was sent. */
  readonly unobserved: string | null
  /** The observed reply that could not be built (no captured frame shows it), and what was sent. */
  readonly unbuildable: string | null
  /** State change caused, e.g. `setting s1 delivered`, `setting s1 acked`. */
  readonly transition: string | null
}

export interface CloudLogicOptions {
  readonly policy: ReplyPolicy
  readonly queue: SettingQueue
  /** Polls that may carry a Setting (default: the ones the contract shows carrying one). */
  readonly settingPolls?: readonly BoxClass[]
  /** `ID_Device` for Settings before the BOX has told its own. */
  readonly deviceId?: string
  /** Random source in [0, 1) for `ver` (injectable for tests). */
  readonly random?: () => number
}

interface ConnState {
  lastSentClass: CloudClass | null
  deviceId: string | null
}

/** The event-log note of a reply sent in place of an unbuildable one (null: none). */
export function unbuildableNote(choice: ReplyChoice): string | null {
  if (choice.kind !== 'reply' || choice.unbuildable === null) return null
  const pct = (x: number): string => `${Math.round(x * 1000) / 10} %`
  return `${choice.unbuildable.reply} (${pct(choice.unbuildable.share)} of observed replies) has no captured frame; sent ${choice.class} (${choice.name}, ${pct(choice.share)})`
}

export class CloudLogic {
  private readonly conns = new Map<number, ConnState>()
  private readonly settingPolls: readonly BoxClass[]
  private readonly random: () => number
  private lastVer = ''

  constructor(private readonly options: CloudLogicOptions) {
    this.settingPolls = options.settingPolls ?? options.policy.settingPolls()
    this.random = options.random ?? Math.random
  }

  get queue(): SettingQueue {
    return this.options.queue
  }

  /** A 5-digit `ver`, never the same as the previous frame's. */
  private ver(): string {
    for (;;) {
      const v = String(Math.floor(this.random() * 100_000)).padStart(5, '0')
      if (v !== this.lastVer) return (this.lastVer = v)
    }
  }

  private conn(connId: number): ConnState {
    let c = this.conns.get(connId)
    if (!c) {
      c = { lastSentClass: null, deviceId: null }
      this.conns.set(connId, c)
    }
    return c
  }

  /** Decides the reply to one BOX frame (bytes or text, without line ending) on `connId`. */
  onFrame(connId: number, frame: FrameInput, nowMs: number): Decision {
    const conn = this.conn(connId)
    const parsed = parseFrame(frame)
    const context: ContractContext =
      conn.lastSentClass === 'cloud.setting' ? 'setting-batch' : 'normal'
    if (!parsed.ok || !parsed.frame.crcOk) {
      const crcOk = parsed.ok ? parsed.frame.crcOk : parsed.crcOk
      if (crcOk === false)
        return this.send(
          conn,
          { request: 'box.unknown', table: null, crcOk, context },
          'cloud.nack-wc',
          nowMs,
          null,
        )
    }
    const c = parsed.ok ? classifyFrame(parsed.frame, 'box') : { class: 'box.unknown' as const }
    const request = c.class as BoxClass
    const table = 'table' in c && c.table !== undefined ? c.table : null
    const base = { request, table, crcOk: parsed.ok ? parsed.frame.crcOk : null, context }
    if (parsed.ok) conn.deviceId ??= getTag(parsed.frame, 'ID_Device') ?? null

    if (
      (request === 'box.setting-ack' || request === 'box.setting-nack') &&
      context === 'setting-batch'
    ) {
      // NACK WC is a transmission error (PROTOCOL.md §1): the Setting stays queued, not refused.
      const wc =
        request === 'box.setting-nack' && parsed.ok && getTag(parsed.frame, 'Reason') === 'WC'
      const retried = wc ? this.queue.retry(connId) : null
      const resolved = wc ? null : this.queue.resolve(connId, request === 'box.setting-ack', nowMs)
      const transition = retried
        ? `setting ${retried.id} NACK WC: delivered again`
        : resolved
          ? `setting ${resolved.id} ${resolved.state}`
          : null
      const next = this.queue.next(connId)
      if (next) return this.deliver(conn, connId, base, nowMs, transition)
      const close = this.options.policy.batchClose()
      if (close.kind === 'reply')
        return this.send(conn, base, close.class, nowMs, transition, unbuildableNote(close))
      return {
        ...base,
        reply: null,
        replyClass: null,
        unobserved: close.reason,
        unbuildable: null,
        transition,
      }
    }
    if (this.settingPolls.includes(request) && this.queue.next(connId))
      return this.deliver(conn, connId, base, nowMs, null)

    const key: RequestKey = makeRequestKey(
      request,
      table,
      'eventType' in c ? c.eventType : null,
      'pollForm' in c ? c.pollForm : null,
    )
    const choice = this.options.policy.replyFor(key, context)
    // NACK WC means "wrong CRC" (PROTOCOL.md §1): never the answer to a frame whose CRC verifies,
    // even though the contract's only box.unknown row comes from a bad-CRC probe.
    if (choice.kind === 'reply' && choice.class === 'cloud.nack-wc' && base.crcOk === true) {
      conn.lastSentClass = null
      return {
        ...base,
        reply: null,
        replyClass: null,
        unobserved: `no captured cloud reply to a ${request} frame with a valid CRC`,
        unbuildable: null,
        transition: null,
      }
    }
    if (choice.kind === 'unobserved') {
      conn.lastSentClass = null
      return {
        ...base,
        reply: null,
        replyClass: null,
        unobserved: choice.reason,
        unbuildable: null,
        transition: null,
      }
    }
    return this.send(conn, base, choice.class, nowMs, null, unbuildableNote(choice))
  }

  private send(
    conn: ConnState,
    base: Omit<Decision, 'reply' | 'replyClass' | 'unobserved' | 'unbuildable' | 'transition'>,
    cls: CloudClass,
    nowMs: number,
    transition: string | null,
    unbuildable: string | null = null,
  ): Decision {
    const reply = buildCloudReply(cls, nowMs)
    conn.lastSentClass = reply === null ? null : cls
    return {
      ...base,
      reply,
      replyClass: reply === null ? null : cls,
      unobserved: reply === null ? `no frame shape for ${cls}` : null,
      unbuildable,
      transition,
    }
  }

  private deliver(
    conn: ConnState,
    connId: number,
    base: Omit<Decision, 'reply' | 'replyClass' | 'unobserved' | 'unbuildable' | 'transition'>,
    nowMs: number,
    before: string | null,
  ): Decision {
    const { reply, what } = this.deliverNext(connId, conn.deviceId, nowMs)!
    conn.lastSentClass = 'cloud.setting'
    return {
      ...base,
      reply,
      replyClass: 'cloud.setting',
      unobserved: null,
      unbuildable: null,
      transition: before ? `${before}; ${what}` : what,
    }
  }

  /**
   * Builds the next queued Setting for `connId` (same `ID`/`ID_Set` on a re-delivery, fresh
   * `TSec`/`ver`) and records its delivery; null when nothing is queued. The proxy's legacy
   * replies deliver through this too, so `ver` never repeats between the two paths.
   */
  deliverNext(
    connId: number,
    deviceId: string | null,
    nowMs: number,
  ): { reply: string; what: string } | null {
    const s = this.queue.next(connId)
    if (!s) return null
    const redelivery = s.deliveries.length > 0
    const reply = cloudSetting({
      id: s.cloudId,
      deviceId: deviceId ?? this.options.deviceId ?? '0000000000',
      requestMs: s.queuedAtMs,
      newValue: s.value,
      tblName: s.table,
      tblItem: s.item,
      sentMs: nowMs,
      ver: this.ver(),
    })
    this.queue.markDelivered(s.id, connId, nowMs)
    return {
      reply,
      what: `setting ${s.id} ${redelivery ? 're-delivered' : 'delivered'} on conn ${connId}`,
    }
  }

  /** The connection ended: forget its context; its un-ACKed Setting stays queued. */
  close(connId: number): void {
    this.conns.delete(connId)
    this.queue.disconnect(connId)
  }

  /** Connections with state (open as far as the logic knows). */
  get connections(): number {
    return this.conns.size
  }
}
