/** `oigctl extract`: capture DB(s) → session fixtures + evidence summary. */
import type { Command } from 'commander'
import { DEFAULT_SESSION_GAP_MS } from '../../capture/sessions.js'
import { ensureWritableDir } from '../../evidence/files.js'
import { runExtract } from '../../extract/run-extract.js'
import type { CommandContext } from '../context.js'
import { ExitCode } from '../exit-codes.js'
import {
  addOptions,
  choiceOption,
  dbOption,
  numberOption,
  outDirOption,
  sessionGapOptions,
  sessionOptions,
  SESSION_INPUT_HELP,
} from '../options.js'
import { renderExtract } from '../render/extract.js'

interface ExtractOptions {
  readonly db?: string[]
  readonly session?: string[]
  readonly from?: string
  readonly to?: string
  readonly conn?: number
  readonly select: 'all' | 'setting' | 'polls'
  readonly out: string
  readonly sessionGap: number
  readonly strict?: boolean
}

export function registerExtract(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('extract')
    .description(
      'read capture DBs read-only, split them into sessions, classify and check every frame, write fixtures',
    )
  addOptions(
    cmd,
    dbOption('capture DBs (payloads.db): repeatable, several after one --db, or a quoted glob'),
    sessionOptions(SESSION_INPUT_HELP),
  )
    .option('--from <iso>', 'keep sessions that end at or after this time')
    .option('--to <iso>', 'keep sessions that start at or before this time')
  addOptions(
    cmd,
    numberOption('--conn <n>', 'keep the session(s) of this conn_id', { int: true }),
    choiceOption(
      '--select <mode>',
      'setting: sessions with a setting handshake; polls: sessions with any poll',
      ['all', 'setting', 'polls'],
      'all',
    ),
    outDirOption(
      'output folder: <dir>/sessions/<capture>.sessions.json (+ .ndjson) and <dir>/extract-result.json',
    ),
    sessionGapOptions(DEFAULT_SESSION_GAP_MS),
  )
    .option('--strict', 'warnings count as findings for the exit code')
    .action(async (opts: ExtractOptions, command: Command) => {
      const output = ctx.open(command)
      ensureWritableDir(opts.out)
      const result = await runExtract(
        {
          dbs: opts.db ?? [],
          sessionFiles: opts.session ?? [],
          out: opts.out,
          select: opts.select,
          from: opts.from ?? null,
          to: opts.to ?? null,
          conn: opts.conn ?? null,
          sessionGapS: opts.sessionGap / 1000,
        },
        output.onProgress,
      )
      // A filter that selects nothing says so (and is a finding under --strict).
      const filters = [
        opts.conn === undefined ? null : `--conn ${opts.conn}`,
        opts.from === undefined ? null : `--from ${opts.from}`,
        opts.to === undefined ? null : `--to ${opts.to}`,
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
