/**
 * The coverage criterion (pure): every request key (class, upload table, events type, IsNewSet
 * form) that the evidence shows — with real cloud replies in the contract or in the compared
 * captures, or sent by the BOX in the captures at all — must have at least `minJudged` judged,
 * matching replies for each contract-aligned target, and the setting handshake at least
 * `minHandshakes` judged, passing batches, one of them with two or more Settings. Nothing
 * uncovered is ever a pass: a KEEP names every uncovered key with its counts and what would
 * cover it.
 */
import type { CompareReport } from '../compare/report-schema.js'
import { makeRequestKey, requestId } from '../contract/keys.js'
import type { Contract, PollForm } from '../contract/schema.js'
import type { ExtractResult } from '../evidence/schemas/extract-result.js'
import { nullRecord, ownValue } from '../own.js'
import type { BoxClass, EventType } from '../protocol/frame-class.js'
import { shellWord } from './fix.js'

/** The smallest thresholds a checklist may set (below them a checklist is refused, exit 2). */
export const COVERAGE_FLOOR = { minJudged: 1, minHandshakes: 1 } as const
/** A batch this large must pass at least once (PROTOCOL.md §4, §8: batches of 2, 3 and 16). */
export const MIN_BATCH_SETTINGS = 2

export interface CoverageOptions {
  readonly targets: readonly string[]
  readonly minJudged: number
  readonly minHandshakes: number
}

interface KeyParts {
  readonly class: string
  readonly table: string | null
  readonly eventType: string | null
  readonly pollForm?: string | null
}

/**
 * The key's name as the contract writes it (`box.upload[tbl_actual]`, `box.events[Setting]`,
 * `box.poll.isnewset(short)`, `box.poll.isnewfw`); an events type or IsNewSet form left out
 * (null) is not known — a class-level (pairs) row.
 */
export function coverageKey(k: KeyParts): string {
  return requestId(
    makeRequestKey(
      k.class as BoxClass,
      k.table,
      k.eventType as EventType | null,
      k.pollForm as PollForm | null | undefined,
    ),
  )
}

/** The key's class when its qualifier (events type, IsNewSet form) is unknown, else null. */
function unqualifiedClass(key: string): string | null {
  return key === 'box.events' || key === 'box.poll.isnewset' ? key : null
}

/** A row key matches a coverage key; a key whose qualifier is unknown takes any qualifier. */
function rowMatches(key: string, rowKey: string): boolean {
  const cls = unqualifiedClass(key)
  return (
    key === rowKey ||
    (cls !== null && (rowKey.startsWith(`${cls}[`) || rowKey.startsWith(`${cls}(`)))
  )
}

type Row = CompareReport['sessions'][number]['rows'][number]
type Session = CompareReport['sessions'][number]

const rowKey = (r: Row): string =>
  coverageKey({
    class: r.requestClass,
    table: r.table,
    eventType: r.eventType,
    pollForm: r.pollForm,
  })

export interface KeyCoverage {
  readonly key: string
  /** BOX frames of this key in the frame captures (contract requests, or the compared rows). */
  readonly seen: number
  /** Requests of it the class-level pairs show. */
  readonly seenPairs: number
  /** Real cloud replies to it: frames tier (the contract, or the compared captures) and pairs. */
  readonly realReplies: number
  readonly pairReplies: number
  readonly compared: number
  readonly judged: Record<string, number>
  readonly covered: boolean
}

export interface CoverageInput {
  readonly compare: { readonly file: string; readonly doc: CompareReport }
  readonly contract: { readonly file: string; readonly doc: Contract }
  readonly extract: { readonly file: string; readonly doc: ExtractResult } | null
  readonly evidenceDir: string
}

export interface CoverageResult {
  readonly keys: KeyCoverage[]
  readonly reasons: string[]
  readonly fix: string[]
}

interface Tally {
  seen: number
  seenPairs: number
  replies: number
  pairReplies: number
}

