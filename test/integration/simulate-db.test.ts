import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { classifyText } from '../../src/protocol/classify.js'
import { generateSyntheticRows } from '../../src/simulate/model.js'
import { SimulateError, writeSyntheticDb } from '../../src/simulate/synthetic-db.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    fs.chmodSync(dir, 0o700)
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oigctl-simulate-'))
  dirs.push(dir)
  return dir
}

interface DbRow {
  id: number
  ts: string
  device_id: string | null
  table_name: string
  raw: string
  raw_b64: string | null
  parsed: string
  direction: string
  conn_id: number
  peer: string
  length: number
}

function readDb(file: string): { rows: DbRow[]; meta: Record<string, string>; columns: string[] } {
  const db = new Database(file, { readonly: true, fileMustExist: true })
  try {
    const rows = db.prepare('SELECT * FROM frames ORDER BY id').all() as DbRow[]
    const meta = Object.fromEntries(
      (
        db.prepare('SELECT key, value FROM oigctl_meta').all() as Array<{
          key: string
          value: string
        }>
      ).map((m) => [m.key, m.value]),
    )
    const columns = (
      db.prepare('PRAGMA table_info(frames)').all() as Array<{ name: string; type: string }>
    ).map((c) => `${c.name} ${c.type}`)
    return { rows, meta, columns }
  } finally {
    db.close()
  }
}

async function expectSimulateError(
  promise: Promise<unknown>,
  code: string,
): Promise<SimulateError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SimulateError)
  expect((error as SimulateError).code).toBe(code)
  return error as SimulateError
}

