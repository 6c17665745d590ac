import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_MAX_CITATIONS,
  deriveContract,
  mergeContracts,
} from '../../src/contract/run-derive.js'
import { runValidate } from '../../src/contract/run-validate.js'
import type { Contract } from '../../src/contract/schema.js'
import { formatJson } from '../../src/evidence/json-format.js'
import { writeJsonAtomic } from '../../src/evidence/files.js'
import { writeSyntheticDb } from '../../src/simulate/synthetic-db.js'
import { captureDbPath, capturesDir } from '../helpers/captures.js'
import { REPO_ROOT } from '../helpers/cli.js'
import { tempDir } from '../helpers/make-db.js'

const realDbs = (): string[] =>
  readdirSync(capturesDir())
    .filter((f) => f.endsWith('.db'))
    .sort()
    .map((f) => join(capturesDir(), f))

const derive = (dbs: string[]): Promise<Contract> =>
  deriveContract({ dbs, sessionFiles: [], version: '1.0.0', maxCitations: DEFAULT_MAX_CITATIONS })

const row = (c: Contract, id: string) => c.transitions.find((t) => t.id === id)

describe('contract derive on the real captures', () => {
  it('contains both real setting handshakes and the 2026 merged IsNewSet reply, each row cited', async () => {
    const c = await derive(realDbs())
    expect(c.synthetic).toBe(false)
    const poll = row(c, 'box.poll.isnewset @normal -> cloud.setting')!
    expect(poll.citations[0]).toMatchObject({
      file: 'setting-handshake-2025-12-10.db',
      requestId: 1,
      replyId: 2,
    })
    expect(poll.followUps.map((f) => f.class)).toEqual(['box.setting-ack'])
    expect(
      row(c, 'box.setting-ack @setting-batch -> cloud.end-time-getactual')!.citations[0],
    ).toMatchObject({
      file: 'setting-handshake-2025-12-10.db',
      requestId: 3,
      replyId: 4,
    })
    expect(row(c, 'box.setting-ack @setting-batch -> cloud.end-time')!.citations[0]).toMatchObject({
      file: 'setting-handshake-2025-12-18-conn1.db',
      requestId: 2,
      replyId: 3,
    })
    const endTime = row(c, 'box.poll.isnewset @normal -> cloud.end-time')!
    expect(endTime.citations[0]).toMatchObject({
      file: 'session-2026-02-17-conn2315.db',
      requestId: 13794,
      replyId: 13795,
    })
    expect(endTime.latency.min).toBeCloseTo(28.199, 3)
    expect(c.transitions.every((t) => t.citations.length >= 1)).toBe(true)
    expect(c.settingContext.answered.map((a) => [a.request, a.count])).toEqual([
      [null, 8],
      ['box.poll.isnewset', 1],
    ])
    expect(
      c.sequenceRules.find((r) => r.id === 'setting-answers-poll-or-setting-ack'),
    ).toMatchObject({ holds: true, support: 1, undetermined: 8 })
    expect(c.unobserved.requests.map((u) => u.class)).toContain('box.poll.isnewfw')
    expect(c.unobserved.replies.map((u) => u.name)).toContain('weather')
    // 'IsNew* -> Setting never happens' was the upstream's mistake: the captures show it does.
    expect(c.settingContext.pollsCarryingSetting).toEqual([
      { poll: 'box.poll.isnewset', withSetting: 1, replies: 2, share: 0.5 },
    ])
  })

  it('is deterministic and equals the shipped contracts/oig-cloud.contract.json', async () => {
    const shipped = readFileSync(join(REPO_ROOT, 'contracts', 'oig-cloud.contract.json'), 'utf8')
    const inputs = (JSON.parse(shipped) as Contract).inputs.map((i) =>
      captureDbPath(i.file as never),
    )
    const a = formatJson(await derive(inputs))
    const b = formatJson(await derive([...inputs].reverse()))
    expect(a).toBe(b)
    expect(a, 'contracts/oig-cloud.contract.json is stale: run npm run contract:derive').toBe(
      shipped,
    )
  })

  it('merges per-DB derives into exactly the contract of one derive over all DBs', async () => {
    const dbs = realDbs()
    const whole = await derive(dbs)
    const parts = await Promise.all(dbs.map((d) => derive([d])))
    expect(formatJson(mergeContracts(parts, '1.0.0'))).toBe(formatJson(whole))
  })

  it('merges exactly on larger SYNTHETIC captures too (histograms, citations, rules)', async () => {
    const dir = tempDir()
    const a = join(dir, 'a.db')
    const b = join(dir, 'b.db')
    await writeSyntheticDb({ out: a, seed: 11, days: 2 })
    await writeSyntheticDb({ out: b, seed: 12, days: 2, start: '2026-03-01T00:00:00Z' })
    const whole = await derive([a, b])
    expect(whole.synthetic).toBe(true)
    expect(formatJson(mergeContracts([await derive([b]), await derive([a])], '1.0.0'))).toBe(
      formatJson(whole),
    )
  })
})

