/**
 * Frames are bytes (issue 12 item 2): 1,000 SYNTHETIC uploads (a real upload with one non-ASCII
 * value added, CRC over its bytes; half UTF-8, half single-byte cp1250) from a BOX through
 * `oigctl serve proxy --capture` to `oigctl serve mock` (built CLI, real sockets), then `extract`
 * on the capture, then `replay` of its fixture to a fresh mock: every hop must see the CRC verify
 * and keep the bytes exactly.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { ExtractResult } from '../../src/evidence/schemas/extract-result.js'
import type { SessionFixture } from '../../src/evidence/schemas/session-fixture.js'
import { classifyText } from '../../src/protocol/classify.js'
import { carriedCrcOk } from '../../src/protocol/frame.js'
import { burst } from '../helpers/box-burst.js'
import { realFrames } from '../helpers/box-frames.js'
import { oigctl } from '../helpers/cli.js'
import { frameOf, setTag } from '../helpers/fuzz-frames.js'
import { tempDir } from '../helpers/make-db.js'
import { serveCli } from '../helpers/serve-cli.js'
import { extractedFixtures, fixtureAddresses } from '../helpers/fixtures.js'

const F = realFrames()
const N = 1_000
const INNER = Buffer.from(/^<Frame>(.*)<CRC>/s.exec(F.upload)![1]!, 'utf8')

/** Frame i: UTF-8 text for even i, single-byte cp1250 bytes (not UTF-8) for odd i. */
function frame(i: number): Buffer {
  const value =
    i % 2 === 0
      ? Buffer.from(`Teplota ${i} °C, Řež ěščřžýáíé`, 'utf8')
      : Buffer.concat([Buffer.from(`Teplota ${i} `), Buffer.from([0xb0, 0x43, 0xd8, 0x65, 0x9e])])
  return frameOf(setTag(INNER, 'Note', value))
}

const inEvents = (file: string): Array<{ crcOk: boolean | null; class: string }> =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map(
      (l) => JSON.parse(l) as { event: string; dir?: string; crcOk: boolean | null; class: string },
    )
    .filter((e) => e.event === 'frame' && e.dir === 'in')

describe('non-ASCII frames through mock, proxy, capture, extract and replay', () => {
  it(`keeps ${N} non-ASCII frames byte-exact with CRCs that verify at every hop`, async () => {
    const dir = tempDir()
    const [mockLog, proxyLog, capture] = ['mock.jsonl', 'proxy.jsonl', 'capture.db'].map((f) =>
      join(dir, f),
    ) as [string, string, string]
    const mock = await serveCli('mock', ['--log', mockLog, '--no-control'])
    const proxy = await serveCli('proxy', [
      '--mode',
      'online',
      '--upstream',
      `127.0.0.1:${mock.port}`,
      '--capture',
      capture,
      '--log',
      proxyLog,
      '--no-control',
    ])
    const frames = Array.from({ length: N }, (_, i) => frame(i))
    const r = await burst(proxy.port, frames)
    expect(r.replies.map((b) => classifyText(b, 'cloud').class)).toEqual(
      Array(N).fill('cloud.ack-getactual'),
    )
    for (const run of [proxy, mock]) {
      run.child.kill('SIGTERM')
      expect((await run.exit).code).toBe(143)
    }
    for (const log of [mockLog, proxyLog]) {
      const seen = inEvents(log)
      expect(seen).toHaveLength(N)
      expect(seen.filter((e) => e.crcOk !== true)).toEqual([])
      expect(new Set(seen.map((e) => e.class))).toEqual(new Set(['box.upload']))
    }

    const db = new Database(capture, { readonly: true })
    const rows = db
      .prepare("SELECT raw, raw_b64 FROM frames WHERE direction = 'box_to_proxy' ORDER BY id")
      .all() as Array<{ raw: string | null; raw_b64: string }>
    db.close()
    expect(rows).toHaveLength(N)
    rows.forEach((row, i) => {
      const bytes = Buffer.from(row.raw_b64, 'base64')
      expect(bytes.equals(frames[i]!), `row ${i}`).toBe(true)
      expect(carriedCrcOk(bytes.subarray(0, -2))).toBe(true)
      // raw as text only when it decodes back to the same bytes.
      if (i % 2 === 0) expect(row.raw).toBe(frames[i]!.toString('utf8'))
      else expect(row.raw).toBeNull()
    })

    const out = join(dir, 'ev')
    const x = oigctl(['--json', 'extract', '--db', capture, '--out', out])
    expect(x.code, x.stderr).toBe(0)
    const result = JSON.parse(x.stdout) as ExtractResult
    expect(result.totals.framesRead).toBe(2 * N)
    expect(result.classCounts['box.upload']).toBe(N)
    expect(result.findings.filter((f) => /crc/i.test(f.code))).toEqual([])
    const fixtures: SessionFixture[] = extractedFixtures(out)
    const box = fixtures.flatMap((s) => s.frames).filter((f) => f.origin === 'box')
    expect(box).toHaveLength(N)
    expect(box.filter((f) => f.crcOk !== true)).toEqual([])
    // Bytes that are not UTF-8 ride along as rawB64, so a replay sends them exactly.
    expect(box.filter((f) => f.rawB64 !== undefined)).toHaveLength(N / 2)

    const again = join(dir, 'again.jsonl')
    const target = await serveCli('mock', ['--log', again, '--no-control'])
    const [fixture] = fixtureAddresses(out)
    const replay = oigctl([
      '--json',
      'replay',
      '--session',
      fixture!,
      '--target',
      `tcp://127.0.0.1:${target.port}`,
      '--max-speed',
      '--out',
      join(dir, 'replay'),
    ])
    expect(replay.code, replay.stderr).toBe(0)
    target.child.kill('SIGTERM')
    expect((await target.exit).code).toBe(143)
    const replayed = inEvents(again)
    expect(replayed).toHaveLength(N)
    expect(replayed.filter((e) => e.crcOk !== true)).toEqual([])
  }, 60_000)
})
