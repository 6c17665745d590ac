// Runs one oigctl command in this process and reports its peak RSS for scripts/bench.mjs: the
// last stderr line is {"maxRssKiB": …, "exitCode": …}. Needs a build (dist/).
import { run } from '../dist/cli/main.js'

const exitCode = await run([process.execPath, 'oigctl', ...process.argv.slice(2)])
const report = { maxRssKiB: process.resourceUsage().maxRSS, exitCode }
process.stderr.write(`\n${JSON.stringify(report)}\n`)
process.exitCode = exitCode
