import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { diffContracts } from '../../src/contract/diff.js'
import {
  DEFAULT_MAX_CITATIONS,
  deriveContract,
  mergeContracts,
  readPairsFile,
} from '../../src/contract/run-derive.js'
import { readContract } from '../../src/contract/files.js'
import { runValidate } from '../../src/contract/run-validate.js'
import type { Contract } from '../../src/contract/schema.js'
import type { OigError } from '../../src/errors.js'
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

const realPairs = (): string[] => [join(capturesDir(), 'pairs-2025-12-ha-full.json')]

const derive = (dbs: string[], pairs: string[] = []): Promise<Contract> =>
  deriveContract({
    dbs,
    sessionFiles: [],
    pairs,
    version: '1.0.0',
    maxCitations: DEFAULT_MAX_CITATIONS,
  })

const row = (c: Contract, id: string) => c.transitions.find((t) => t.id === id)

describe('contract derive on the real captures', () => {
  it('contains both real setting handshakes and the 2026 merged IsNewSet reply, each row cited', async () => {
    const c = await derive(realDbs())
    expect(c.synthetic).toBe(false)
    // The 2025-12-10 poll is the short IsNewSet form: the form is part of the request key.
    const poll = row(c, 'box.poll.isnewset(short) @normal -> cloud.setting')!
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
    const endTime = row(c, 'box.poll.isnewset(merged) @normal -> cloud.end-time')!
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
      {
        poll: 'box.poll.isnewset',
        withSetting: 1,
        replies: 2,
        share: 0.5,
        support: { frames: 1, pairs: 0 },
      },
    ])
    expect(c.transitions.every((t) => t.support.frames === t.count && t.support.pairs === 0)).toBe(
      true,
    )
  })

  it('is deterministic and equals the shipped contracts/oig-cloud.contract.json', async () => {
    const shipped = readFileSync(join(REPO_ROOT, 'contracts', 'oig-cloud.contract.json'), 'utf8')
    const all = (JSON.parse(shipped) as Contract).inputs
    const inputs = all
      .filter((i) => i.format !== 'pairs')
      .map((i) => captureDbPath(i.file as never))
    const pairs = all.filter((i) => i.format === 'pairs').map((i) => join(capturesDir(), i.file))
    expect(pairs).toEqual(realPairs())
    const a = formatJson(await derive(inputs, pairs))
    const b = formatJson(await derive([...inputs].reverse(), pairs))
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

describe('contract derive --pairs (class-level tier)', () => {
  it('adds rows with per-tier support for the polls, events and upload shares the frames lack', async () => {
    const c = await derive(realDbs(), realPairs())
    const fw = c.transitions.filter((t) => t.request.class === 'box.poll.isnewfw')
    expect(fw.map((t) => t.response).sort()).toEqual(['cloud.end|cloud.end-time', 'cloud.setting'])
    expect(fw.every((t) => t.support.pairs === t.count && t.pairCitations.length > 0)).toBe(true)
    // Pairs 255 and 368 open Setting batches on IsNewFW (PROTOCOL.md §8).
    const fwSetting = fw.find((t) => t.response === 'cloud.setting')!
    expect(fwSetting.pairCitations.map((p) => p.requestId)).toEqual([255, 368])
    // 255 → 256 is the Setting frame of setting-handshake-2025-12-18-conn1.db (joined on ts);
    // 368 → 369 has no frame: it is classified by the handshake rule, and says so.
    expect(fwSetting.inferred).toEqual([{ rule: expect.stringMatching(/^handshake/), count: 1 }])
    expect(
      c.settingContext.pollsCarryingSetting.find((p) => p.poll === 'box.poll.isnewfw'),
    ).toMatchObject({
      withSetting: 2,
      support: { frames: 0, pairs: 2 },
    })
    const weather = c.transitions.filter((t) => t.request.class === 'box.poll.isnewweather')
    expect(weather.map((t) => t.response).sort()).toEqual(['cloud.end|cloud.end-time', 'weather'])
    expect(c.unobserved.unbuildable).toEqual([
      expect.objectContaining({
        id: 'box.poll.isnewweather @normal',
        reply: 'weather',
        sentInstead: 'cloud.end|cloud.end-time',
      }),
    ])
    expect(c.transitions.some((t) => t.request.class === 'box.events' && t.support.pairs > 0)).toBe(
      true,
    )
    for (const table of ['tbl_actual', 'tbl_batt_prms']) {
      const rows = c.transitions.filter((t) => t.request.table === table)
      expect(rows.map((t) => t.response).sort(), table).toEqual([
        'cloud.ack',
        'cloud.ack-getactual',
      ])
    }
    // The short form (frames) and the form-unknown rows of the pairs stay apart.
    expect(c.transitions.map((t) => t.id)).toEqual(
      expect.arrayContaining([
        'box.poll.isnewset(short) @normal -> cloud.setting',
        'box.poll.isnewset(merged) @normal -> cloud.end-time',
        'box.poll.isnewset @normal -> cloud.end-getactual|cloud.end-time-getactual',
      ]),
    )
    // Replies the proxy built itself are not cloud behaviour: dropped and reported.
    expect(c.pairsUnused.find((u) => u.reason.startsWith('proxy_to_box'))?.count).toBeGreaterThan(0)
    expect(c.transitions.every((t) => t.count === t.support.frames + t.support.pairs)).toBe(true)
  })

  it('diffs tiers: pairs added are compatible, a row that loses its raw frames is breaking', async () => {
    const frames = await derive(realDbs())
    const both = await derive(realDbs(), realPairs())
    const up = diffContracts(frames, both)
    const actual = up.changes.find((c) => c.row === 'box.upload[tbl_actual] @normal -> cloud.ack')!
    expect(actual).toMatchObject({ kind: 'changed', breaking: false })
    expect(actual.detail).toContain('pairs tier 0 → 50')
    const weakened = structuredClone(both)
    const row2 = weakened.transitions.find((t) => t.id === actual.row)!
    row2.support = { frames: 0, pairs: row2.support.pairs }
    const down = diffContracts(both, weakened).changes.find((c) => c.row === actual.row)!
    expect(down).toMatchObject({ breaking: true })
    expect(down.detail).toContain('frames tier 1 → 0 (no raw frame left)')
  })

  it('refuses a pairs file that is not the pairing format (exit-2 error naming the file)', async () => {
    const bad = join(tempDir(), 'bad-pairs.json')
    writeJsonAtomic(bad, { pairs: [{ request_id: 'x' }] })
    await expect(derive([], [bad])).rejects.toThrow(/Failed to read pairs file .*bad-pairs\.json/)
  })

  it('names the pairs file and the reason: absent, not JSON, not the pairing format', () => {
    const dir = tempDir()
    const file = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text)
      return join(dir, name)
    }
    const failure = (f: string): unknown => {
      try {
        readPairsFile(f)
      } catch (error) {
        return { code: (error as OigError).code, message: (error as Error).message }
      }
      return null
    }
    const absent = join(dir, 'absent.json')
    expect(failure(absent)).toEqual({
      code: 'PAIRS_INVALID',
      message: `Failed to read pairs file ${absent}: file does not exist.`,
    })
    const notJson = file('a.json', '{"pairs": [')
    expect(failure(notJson)).toMatchObject({
      code: 'PAIRS_INVALID',
      message: expect.stringMatching(/^Failed to read pairs file .*a\.json: not JSON \(.+\)\.$/),
    })
    const wrong = file('b.json', '{"pairs": [{"request_id": "x"}]}')
    expect(failure(wrong)).toMatchObject({
      code: 'PAIRS_INVALID',
      message: expect.stringMatching(
        /^Failed to read pairs file .*b\.json: it does not match the pairs format \(pairs\.0\.request_id: .+\)\.$/,
      ),
    })
  })
})

