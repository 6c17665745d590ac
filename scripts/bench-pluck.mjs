// One full read of the `raw` column of a capture DB with better-sqlite3 pluck(): half of the floor
// that scripts/bench.mjs sets every figure against. Usage: node scripts/bench-pluck.mjs <db>
import Database from 'better-sqlite3'

const db = new Database(process.argv[2], { readonly: true, fileMustExist: true })
let bytes = 0
for (const raw of db.prepare('SELECT raw FROM frames').pluck().iterate()) bytes += raw?.length ?? 0
db.close()
process.stdout.write(`${bytes}\n`)
