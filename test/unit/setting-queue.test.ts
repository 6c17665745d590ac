import { describe, expect, it } from 'vitest'
import { SettingQueue } from '../../src/targets/replies/setting-queue.js'

const MODE = { table: 'tbl_box_prms', item: 'MODE', value: '3' }
const BAT = { table: 'tbl_batt_prms', item: 'BAT_DI', value: '100.0' }
const T0 = Date.UTC(2025, 11, 10, 20, 40, 8)

describe('SettingQueue', () => {
  it('gives each setting an API id and a numeric cloud ID in order, pending at first', () => {
    const q = new SettingQueue(13589888)
    const a = q.add(MODE, T0)
    const b = q.add(BAT, T0 + 1000)
    expect([a.id, a.cloudId, a.state, a.queuedAtMs]).toEqual(['s1', 13589888, 'pending', T0])
    expect([b.id, b.cloudId]).toEqual(['s2', 13589889])
    expect(q.list().map((s) => s.id)).toEqual(['s1', 's2'])
    expect(q.counts()).toEqual({ pending: 2, delivered: 0, acked: 0, nacked: 0 })
  })

  it('offers the oldest unresolved setting next, also while it is delivered without an ACK', () => {
    const q = new SettingQueue()
    q.add(MODE, T0)
    q.add(BAT, T0)
    expect(q.next()?.id).toBe('s1')
    q.markDelivered('s1', 1, T0 + 5)
    // a later poll on the same connection gets it again; another open connection gets the next one
    expect(q.next(1)?.id).toBe('s1')
    expect(q.next(2)?.id).toBe('s2')
    expect(q.resolve(1, true, T0 + 7)?.id).toBe('s1')
    expect(q.next(1)?.id).toBe('s2')
  })

  it('keeps a Setting the BOX reported as garbled (NACK WC) queued for another delivery', () => {
    const q = new SettingQueue()
    q.add(MODE, T0)
    q.markDelivered('s1', 1, T0)
    expect(q.retry(1)?.id).toBe('s1')
    expect(q.get('s1')?.state).toBe('delivered')
    expect(q.next(2)?.id).toBe('s1')
  })

  it('resolves a setting only by the ACK on the connection it was delivered on', () => {
    const q = new SettingQueue()
    q.add(MODE, T0)
    q.markDelivered('s1', 1, T0)
    expect(q.resolve(2, true, T0 + 1)).toBeNull()
    expect(q.get('s1')?.state).toBe('delivered')
    const s = q.resolve(1, true, T0 + 2)
    expect([s?.state, s?.resolvedAtMs, s?.resolvedOnConn]).toEqual(['acked', T0 + 2, 1])
    // A second ACK on the same connection has nothing left to resolve.
    expect(q.resolve(1, true, T0 + 3)).toBeNull()
  })

  it('records a refusal as nacked and does not offer it again', () => {
    const q = new SettingQueue()
    q.add(MODE, T0)
    q.markDelivered('s1', 4, T0)
    expect(q.resolve(4, false, T0 + 1)?.state).toBe('nacked')
    expect(q.next()).toBeUndefined()
  })

  it('keeps a setting whose connection ended unresolved, so a later poll gets it again', () => {
    const q = new SettingQueue()
    q.add(MODE, T0)
    q.markDelivered('s1', 1, T0)
    q.disconnect(1)
    expect(q.awaitingOn(1)).toBeUndefined()
    expect(q.get('s1')?.state).toBe('delivered')
    expect(q.next()?.id).toBe('s1')
    q.markDelivered('s1', 2, T0 + 60_000)
    expect(q.get('s1')?.deliveries).toEqual([
      { connId: 1, atMs: T0 },
      { connId: 2, atMs: T0 + 60_000 },
    ])
    expect(q.awaitingOn(2)?.id).toBe('s1')
  })

  it('an ACK on the first connection after a re-delivery on another one does not resolve it twice', () => {
    const q = new SettingQueue()
    q.add(MODE, T0)
    q.markDelivered('s1', 1, T0)
    q.markDelivered('s1', 2, T0 + 1)
    expect(q.resolve(2, true, T0 + 2)?.resolvedOnConn).toBe(2)
    expect(q.resolve(1, true, T0 + 3)).toBeNull()
    expect(q.get('s1')?.resolvedOnConn).toBe(2)
  })

  it('removes unresolved settings only, and forgets a delivered one awaiting an ACK', () => {
    const q = new SettingQueue()
    q.add(MODE, T0)
    q.add(BAT, T0)
    q.markDelivered('s1', 1, T0)
    expect(q.remove('s1')).toBe(true)
    expect(q.awaitingOn(1)).toBeUndefined()
    expect(q.resolve(1, true, T0 + 1)).toBeNull()
    q.markDelivered('s2', 1, T0)
    q.resolve(1, true, T0 + 2)
    expect(q.remove('s2')).toBe(false)
    expect(q.remove('s9')).toBe(false)
    expect(q.list().map((s) => s.id)).toEqual(['s2'])
  })
})
