/**
 * `gate --rehearse-rollback` at the I/O edge: starts the proxy (offline, `contract` replies,
 * control API on a free loopback port), replays a real session on ONE live BOX connection, flips
 * the reply set to `legacy` through the control API, replays again on the same connection, flips
 * back and replays a third time, and records what each replay got as rollback-rehearsal evidence.
 */
import fs from 'node:fs'
import path from 'node:path'
import { ReplyPolicy } from '../contract/reply-policy.js'
import type { LoadedContract } from '../contract/files.js'
import { OigError, reasonOf } from '../errors.js'
import type { ProxyLogEvent } from '../evidence/schemas/proxy-events.js'
import { ReplayConnection, type ReplayPacing } from '../replay/client.js'
import { FIXTURE_V1_SUFFIX, PACK_INDEX_SUFFIX } from '../evidence/fixture-files.js'
import { loadSessions } from '../replay/load-session.js'
import type { LocalReplySet } from '../targets/replies/local-reply.js'
import { startProxy } from '../targets/proxy/server.js'
import { GENERATOR } from '../version.js'
import { rehearsalChecks, tallyPhase, type SwitchOutcome } from './rehearsal-checks.js'
import {
  REHEARSAL_SCHEMA_VERSION,
  type RehearsalPhase,
  type RollbackRehearsal,
} from './rehearsal-schema.js'
import { LOCAL_REPLIES_PATH, localRepliesBody } from './rollback-api.js'
import { layout } from '../evidence/layout.js'

export interface RehearseOptions {
  readonly evidenceDir: string
  /** The session to replay; default: the first of `<evidence>/sessions/` (a pack, or a version 1 fixture). */
  readonly sessionFile?: string | null
  readonly contract: LoadedContract
  /**
   * Wait this long for each reply (local replies come at once; default 1000 ms). A frame without
   * a reply closes the live connection (a late reply would be taken for the next frame's), so the
   * rest are `closed` and the checks fail naming the frame.
   */
  readonly replyTimeoutMs?: number
  /** Listen this long after each replay for late or duplicate frames (default 100 ms). */
  readonly settleMs?: number
}

type Call = RollbackRehearsal['controlCalls'][number]

/** The session fixture to rehearse with: the given file, else the first pack (or version 1 fixture) in the evidence. */
export function findSessionFile(evidenceDir: string, explicit: string | null | undefined): string {
  if (explicit) return explicit
  const dir = layout(evidenceDir).sessionsDir
  const names = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((n) => n.endsWith(PACK_INDEX_SUFFIX) || n.endsWith(FIXTURE_V1_SUFFIX))
        .sort()
    : []
  if (!names[0])
    throw new OigError(
      'SESSION_NOT_FOUND',
      `Failed to rehearse the rollback: no session fixture in ${dir}.`,
      {
        hint: 'Run oigctl extract --out <evidence> first, or pass --session FILE.',
      },
    )
  return path.join(dir, names[0])
}

async function call(base: string, method: 'GET' | 'POST', body: string | null): Promise<Call> {
  const rec = { method, path: LOCAL_REPLIES_PATH, body }
  try {
    const res = await fetch(`${base}${LOCAL_REPLIES_PATH}`, {
      method,
      headers: body === null ? {} : { 'content-type': 'application/json' },
      ...(body === null ? {} : { body }),
      signal: AbortSignal.timeout(5000),
    })
    return { ...rec, status: res.status, response: await res.text() }
  } catch (error) {
    return { ...rec, status: null, response: `request failed: ${reasonOf(error)}` }
  }
}

const setOf = (c: Call): string | null => {
  try {
    return (JSON.parse(c.response) as { set?: string }).set ?? null
  } catch {
    return null
  }
}

