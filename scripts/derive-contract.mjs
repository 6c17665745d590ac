// Regenerates contracts/oig-cloud.contract.json from every real capture DB and pairs file
// (npm run contract:derive).
// Captures: $OIGCTL_CAPTURES, else ../shared/captures beside the checkout. Runs the built CLI.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dir = process.env.OIGCTL_CAPTURES || path.resolve(ROOT, '..', 'shared', 'captures')
if (!existsSync(dir)) {
  console.error(`Failed to derive the contract: real captures not found at ${dir}.`)
  console.error('Hint: place ../shared beside the checkout or set OIGCTL_CAPTURES.')
  process.exit(2)
}
const dbs = readdirSync(dir)
  .filter((f) => f.endsWith('.db'))
  .sort()
const pairs = readdirSync(dir)
  .filter((f) => /^pairs-.*\.json$/.test(f))
  .sort()
const args = [path.join(ROOT, 'bin', 'oigctl.js'), 'contract', 'derive', '--quiet']
for (const f of dbs) args.push('--db', path.join(dir, f))
for (const f of pairs) args.push('--pairs', path.join(dir, f))
args.push('--out', path.join(ROOT, 'contracts', 'oig-cloud.contract.json'))
const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] })
if (r.status !== 0) process.exit(r.status ?? 2)
console.log(
  `wrote contracts/oig-cloud.contract.json from ${dbs.length} capture DB(s) and ${pairs.length} pairs file(s) in ${dir}`,
)