describe('contract validate', () => {
  it('resolves every pair citation of the shipped contract with --pairs', async () => {
    const v = await runValidate({
      contract: readContract(join(REPO_ROOT, 'contracts', 'oig-cloud.contract.json')),
      dbs: realDbs(),
      sessionFiles: [],
      pairs: realPairs(),
      strict: true,
    })
    expect(v.problems.filter((p) => p.severity !== 'info')).toEqual([])
    expect(v).toMatchObject({ verdict: 'valid', sameInputs: true })
  })

  it('fails naming a cited pair that is missing from the pairs file', async () => {
    const c = await derive(realDbs(), realPairs())
    const victim = c.transitions.find((t) => t.id === 'box.poll.isnewfw @normal -> cloud.setting')!
    const cited = victim.pairCitations[0]!
    const doc = JSON.parse(readFileSync(realPairs()[0]!, 'utf8')) as {
      pairs: Array<{ request_id: number }>
    }
    doc.pairs = doc.pairs.filter((p) => p.request_id !== cited.requestId)
    const dir = tempDir()
    const pairsFile = join(dir, 'pairs-2025-12-ha-full.json')
    writeJsonAtomic(pairsFile, doc)
    // Re-derive against the edited file so that only the missing pair differs, not the sha256.
    const edited = await derive(realDbs(), [pairsFile])
    const contractFile = join(dir, 'c.json')
    const withCitation = structuredClone(edited)
    const row2 = withCitation.transitions.find((t) => t.id === victim.id)!
    row2.pairCitations = [
      { ...cited, sha256: edited.inputs.find((i) => i.format === 'pairs')!.sha256 },
      ...row2.pairCitations,
    ]
    writeJsonAtomic(contractFile, withCitation)
    const v = await runValidate({
      contract: readContract(contractFile),
      dbs: realDbs(),
      sessionFiles: [],
      pairs: [pairsFile],
      strict: false,
    })
    expect(v.verdict).toBe('invalid')
    expect(v.problems.map((p) => p.message)).toContain(
      `row ${victim.id}: pair pairs-2025-12-ha-full.json ${cited.requestId}→${cited.responseId} is not in the pairs file`,
    )
  })

  it('fails naming both replies when a row is edited to claim another one', async () => {
    const c = await derive(realDbs(), realPairs())
    const edited = structuredClone(c)
    const victim = edited.transitions.find(
      (t) => t.id === 'box.poll.isnewfw @normal -> cloud.end|cloud.end-time',
    )!
    victim.response = 'cloud.nack'
    const file = join(tempDir(), 'edited.contract.json')
    writeJsonAtomic(file, edited)
    const v = await runValidate({
      contract: readContract(file),
      dbs: realDbs(),
      sessionFiles: [],
      pairs: realPairs(),
      strict: false,
    })
    expect(v.verdict).toBe('invalid')
    const messages = v.problems.filter((p) => p.severity === 'error').map((p) => p.message)
    const cited = victim.pairCitations[0]!
    expect(messages).toContain(
      `row ${victim.id}: pair pairs-2025-12-ha-full.json ${cited.requestId}→${cited.responseId} shows box.poll.isnewfw @normal -> cloud.end|cloud.end-time, but the row claims box.poll.isnewfw @normal -> cloud.nack`,
    )
    expect(
      messages.some((m) => m.includes('its fields say box.poll.isnewfw @normal -> cloud.nack')),
    ).toBe(true)
  })

  it('accepts the shipped contract against the real captures', async () => {
    const v = await runValidate({
      contract: readContract(join(REPO_ROOT, 'contracts', 'oig-cloud.contract.json')),
      dbs: realDbs(),
      sessionFiles: [],
      pairs: realPairs(),
      strict: true,
    })
    expect(v.problems.filter((p) => p.severity !== 'info')).toEqual([])
    expect(v).toMatchObject({ verdict: 'valid', sameInputs: true })
    expect(v.counts.supported).toBe(v.counts.rows)
  })

  it('rejects an invented row and a citation that points at frames that do not show its row', async () => {
    const c = await derive(realDbs())
    const template = row(c, 'box.poll.isnewset(merged) @normal -> cloud.end-time')!
    const invented = structuredClone(template)
    invented.id = 'box.poll.isnewweather @normal -> cloud.ack'
    invented.request = {
      class: 'box.poll.isnewweather',
      table: null,
      eventType: null,
      pollForm: null,
    }
    invented.response = 'cloud.ack'
    const bad = structuredClone(c)
    bad.transitions.push(invented)
    const victim = bad.transitions.find((t) => t.id === 'box.end @normal -> cloud.ack')!
    victim.citations[0] = { ...victim.citations[0]!, requestId: 13796, replyId: 13797 }
    const file = join(tempDir(), 'bad.contract.json')
    writeJsonAtomic(file, bad)
    const v = await runValidate({
      contract: readContract(file),
      dbs: realDbs(),
      sessionFiles: [],
      strict: false,
    })
    expect(v.verdict).toBe('invalid')
    const errors = v.problems.filter((p) => p.severity === 'error').map((p) => p.message)
    expect(errors).toContain(
      'row box.poll.isnewweather @normal -> cloud.ack: no captured sequence supports it; the captures show for box.poll.isnewweather @normal: no such BOX frame at all',
    )
    expect(errors).toContain(
      'row box.end @normal -> cloud.ack: citation session-2026-02-17-conn2315.db rows 13796→13797 show box.upload[tbl_dc_in] @normal -> cloud.ack-getactual, but the row claims box.end @normal -> cloud.ack',
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
      contract: readContract(file),
      dbs: realDbs(),
      sessionFiles: [],
      strict: false,
    })
    expect(lenient.verdict).toBe('valid')
    expect(lenient.missing).toEqual(['box.end @normal -> cloud.ack'])
    const strict = await runValidate({
      contract: readContract(file),
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