/** Every key the evidence shows, with its counts. */
export function keyCoverage(input: CoverageInput, opts: CoverageOptions): KeyCoverage[] {
  const contract = input.contract.doc
  const keys = new Map<string, Tally>()
  const at = (key: string): Tally => {
    let k = keys.get(key)
    if (!k) keys.set(key, (k = { seen: 0, seenPairs: 0, replies: 0, pairReplies: 0 }))
    return k
  }
  if (!contract.synthetic) {
    for (const t of contract.transitions) {
      const k = at(coverageKey(t.request))
      k.replies += t.support.frames
      k.pairReplies += t.support.pairs
    }
    for (const r of contract.requests) {
      const k = at(coverageKey(r.request))
      k.seen += r.support.frames
      k.seenPairs += r.support.pairs
    }
  }
  const rows = input.compare.doc.sessions.flatMap((s) => s.rows)
  for (const r of rows) at(rowKey(r))
  // A class-level key (its events type or IsNewSet form unknown, as in the pairs) lends its
  // evidence to the qualified keys of its class and is kept only when there is none of them.
  for (const cls of ['box.events', 'box.poll.isnewset']) {
    const general = keys.get(cls)
    const qualified = [...keys.keys()].filter((k) => k !== cls && rowMatches(cls, k))
    if (!general || qualified.length === 0) continue
    for (const q of qualified) {
      at(q).seenPairs += general.seenPairs
      at(q).pairReplies += general.pairReplies
    }
    keys.delete(cls)
  }
  const out: KeyCoverage[] = []
  for (const [key, k] of [...keys].sort(([a], [b]) => a.localeCompare(b))) {
    const matching = rows.filter((r) => rowMatches(key, rowKey(r)))
    const captured = matching.filter(
      (r) => r.reference?.kind === 'captured' && r.reference.origin === 'cloud',
    ).length
    const judged = nullRecord<number>()
    for (const t of opts.targets)
      judged[t] = matching.filter((r) => {
        const c = ownValue(r.cells, t)
        return c !== undefined && c.judged && c.classMatch && r.reference?.origin !== 'proxy'
      }).length
    const seen = Math.max(k.seen, matching.length)
    const realReplies = Math.max(k.replies, captured)
    if (seen + k.seenPairs + realReplies + k.pairReplies === 0) continue
    out.push({
      key,
      seen,
      seenPairs: k.seenPairs,
      realReplies,
      pairReplies: k.pairReplies,
      compared: matching.length,
      judged,
      // Without a real reply to it, a judged reply was judged against other requests' replies.
      covered:
        realReplies + k.pairReplies > 0 &&
        opts.targets.every((t) => (ownValue(judged, t) ?? 0) >= opts.minJudged),
    })
  }
  return out
}

/** Sessions of the captures (extract-result) that hold `key`, found through contract citations. */
function sessionsHolding(
  input: CoverageInput,
  key: string,
): { sessions: ExtractResult['sessions']; byClass: boolean } {
  const x = input.extract?.doc
  if (!x) return { sessions: [], byClass: false }
  const cites = input.contract.doc.transitions
    .filter((t) => rowMatches(key, coverageKey(t.request)))
    .flatMap((t) => t.citations)
  const base = (f: string): string => f.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '')
  const within = (ts: string | null, s: ExtractResult['sessions'][number]): boolean =>
    ts === null || s.firstTs === null || s.lastTs === null || (ts >= s.firstTs && ts <= s.lastTs)
  const cited = x.sessions.filter(
    (s) =>
      s.fixture !== null &&
      cites.some((c) => base(c.file) === s.source && c.connId === s.connId && within(c.ts, s)),
  )
  if (cited.length > 0) return { sessions: cited, byClass: false }
  // A request no contract row cites (no reply captured): the sessions holding a frame of its class.
  const cls = key.replace(/[[(].*$/, '')
  const sessions = x.sessions.filter((s) => s.fixture !== null && s.classes.includes(cls as never))
  return { sessions, byClass: true }
}

const OWN_CAPTURE =
  "oigctl pipeline --db /share/oig-proxy/payloads.db  # your own add-on capture, with the cloud's replies recorded"

function joinPath(dir: string, file: string): string {
  return file.startsWith('/') ? file : `${dir.replace(/\/+$/, '')}/${file}`
}

/** The compare command that adds `extra` session fixtures to those already compared. */
function compareCommand(
  input: CoverageInput,
  extra: readonly string[],
  targets: readonly string[],
): string {
  const files = [...new Set([...input.compare.doc.sessions.map((s: Session) => s.file), ...extra])]
  const sessions = files.map((f) => `--session ${shellWord(f)}`).join(' ')
  const names = ['online', ...targets.filter((t) => t !== 'online')].join(',')
  return `oigctl compare ${sessions} --targets ${names} --max-speed --out ${shellWord(input.evidenceDir)}`
}

function describeKey(k: KeyCoverage, opts: CoverageOptions): string {
  const judged = opts.targets.map((t) => `${t} ${ownValue(k.judged, t) ?? 0}`).join(', ')
  const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`
  const pairs = k.seenPairs + k.pairReplies > 0
  return (
    `${k.key}: judged ${judged} of ${opts.minJudged} needed per target; the evidence shows it ${k.seen} time(s) in frames${pairs ? ` and ${k.seenPairs} in class-level pairs` : ''}, ` +
    `${plural(k.realReplies, 'real cloud reply', 'real cloud replies')} in frames${pairs ? ` and ${k.pairReplies} in pairs` : ''}, ${k.compared} compared`
  )
}

/** What would cover an uncovered key: a session of the captures, the targets, or your own capture. */
function coverFor(
  input: CoverageInput,
  k: KeyCoverage,
  opts: CoverageOptions,
): { text: string; fix: string | null } {
  if (k.realReplies + k.pairReplies === 0)
    return {
      text: `no real cloud reply to ${k.key} is in the evidence, so no target's reply to it can be judged on its own; a capture of your own that records the cloud's replies to it is needed`,
      fix: OWN_CAPTURE,
    }
  if (k.seen === 0)
    return {
      text: `the frame captures hold no BOX frame of ${k.key} (only class-level pairs show its replies, and they hold no frames to replay), so no target was asked; a capture of your own with ${k.key} and the cloud's replies is needed`,
      fix: OWN_CAPTURE,
    }
  const compared = new Set(input.compare.doc.sessions.map((s) => s.id))
  const found = sessionsHolding(input, k.key)
  const holding = found.sessions.filter((s) => !compared.has(s.id))
  if (holding.length > 0) {
    const fixtures = holding.map((s) => joinPath(input.evidenceDir, s.fixture!))
    const what = found.byClass ? `a ${k.key.replace(/[[(].*$/, '')} frame` : 'it'
    return {
      text: `the captures hold ${what} in session(s) not compared yet: ${holding.map((s) => s.id).join(', ')}`,
      fix: compareCommand(input, fixtures, opts.targets),
    }
  }
  const absent = opts.targets.filter((t) => !input.compare.doc.targets.some((x) => x.name === t))
  if (absent.length > 0)
    return {
      text: `target(s) ${absent.join(', ')} were not compared`,
      fix: compareCommand(input, [], opts.targets),
    }
  return {
    text: `the frame captures hold no more of it than was compared; a capture of your own with at least ${opts.minJudged} of them is needed`,
    fix: OWN_CAPTURE,
  }
}

