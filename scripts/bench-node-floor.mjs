// What Node itself costs, without oigctl: context for the ratios of scripts/bench.mjs (the
// sqlite3 CLI floor is C end to end). Usage:
//   node scripts/bench-node-floor.mjs lean <db>       every row's rowid, ts, conn_id and direction
//                                                      (what any session split reads) as page
//                                                      strings, the cheapest read measured, no work
//   node scripts/bench-node-floor.mjs write <dir> <bytes>  <bytes> of text written to a file in
//                                                      1 MiB chunks (an extract's output size)
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'

const [mode, target, size] = process.argv.slice(2)
if (mode === 'lean') {
  const db = new Database(target, { readonly: true, fileMustExist: true })
  const page = db
    .prepare(
      `SELECT group_concat(r, char(30)), count(*), max(rid) FROM (SELECT rowid AS rid,
         rowid || char(31) || ts || char(31) || conn_id || char(31) || direction AS r
         FROM frames WHERE rowid > ? ORDER BY rowid LIMIT 8192)`,
    )
    .raw(true)
  let chars = 0
  let last = -1
  for (;;) {
    const [text, count, max] = page.get(last)
    if (count === 0) break
    chars += text?.length ?? 0
    last = max
  }
  db.close()
  process.stdout.write(`${chars}\n`)
} else if (mode === 'write') {
  const file = path.join(target, 'node-floor-write.txt')
  const chunk = 'x'.repeat(1 << 20)
  const fd = fs.openSync(file, 'w')
  for (let left = Number(size); left > 0; left -= chunk.length)
    fs.writeSync(fd, left >= chunk.length ? chunk : chunk.slice(0, left))
  fs.closeSync(fd)
  fs.rmSync(file)
} else {
  process.stderr.write('usage: bench-node-floor.mjs lean <db> | write <dir> <bytes>\n')
  process.exitCode = 2
}