describe('writeSyntheticDb', () => {
  it('writes the model rows into the add-on frames layout, labelled synthetic', async () => {
    const dir = tempDir()
    const out = path.join(dir, 'synthetic.db')
    const progress: number[] = []
    const result = await writeSyntheticDb({ out, seed: 5, sessions: 30 }, (n) => progress.push(n))

    const { rows, meta, columns } = readDb(out)
    expect(columns).toEqual([
      'id INTEGER',
      'ts TEXT',
      'device_id TEXT',
      'table_name TEXT',
      'raw TEXT',
      'raw_b64 TEXT',
      'parsed TEXT',
      'direction TEXT',
      'conn_id INTEGER',
      'peer TEXT',
      'length INTEGER',
    ])
    expect(meta).toMatchObject({ synthetic: '1', generator: 'oigctl simulate', seed: '5' })

    const model = [...generateSyntheticRows({ seed: 5, sessions: 30 })]
    expect(rows).toHaveLength(model.length)
    expect(result.rows).toBe(model.length)
    expect(result.sessions).toBe(30)
    expect(result.path).toBe(out)
    expect(result.seed).toBe(5)
    expect(result.from).toBe(model[0]!.ts)
    expect(result.to).toBe(model.at(-1)!.ts)
    expect(progress.at(-1)).toBe(model.length)
    expect(rows.map((r) => r.id)).toEqual(model.map((_, i) => i + 1))
    expect(
      rows.map((r) => [r.ts, r.device_id, r.table_name, r.raw, r.direction, r.conn_id, r.length]),
    ).toEqual(
      model.map((m) => [m.ts, m.deviceId, m.tableName, m.raw, m.direction, m.connId, m.length]),
    )
    expect(new Set(rows.map((r) => r.peer))).toEqual(new Set(['synthetic']))
    expect(new Set(rows.map((r) => r.parsed))).toEqual(new Set(['{}']))
    expect(new Set(rows.map((r) => r.raw_b64))).toEqual(new Set([null]))
    expect(fs.readdirSync(dir)).toEqual(['synthetic.db'])
  })

  it('reports class counts that classifyText confirms on the stored frames', async () => {
    const out = path.join(tempDir(), 'busy.db')
    const result = await writeSyntheticDb({ out, seed: 9, days: 1, settingsPerDay: 40 })
    const counts: Record<string, number> = {}
    for (const r of readDb(out).rows) {
      const c = classifyText(r.raw, r.direction === 'box_to_proxy' ? 'box' : 'cloud')
      expect(c.crcOk).toBe(true)
      counts[c.class] = (counts[c.class] ?? 0) + 1
    }
    expect(result.classCounts).toEqual(counts)
    expect(result.settingHandshakes).toBe(counts['cloud.setting'])
    expect(result.settingHandshakes).toBeGreaterThan(10)
  })

  it('gives the same counts when every frame is re-classified (verify)', async () => {
    const dir = tempDir()
    const a = await writeSyntheticDb({ out: path.join(dir, 'a.db'), seed: 2, sessions: 50 })
    const b = await writeSyntheticDb({
      out: path.join(dir, 'b.db'),
      seed: 2,
      sessions: 50,
      verify: true,
    })
    expect(b.classCounts).toEqual(a.classCounts)
  })

  it('writes exactly the requested number of rows and leaves a normal journal mode', async () => {
    const out = path.join(tempDir(), 'rows.db')
    const result = await writeSyntheticDb({ out, seed: 1, rows: 1001 })
    expect(result.rows).toBe(1001)
    expect(readDb(out).rows).toHaveLength(1001)
    const db = new Database(out, { readonly: true })
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('delete')
    } finally {
      db.close()
    }
  })

  it('refuses to overwrite an existing file unless forced', async () => {
    const dir = tempDir()
    const out = path.join(dir, 'x.db')
    await writeSyntheticDb({ out, seed: 1, sessions: 3 })
    const before = fs.readFileSync(out)

    const error = await expectSimulateError(
      writeSyntheticDb({ out, seed: 2, sessions: 3 }),
      'OUT_EXISTS',
    )
    expect(error.message).toMatch(/already exists/)
    expect(fs.readFileSync(out).equals(before)).toBe(true)
    expect(fs.readdirSync(dir)).toEqual(['x.db'])

    const forced = await writeSyntheticDb({ out, seed: 2, sessions: 3, force: true })
    expect(readDb(out).meta.seed).toBe('2')
    expect(readDb(out).rows).toHaveLength(forced.rows)
    expect(fs.readdirSync(dir)).toEqual(['x.db'])
  })

  it('fails with OUT_UNWRITABLE for a missing directory and creates nothing', async () => {
    const dir = tempDir()
    const out = path.join(dir, 'missing', 'x.db')
    const error = await expectSimulateError(
      writeSyntheticDb({ out, seed: 1, sessions: 3 }),
      'OUT_UNWRITABLE',
    )
    expect(error.message).toContain('does not exist')
    expect(fs.readdirSync(dir)).toEqual([])
  })

  it.skipIf(process.getuid?.() === 0)(
    'fails with OUT_UNWRITABLE in a read-only directory and leaves no temp file',
    async () => {
      const dir = tempDir()
      fs.chmodSync(dir, 0o500)
      await expectSimulateError(
        writeSyntheticDb({ out: path.join(dir, 'x.db'), seed: 1, sessions: 3 }),
        'OUT_UNWRITABLE',
      )
      expect(fs.readdirSync(dir)).toEqual([])
    },
  )

  it('fails with OUT_UNWRITABLE when the temp file cannot be created, even as root', async () => {
    const dir = tempDir()
    // 240 characters fit a file name; with the temp suffix the name exceeds NAME_MAX (255).
    const out = path.join(dir, `${'x'.repeat(237)}.db`)
    const error = await expectSimulateError(
      writeSyntheticDb({ out, seed: 1, sessions: 3 }),
      'OUT_UNWRITABLE',
    )
    expect(error.message).toContain(`cannot create a file in ${dir}`)
    expect(fs.readdirSync(dir)).toEqual([])
  })

  it('removes its temp file and publishes nothing when writing fails midway', async () => {
    const dir = tempDir()
    const out = path.join(dir, 'x.db')
    let seenTemp: string[] = []
    const error = await expectSimulateError(
      writeSyntheticDb({ out, seed: 1, rows: 60_000 }, () => {
        seenTemp = fs.readdirSync(dir)
        throw new Error('disk full (injected)')
      }),
      'WRITE_FAILED',
    )
    expect(error.message).toContain('disk full (injected)')
    expect(seenTemp).toHaveLength(1)
    expect(seenTemp[0]).toMatch(/^x\.db\.tmp-\d+-[0-9a-f]+$/)
    expect(fs.readdirSync(dir)).toEqual([])
  })

  it('rejects invalid options before touching the disk', async () => {
    const dir = tempDir()
    const out = path.join(dir, 'x.db')
    const error = await expectSimulateError(
      writeSyntheticDb({ out, seed: 1, days: 1, rows: 10 }),
      'INVALID_OPTIONS',
    )
    expect(error.message).toMatch(/only one of days, sessions, rows/)
    await expectSimulateError(writeSyntheticDb({ out, seed: 1, start: 'soon' }), 'INVALID_OPTIONS')
    expect(fs.readdirSync(dir)).toEqual([])
  })
})