/** Runs the rehearsal; throws OigError only when it cannot run (no session, no contract, no port). */
export async function rehearseRollback(opts: RehearseOptions): Promise<RollbackRehearsal> {
  const started = performance.now()
  const sessionFile = findSessionFile(opts.evidenceDir, opts.sessionFile)
  const { contract, sha256 } = opts.contract
  const loaded = (await loadSessions(sessionFile)).find((s) => s.plan.steps.length > 0)
  if (!loaded)
    throw new OigError(
      'SESSION_EMPTY',
      `Failed to rehearse the rollback: ${sessionFile} has no BOX frame.`,
      {
        hint: 'Pass --session with a session that has uploads and polls.',
      },
    )
  const { plan, fixture } = loaded
  const raws = new Map(plan.steps.map((s) => [s.seq, s.raw]))
  const policy = new ReplyPolicy(contract)
  const events: ProxyLogEvent[] = []
  const proxy = await startProxy({
    listen: { host: '127.0.0.1', port: 0 },
    mode: 'offline',
    replyTimeoutMs: 5000,
    failThreshold: 3,
    retryIntervalMs: 60_000,
    localReplies: 'contract',
    contract,
    controlPort: 0,
    idleTimeoutMs: 600_000,
    maxConnections: 4,
    log: { write: (e) => events.push(e) },
  })
  const control = `http://127.0.0.1:${proxy.controlPort ?? 0}`
  const pacing: ReplayPacing = {
    speed: 1,
    maxSpeed: true,
    replyTimeoutMs: opts.replyTimeoutMs ?? 1000,
    holdAfterS: 0,
  }
  const calls: Call[] = []
  const switches = (): Array<{ at: string; from: LocalReplySet; to: LocalReplySet }> =>
    events.flatMap((e) =>
      e.event === 'local-replies' ? [{ at: e.at, from: e.from, to: e.to }] : [],
    )
  let conn: ReplayConnection | null = null
  try {
    conn = await ReplayConnection.open(
      { host: '127.0.0.1', port: proxy.port },
      pacing.replyTimeoutMs,
    )
    const live = conn
    const phase = async (set: LocalReplySet): Promise<RehearsalPhase> => {
      const steps = await live.replay(plan, pacing)
      await live.hold(opts.settleMs ?? 100)
      return tallyPhase(set, steps, raws, policy, live.takeUnsolicited().length)
    }
    const flip = async (to: LocalReplySet, from: LocalReplySet): Promise<SwitchOutcome> => {
      const post = await call(control, 'POST', localRepliesBody(to))
      const get = await call(control, 'GET', null)
      calls.push(post, get)
      const accepted = post.status === 200 && setOf(post) === to
      const confirmed = get.status === 200 && setOf(get) === to
      const logged = switches().some((s) => s.from === from && s.to === to)
      return {
        accepted,
        confirmed,
        logged,
        detail: `POST ${LOCAL_REPLIES_PATH} ${post.body ?? ''} → ${post.status ?? 'failed'} ${post.response.trim()}; GET → ${get.response.trim()}; ${logged ? 'logged' : 'NOT logged'} as a local-replies event`,
      }
    }
    const before = await phase('contract')
    const toLegacy = await flip('legacy', 'contract')
    const legacy = await phase('legacy')
    const back = await flip('contract', 'legacy')
    const after = await phase('contract')
    const checks = rehearsalChecks({
      phases: [before, legacy, after],
      toLegacy,
      back,
      connections: proxy.state().connections.total,
      closed: live.closed,
      closeReason: live.closed ? live.closeReason : null,
    })
    return {
      kind: 'rollback-rehearsal',
      schemaVersion: REHEARSAL_SCHEMA_VERSION,
      generator: GENERATOR,
      generatedAt: new Date().toISOString(),
      contract: {
        file: opts.contract.file,
        version: contract.version,
        sha256,
      },
      session: {
        file: sessionFile,
        id: plan.sessionId,
        source: fixture.source.file,
        sha256: fixture.source.sha256,
        frames: plan.steps.length,
      },
      proxy: { mode: 'offline', listen: `127.0.0.1:${proxy.port}`, control },
      controlCalls: calls,
      switches: switches(),
      connection: {
        connections: proxy.state().connections.total,
        closed: live.closed,
        closeReason: live.closed ? live.closeReason : null,
      },
      phases: [before, legacy, after],
      checks,
      pass: checks.every((c) => c.pass),
      durationMs: Math.round(performance.now() - started),
    }
  } finally {
    conn?.destroy()
    await proxy.close('rehearsal done')
  }
}
