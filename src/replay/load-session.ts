/** Loads replayable sessions from fixtures written by extract (any version) or the add-on's session export. */
import path from 'node:path'
import { DEFAULT_SESSION_GAP_MS, type Session } from '../capture/sessions.js'
import { openSources, streamSessions, type CaptureSource } from '../capture/sources.js'
import { readFixtures } from '../evidence/fixture-files.js'
import type { SessionFixture } from '../evidence/schemas/session-fixture.js'
import { toFixture } from '../extract/fixture.js'
import { GENERATOR } from '../version.js'
import { planReplay, type ReplayPlan } from './plan.js'

/** The session(s) of FILE as replay plans, with the fixtures they came from. */
export async function loadSessions(
  file: string,
): Promise<Array<{ plan: ReplayPlan; fixture: SessionFixture }>> {
  const fixtures = readFixtures(file)
  if (fixtures !== null)
    return fixtures.map((fx) => ({
      plan: planReplay(fx.session.id, fx.source.file, fx.frames),
      fixture: fx,
    }))
  const [source] = openSources([], [file])
  const fromSource = await sourceFixtures(source!)
  return fromSource.map((fx) => ({
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