/** Setting batches each target passed (judged), and its largest passed batch. */
function handshakeCoverage(
  doc: CompareReport,
  targets: readonly string[],
): Record<string, { passed: number; largest: number }> {
  const out = nullRecord<{ passed: number; largest: number }>()
  for (const t of targets) {
    const passed = doc.sessions
      .flatMap((s) => s.handshakes)
      .filter((h) => h.complete && ownValue(h.targets, t) === 'PASS')
    out[t] = { passed: passed.length, largest: Math.max(0, ...passed.map((h) => h.settings)) }
  }
  return out
}

/** Evaluates coverage; reasons name every uncovered key and handshake shortfall. */
export function checkCoverage(input: CoverageInput, opts: CoverageOptions): CoverageResult {
  const keys = keyCoverage(input, opts)
  const reasons: string[] = []
  const fix: string[] = []
  if (keys.length === 0)
    reasons.push(
      `${input.contract.file}: no request key with a real cloud reply in the evidence${input.contract.doc.synthetic ? ' (the contract is synthetic)' : ''}`,
    )
  for (const k of keys.filter((x) => !x.covered)) {
    const cover = coverFor(input, k, opts)
    reasons.push(`uncovered ${describeKey(k, opts)}; ${cover.text}`)
    if (cover.fix) fix.push(cover.fix)
  }
  const hs = handshakeCoverage(input.compare.doc, opts.targets)
  const short = opts.targets.filter(
    (t) => hs[t]!.passed < opts.minHandshakes || hs[t]!.largest < MIN_BATCH_SETTINGS,
  )
  if (short.length > 0) {
    const counts = opts.targets
      .map((t) => `${t} ${hs[t]!.passed} (largest ${hs[t]!.largest} Setting(s))`)
      .join(', ')
    const x = input.extract?.doc
    const captured = x ? x.settingHandshakes.filter((h) => h.ackId !== null).length : null
    reasons.push(
      `uncovered setting handshake: judged passing batches ${counts}; needed ${opts.minHandshakes} per target, one of them with ${MIN_BATCH_SETTINGS} or more Settings${captured === null ? '' : `; the captures hold ${captured} acknowledged Setting(s)`}`,
    )
    fix.push(
      'oigctl pipeline --db /share/oig-proxy/payloads.db  # your own add-on capture holding setting handshakes, some of them batches (several changes queued in the app at once)',
    )
  }
  return { keys, reasons, fix: [...new Set(fix)] }
}
