/** Builds the `kind: "session"` fixture of one session (pure). */
import { findSettingHandshakes } from '../capture/handshakes.js'
import type { Session } from '../capture/sessions.js'
import { sourceLabel, type SourceRef } from '../capture/source-ref.js'
import {
  SESSION_FIXTURE_SCHEMA_VERSION,
  type SessionFixture,
} from '../evidence/schemas/session-fixture.js'

/** Stable id of a session: its source's label and the session's position in it. */
export function sessionId(label: string, session: Pick<Session, 'index' | 'connId'>): string {
  const conn = session.connId === null ? '' : `-conn${session.connId}`
  return `${label}#${String(session.index).padStart(4, '0')}${conn}`
}

/** File name of a session fixture (safe for any file system). */
export function fixtureFileName(id: string): string {
  return `${id.replace(/[^A-Za-z0-9._-]+/g, '_')}.session.json`
}

/** `label` defaults to the source's file stem; extract makes it unique when two inputs share one. */
export function toFixture(
  session: Session,
  source: SourceRef,
  generator: { name: 'oigctl'; version: string },
  label: string = sourceLabel(source.file),
): SessionFixture {
  const frames = session.frames
  const first = frames.find((f) => f.tsMs !== null)
  const last = [...frames].reverse().find((f) => f.tsMs !== null)
  return {
    kind: 'session',
    schemaVersion: SESSION_FIXTURE_SCHEMA_VERSION,
    generator,
    source: {
      file: source.file,
      sha256: source.sha256,
      format: source.format,
      synthetic: source.synthetic,
    },
    session: {
      id: sessionId(label, session),
      index: session.index,
      connId: session.connId,
      cloudConnIds: session.cloudConnIds,
      boundary: session.boundary,
      firstTs: first?.ts ?? null,
      lastTs: last?.ts ?? null,
      durationMs: first && last ? Math.round((last.tsMs! - first.tsMs!) * 1000) / 1000 : null,
      frameCount: frames.length,
    },
    frames: frames.map((f) => ({
      id: f.id,
      ts: f.ts,
      origin: f.origin,
      destination: f.destination,
      direction: f.direction,
      connId: f.connId,
      class: f.class,
      table: f.table,
      eventType: f.eventType,
      pollForm: f.pollForm,
      item: f.item,
      crcOk: f.crcOk,
      raw: f.raw,
      ...(f.rawB64 === undefined ? {} : { rawB64: f.rawB64 }),
      tableName: f.tableName,
      gapMs: f.gapMs,
      answers: f.answers,
      replyId: f.replyId,
      latencyMs: f.latencyMs,
      notes: f.notes,
    })),
    handshakes: findSettingHandshakes(frames),
    findings: session.findings,
  }
}
