/**
 * The queue of settings a user asked for (pure). A Setting is resolved only by the BOX's ACK on
 * the connection it was delivered on (PROTOCOL.md §4): an ACK or a disconnect elsewhere never
 * resolves it, and an un-ACKed Setting is delivered again, with the same `ID`/`ID_Set`.
 */

export type SettingState = 'pending' | 'delivered' | 'acked' | 'nacked'

export interface SettingDelivery {
  readonly connId: number
  readonly atMs: number
}

export interface QueuedSetting {
  /** The control API's id (`s1`, `s2`, …). */
  readonly id: string
  /** The cloud's numeric `ID` of the Setting frame. */
  readonly cloudId: number
  readonly table: string
  readonly item: string
  readonly value: string
  /** Unix ms of queueing: `ID_Set` and `DT` of every delivery. */
  readonly queuedAtMs: number
  state: SettingState
  deliveries: SettingDelivery[]
  resolvedAtMs: number | null
  resolvedOnConn: number | null
}

export interface SettingRequest {
  readonly table: string
  readonly item: string
  readonly value: string
}

export class SettingQueue {
  private readonly settings: QueuedSetting[] = []
  /** The Setting last delivered on each connection, awaiting that connection's ACK. */
  private readonly awaiting = new Map<number, string>()
  private nextId = 1
  /** Settings pending or delivered (not acked, nacked or removed). */
  private unresolved = 0

  /**
   * `nextCloudId` seeds the cloud `ID` counter (real ones are 8-digit and increasing); by default it
   * is derived from the clock so that IDs do not repeat across restarts.
   */
  constructor(private nextCloudId = 10_000_000 + (Math.floor(Date.now() / 1000) % 80_000_000)) {}

  add(req: SettingRequest, nowMs: number): QueuedSetting {
    const s: QueuedSetting = {
      id: `s${this.nextId++}`,
      cloudId: this.nextCloudId++,
      ...req,
      queuedAtMs: nowMs,
      state: 'pending',
      deliveries: [],
      resolvedAtMs: null,
      resolvedOnConn: null,
    }
    this.settings.push(s)
    this.unresolved++
    return s
  }

  list(): readonly QueuedSetting[] {
    return this.settings
  }

  get(id: string): QueuedSetting | undefined {
    return this.settings.find((s) => s.id === id)
  }

  /** Removes a setting that was not yet resolved; returns false when unknown or already resolved. */
  remove(id: string): boolean {
    const i = this.settings.findIndex((s) => s.id === id)
    if (i < 0 || this.settings[i]!.resolvedAtMs !== null) return false
    this.settings.splice(i, 1)
    this.unresolved--
    for (const [conn, sid] of this.awaiting) if (sid === id) this.awaiting.delete(conn)
    return true
  }

  /**
   * The next Setting to deliver on `connId`: the oldest one not resolved (pending, or delivered
   * without ACK — the cloud re-delivers on later polls), skipping one that is out on another open
   * connection awaiting that connection's ACK.
   */
  next(connId?: number): QueuedSetting | undefined {
    // Asked for every frame a proxy forwards: no allocation, and nothing to scan when all resolved.
    if (this.unresolved === 0) return undefined
    for (const s of this.settings) {
      if (s.state !== 'pending' && s.state !== 'delivered') continue
      if (!this.outElsewhere(s.id, connId)) return s
    }
    return undefined
  }

  private outElsewhere(id: string, connId: number | undefined): boolean {
    for (const [c, awaited] of this.awaiting) if (c !== connId && awaited === id) return true
    return false
  }

  /**
   * The BOX on `connId` reported a transmission error (NACK WC, PROTOCOL.md §1) for the Setting
   * it was sent: the Setting stays unresolved and is delivered again on a later poll.
   */
  retry(connId: number): QueuedSetting | null {
    const id = this.awaiting.get(connId)
    if (id === undefined) return null
    this.awaiting.delete(connId)
    return this.get(id) ?? null
  }

  markDelivered(id: string, connId: number, nowMs: number): void {
    const s = this.get(id)
    if (!s) return
    s.state = 'delivered'
    s.deliveries.push({ connId, atMs: nowMs })
    this.awaiting.set(connId, id)
  }

  /** The BOX on `connId` acknowledged (or refused) the last Setting delivered on that connection. */
  resolve(connId: number, accepted: boolean, nowMs: number): QueuedSetting | null {
    const id = this.awaiting.get(connId)
    if (id === undefined) return null
    this.awaiting.delete(connId)
    const s = this.get(id)
    if (!s || s.resolvedAtMs !== null) return null
    s.state = accepted ? 'acked' : 'nacked'
    this.unresolved--
    s.resolvedAtMs = nowMs
    s.resolvedOnConn = connId
    return s
  }

  /** The Setting awaiting an ACK on `connId`, if any. */
  awaitingOn(connId: number): QueuedSetting | undefined {
    const id = this.awaiting.get(connId)
    return id === undefined ? undefined : this.get(id)
  }

  /** A connection ended: what it was awaiting stays unresolved (re-delivered on a later poll). */
  disconnect(connId: number): void {
    this.awaiting.delete(connId)
  }

  counts(): Record<SettingState, number> {
    const c: Record<SettingState, number> = { pending: 0, delivered: 0, acked: 0, nacked: 0 }
    for (const s of this.settings) c[s.state]++
    return c
  }
}