describe('contract validate', () => {
  it('accepts the shipped contract against the real captures', async () => {
    const v = await runValidate({
      contract: join(REPO_ROOT, 'contracts', 'oig-cloud.contract.json'),
      dbs: realDbs(),
      sessionFiles: [],
      strict: true,
    })
    expect(v.problems.filter((p) => p.severity !== 'info')).toEqual([])
    expect(v).toMatchObject({ verdict: 'valid', sameInputs: true })
    expect(v.counts.supported).toBe(v.counts.rows)
  })

  it('rejects an invented row and a citation that points at frames that do not show its row', async () => {
    const c = await derive(realDbs())
    const template = row(c, 'box.poll.isnewset @normal -> cloud.end-time')!
    const invented = structuredClone(template)
    invented.id = 'box.poll.isnewweather @normal -> cloud.ack'
    invented.request = { class: 'box.poll.isnewweather', table: null, eventType: null }
    invented.response = 'cloud.ack'
    const bad = structuredClone(c)
    bad.transitions.push(invented)
    const victim = bad.transitions.find((t) => t.id === 'box.end @normal -> cloud.ack')!
    victim.citations[0] = { ...victim.citations[0]!, requestId: 13796, replyId: 13797 }
    const file = join(tempDir(), 'bad.contract.json')
    writeJsonAtomic(file, bad)
    const v = await runValidate({ contract: file, dbs: realDbs(), sessionFiles: [], strict: false })
    expect(v.verdict).toBe('invalid')
    const errors = v.problems.filter((p) => p.severity === 'error').map((p) => p.message)
    expect(errors).toContain(
      'row box.poll.isnewweather @normal -> cloud.ack: no captured sequence supports it; the captures show for box.poll.isnewweather @normal: no such BOX frame at all',
    )
    expect(errors).toContain(
      'row box.end @normal -> cloud.ack: citation session-2026-02-17-conn2315.db rows 13796→13797 show box.upload[tbl_dc_in] @normal -> cloud.ack-getactual',
    )
  })

  it('under --strict fails on a capture transition the contract lacks', async () => {
    const c = await derive(realDbs())
    const file = join(tempDir(), 'partial.contract.json')
    writeJsonAtomic(file, {
      ...c,
      transitions: c.transitions.filter((t) => t.id !== 'box.end @normal -> cloud.ack'),
    })
    const lenient = await runValidate({
      contract: file,
      dbs: realDbs(),
      sessionFiles: [],
      strict: false,
    })
    expect(lenient.verdict).toBe('valid')
    expect(lenient.missing).toEqual(['box.end @normal -> cloud.ack'])
    const strict = await runValidate({
      contract: file,
      dbs: realDbs(),
      sessionFiles: [],
      strict: true,
    })
    expect(strict.verdict).toBe('invalid')
    expect(strict.problems.find((p) => p.code === 'missing-row')?.message).toBe(
      'row box.end @normal -> cloud.ack: in the captures (1×) but not in the contract',
    )
  })
})
