/**
 * Help the same way on every command: an Examples block at the end, the global options listed,
 * defaults shown as `(default: X)` (paths inside the package relative to it, never a machine's
 * absolute path), and a bare command group (`oigctl contract`) a usage error.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Command, Help, Option } from 'commander'

/** Examples per command path (`contract derive`); only loopback addresses, no machine paths. */
export const EXAMPLES: ReadonlyMap<string, readonly string[]> = new Map([
  ['oigctl', ['oigctl pipeline', 'oigctl extract --db payloads.db', 'oigctl extract --help']],
  [
    'extract',
    [
      'oigctl extract --db payloads.db --out evidence',
      "oigctl extract --db 'captures/*.db' --conn 2315",
      'oigctl extract --db a.db --db b.db --select setting --from 2025-12-01T00:00:00Z',
      'oigctl extract --session session-export.json --json',
    ],
  ],
  [
    'simulate',
    [
      'oigctl simulate --out synthetic.db --days 2 --seed 7',
      'oigctl simulate --out big.db --rows 1000000',
    ],
  ],
  ['contract', ['oigctl contract derive --db payloads.db --out mine.contract.json']],
  [
    'contract derive',
    [
      'oigctl contract derive --db a.db --db b.db --out mine.contract.json',
      'oigctl contract derive --db payloads.db --pairs pairs.json --out mine.contract.json',
    ],
  ],
  [
    'contract validate',
    [
      'oigctl contract validate --contract mine.contract.json --db payloads.db --strict',
      'oigctl contract validate --contract mine.contract.json --db payloads.db --pairs pairs.json',
    ],
  ],
  ['contract diff', ['oigctl contract diff old.contract.json new.contract.json']],
  [
    'contract merge',
    ['oigctl contract merge box1.contract.json box2.contract.json --out fleet.contract.json'],
  ],
  [
    'pipeline',
    [
      'oigctl pipeline                         # built-in synthetic capture (npm start)',
      'oigctl pipeline --db payloads.db --pairs pairs.json --out evidence',
    ],
  ],
  [
    'replay',
    [
      "oigctl replay --session 'evidence/sessions/payloads.sessions.json#0001-conn7' --target mock",
      'oigctl replay --session evidence/sessions/payloads.sessions.json --target 127.0.0.1:5710 --max-speed --reply-timeout 2s',
      'oigctl replay --session old.session.json --target offline --dry-run',
    ],
  ],
  [
    'compare',
    [
      'oigctl compare --session evidence/sessions/payloads.sessions.json --targets online,mock,offline,hybrid,legacy',
      "oigctl compare --session 'a.sessions.json#0002-conn8' --targets online,tcp://127.0.0.1:5710 --fail-on critical",
    ],
  ],
  [
    'gate',
    [
      'oigctl gate --evidence evidence',
      'oigctl gate --evidence evidence --rehearse-rollback --junit gate.junit.xml',
      'oigctl gate --evidence evidence -q                  # one line: REMOVE or KEEP: <reason>',
      'oigctl gate --evidence evidence --format markdown >> "$GITHUB_STEP_SUMMARY"',
    ],
  ],
  [
    'soak',
    ['oigctl soak --scenario outage', 'oigctl soak --scenario all --duration 5m --time-scale 60'],
  ],
  [
    'show',
    [
      "oigctl show 'evidence/sessions/payloads.sessions.json#0001-conn7'",
      'oigctl show evidence/compare.json --failures-only --target offline',
      'oigctl gate --evidence evidence --json | oigctl show -',
    ],
  ],
  [
    'report',
    ['oigctl report --evidence evidence', 'oigctl report --evidence run2 --out run2.html'],
  ],
  ['serve', ['oigctl serve mock', 'oigctl serve proxy --mode offline']],
  [
    'serve mock',
    [
      'oigctl serve mock                                  # 127.0.0.1:5710, control 127.0.0.1:5711',
      'oigctl serve mock --listen 127.0.0.1:0 --control-port 0 --log events.jsonl --json',
    ],
  ],
  [
    'serve proxy',
    [
      'oigctl serve proxy --mode hybrid --upstream 127.0.0.1:5720 --reply-timeout 2s --retry-interval 30s',
      'oigctl serve proxy --mode offline --local-replies legacy --log -',
    ],
  ],
])

/** `contract derive` for the `derive` sub-command of `contract`; `oigctl` for the program. */
export function commandPath(cmd: Command): string {
  const names: string[] = []
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name())
  return names.length ? names.join(' ') : 'oigctl'
}

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** A default as help shows it: bare text, a path inside the package relative to the package. */
export function defaultText(value: unknown): string {
  const text = Array.isArray(value) ? value.join(', ') : String(value)
  if (path.isAbsolute(text) && text.startsWith(PACKAGE_ROOT))
    return `the shipped ${path.relative(PACKAGE_ROOT, text)}`
  return text
}

/** Every default in one style: `(default: X)`, also for defaults only the description states. */
function optionDescription(option: Option): string {
  const described = option.description.replace(/\(default (?!:)/g, '(default: ')
  const own = option.argChoices
    ? `${described} (choices: ${option.argChoices.join(', ')})`
    : described
  if (option.defaultValue === undefined || option.negate || /\(default: /.test(own)) return own
  const shown = option.defaultValueDescription ?? defaultText(option.defaultValue)
  return `${own} (default: ${shown})`
}

/** Applies the shared help layout to `program` and every command below it. */
export function configureHelp(program: Command): void {
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)]
  for (const cmd of all(program)) {
    cmd.configureHelp({
      showGlobalOptions: true,
      optionDescription: (option: Option) => optionDescription(option),
    } satisfies Partial<Help>)
    const examples = EXAMPLES.get(commandPath(cmd))
    if (examples)
      cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`)
  }
}
