/** `oigctl extract`: capture DB(s) → session fixtures + evidence summary. */
import type { Command } from 'commander'
import { z } from 'zod'
import { DEFAULT_SESSION_GAP_MS } from '../../capture/sessions.js'
import { ensureWritableDir } from '../../evidence/files.js'
import { runExtract } from '../../extract/run-extract.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import {
  dbOption,
  parseOptions,
  sessionExports,
  sessionFileAlias,
  sessionOption,
} from '../options.js'
import { renderExtract } from '../render/extract.js'

const ExtractOptions = z.object({
  db: z.array(z.string()).default([]),
  session: z.array(z.string()).default([]),
  sessionFile: z.array(z.string()).default([]),
  from: z.string().nullable().default(null),
  to: z.string().nullable().default(null),
  conn: z.coerce.number().int().nullable().default(null),
  select: z.enum(['all', 'setting', 'polls']).default('all'),
  out: z.string().min(1).default('evidence'),
  sessionGapS: z.coerce
    .number()
    .positive()
    .default(DEFAULT_SESSION_GAP_MS / 1000),
  strict: z.boolean().default(false),
})

export function registerExtract(program: Command, ctx: CommandContext): void {
  program
    .command('extract')
    .description(
      'read capture DBs read-only, split them into sessions, classify and check every frame, write fixtures',
    )
    .addOption(
      dbOption('capture DBs (payloads.db): repeatable, several after one --db, or a quoted glob'),
    )
    .addOption(sessionOption())
    .addOption(sessionFileAlias())
    .option('--from <iso>', 'keep sessions that end at or after this time')
    .option('--to <iso>', 'keep sessions that start at or before this time')
    .option('--conn <n>', 'keep the session(s) of this conn_id')
    .option('--select <mode>', 'all | setting (sessions with a setting handshake) | polls', 'all')
    .option(
      '--out <dir>',
      'output folder: <dir>/sessions/*.session.json and <dir>/extract-result.json',
      'evidence',
    )
    .option(
      '--session-gap-s <seconds>',
      'silence that ends a session when conn_id cannot tell',
      String(DEFAULT_SESSION_GAP_MS / 1000),
    )
    .option('--strict', 'warnings count as findings for the exit code')
    .action(async (raw: unknown, command: Command) => {
      const output = ctx.open(command)
      const opts = parseOptions(ExtractOptions, raw, 'extract')
      ensureWritableDir(opts.out)
      const result = await runExtract(
        {
          dbs: opts.db,
          sessionFiles: sessionExports(opts),
          out: opts.out,
          select: opts.select,
          from: opts.from,
          to: opts.to,
          conn: opts.conn,
          sessionGapS: opts.sessionGapS,
        },
        (p) =>
          output.progress(
            `extract: ${p.source}: ${p.rows.toLocaleString('en')} rows, ${p.sessions.toLocaleString('en')} sessions`,
          ),
      )
      // A filter that selects nothing says so (and is a finding under --strict).
      const filters = [
        opts.conn === null ? null : `--conn ${opts.conn}`,
        opts.from === null ? null : `--from ${opts.from}`,
        opts.to === null ? null : `--to ${opts.to}`,
        opts.select === 'all' ? null : `--select ${opts.select}`,
      ].filter((f) => f !== null)
      const emptySelection = filters.length > 0 && result.totals.sessionsSelected === 0
      if (emptySelection)
        output.warn(
          `warning: ${filters.join(' ')} selected no session of the ${result.totals.sessionsRead} read${opts.strict ? ' (--strict: exit 1)' : ''}.`,
        )
      output.result(result, renderExtract)
      const { error, warning } = result.totals.findings
      ctx.setExitCode(
        error > 0 || (opts.strict && (warning > 0 || emptySelection))
          ? ExitCode.Findings
          : ExitCode.Ok,
      )
    })
}
