import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { rehearseRollback } from '../../src/rehearse/run-rehearse.js'
import { readContract } from '../../src/contract/files.js'
import { RollbackRehearsalSchema } from '../../src/rehearse/rehearsal-schema.js'
import { ReplayConnection } from '../../src/replay/client.js'
import { loadSessions } from '../../src/replay/load-session.js'
import { capturesDir } from '../helpers/captures.js'
import { SHIPPED_CONTRACT_FILE } from '../helpers/box-frames.js'
import { tempDir } from '../helpers/make-db.js'
import { postJson, startTestProxy } from '../helpers/proxy.js'

const SESSION_EXPORT = (): string => join(capturesDir(), 'session-2026-02-17-conn2315.json')
const PACING = { speed: 1, maxSpeed: true, replyTimeoutMs: 1000, holdAfterS: 0 }

describe('rollback rehearsal (real proxy, real sockets on 127.0.0.1)', () => {
  it('replays a real session on one live connection, flips to legacy and back, and passes', async () => {
    const r = RollbackRehearsalSchema.parse(
      await rehearseRollback({
        evidenceDir: tempDir(),
        sessionFile: SESSION_EXPORT(),
        contract: readContract(SHIPPED_CONTRACT_FILE),
      }),
    )
    expect(r.checks.filter((c) => !c.pass)).toEqual([])
    expect(r.pass).toBe(true)
    expect(r.phases.map((p) => [p.set, p.sent, p.replies, p.lost, p.extra])).toEqual([
      ['contract', 12, 12, 0, 0],
      ['legacy', 12, 12, 0, 0],
      ['contract', 12, 12, 0, 0],
    ])
    // The 10 uploads and the BOX END are answered differently: bare ACK and END+Time under legacy.
    expect(r.phases[1]!.distinguishing).toBe(11)
    expect(r.switches.map((s) => `${s.from}->${s.to}`)).toEqual([
      'contract->legacy',
      'legacy->contract',
    ])
    expect(r.connection).toEqual({ connections: 1, closed: false, closeReason: null })
    expect(r.controlCalls.map((c) => [c.method, c.path, c.body, c.status])).toEqual([
      ['POST', '/local-replies', '{"set":"legacy"}', 200],
      ['GET', '/local-replies', null, 200],
      ['POST', '/local-replies', '{"set":"contract"}', 200],
      ['GET', '/local-replies', null, 200],
    ])
    expect(r.session).toMatchObject({ id: expect.stringContaining('conn2315'), frames: 12 })
    expect(r.contract.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it('serves the legacy replies on the same socket right after the runtime switch', async () => {
    const [loaded] = await loadSessions(SESSION_EXPORT())
    const { proxy, api, of } = await startTestProxy()
    const conn = await ReplayConnection.open({ host: '127.0.0.1', port: proxy.port })
    try {
      const before = await conn.replay(loaded!.plan, PACING)
      expect((await postJson(`${api}/local-replies`, { set: 'legacy' })).json).toEqual({
        set: 'legacy',
        previous: 'contract',
      })
      const after = await conn.replay(loaded!.plan, PACING)
      const classes = (xs: typeof before): Array<string | undefined> =>
        xs.map((s) => s.reply?.class)
      expect(classes(before)).toEqual([
        'cloud.end-time',
        ...Array<string>(10).fill('cloud.ack-getactual'),
        'cloud.ack',
      ])
      expect(classes(after)).toEqual([
        'cloud.end-time',
        ...Array<string>(10).fill('cloud.ack'),
        'cloud.end-time',
      ])
      expect(conn.closed).toBe(false)
      expect(proxy.state().connections.total).toBe(1)
      expect(of('local-replies').map((e) => [e.from, e.to])).toEqual([['contract', 'legacy']])
    } finally {
      conn.destroy()
    }
  })

  it('takes the first session fixture of the evidence folder when no session is given', async () => {
    const dir = tempDir()
    await expect(
      rehearseRollback({ evidenceDir: dir, contract: readContract(SHIPPED_CONTRACT_FILE) }),
    ).rejects.toThrow(
      `Failed to rehearse the rollback: no session fixture in ${join(dir, 'sessions')}.`,
    )
    mkdirSync(join(dir, 'sessions'))
    const [loaded] = await loadSessions(SESSION_EXPORT())
    writeFileSync(join(dir, 'sessions', 'b.session.json'), JSON.stringify(loaded!.fixture))
    writeFileSync(join(dir, 'sessions', 'a.txt'), 'not a fixture')
    const r = await rehearseRollback({
      evidenceDir: dir,
      contract: readContract(SHIPPED_CONTRACT_FILE),
    })
    expect(r.session.file).toBe(join(dir, 'sessions', 'b.session.json'))
    expect(r.pass).toBe(true)
  })
})
