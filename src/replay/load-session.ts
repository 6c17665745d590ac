/** Loads replayable sessions from a fixture written by extract or the add-on's session export. */
import path from 'node:path'
import { DEFAULT_SESSION_GAP_MS, type Session } from '../capture/sessions.js'
import { openSources, streamSessions, type CaptureSource } from '../capture/sources.js'
import { OigError } from '../errors.js'
import { readJsonOrThrow } from '../evidence/read-document.js'
import { SessionFixtureSchema, type SessionFixture } from '../evidence/schemas/session-fixture.js'
import { toFixture } from '../extract/fixture.js'
import { GENERATOR } from '../version.js'
import { planReplay, type ReplayPlan } from './plan.js'

const HINT =
  'Pass --session with a fixture from `oigctl extract` (sessions/*.session.json) or a session export JSON of the add-on.'

/** The session(s) of FILE as replay plans, with the fixtures they came from. */
export async function loadSessions(
  file: string,
): Promise<Array<{ plan: ReplayPlan; fixture: SessionFixture }>> {
  const { value: json } = readJsonOrThrow(file, 'session', ['SESSION_UNREADABLE'], HINT)
  if (
    typeof json === 'object' &&
    json !== null &&
    (json as { kind?: unknown }).kind === 'session'
  ) {
    const parsed = SessionFixtureSchema.safeParse(json)
    if (!parsed.success) {
      const i = parsed.error.issues[0]
      throw new OigError(
        'SESSION_INVALID',
        `Failed to read session ${file}: ${i ? `${i.path.join('.')}: ${i.message}` : 'invalid fixture'}.`,
        { hint: HINT },
      )
    }
    const fx = parsed.data
    return [{ plan: planReplay(fx.session.id, fx.source.file, fx.frames), fixture: fx }]
  }
  const [source] = openSources([], [file])
  const fixtures = await sourceFixtures(source!)
  return fixtures.map((fx) => ({
    plan: planReplay(fx.session.id, path.basename(file), fx.frames),
    fixture: fx,
  }))
}

/** The sessions of a capture source as fixtures, in session order (the source is closed after). */
export async function sourceFixtures(source: CaptureSource): Promise<SessionFixture[]> {
  const sessions: Session[] = []
  try {
    await streamSessions(source, {
      sessionGapMs: DEFAULT_SESSION_GAP_MS,
      onSession: (s) => sessions.push(s),
    })
  } finally {
    source.close()
  }
  sessions.sort((a, b) => a.index - b.index)
  return sessions.map((s) => toFixture(s, source.ref, GENERATOR, source.label))
}
