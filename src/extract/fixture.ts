/** Builds session fixtures (pure): the one-session document (version 1) and a pack's lines (version 2). */
import { findSettingHandshakes, type SettingHandshake } from '../capture/handshakes.js'
import type { Session, SessionFrame } from '../capture/sessions.js'
import { sourceLabel, type SourceRef } from '../capture/source-ref.js'
import {
  PACK_FRAME_FIELDS,
  SESSION_FIXTURE_SCHEMA_VERSION,
  SESSION_PACK_SCHEMA_VERSION,
  type SessionFixture,
  type SessionInfo,
  type SessionPack,
} from '../evidence/schemas/session-fixture.js'

/** A session's name within its source: its position, and its conn id when it has one. */
export function sessionRef(session: Pick<Session, 'index' | 'connId'>): string {
  const conn = session.connId === null ? '' : `-conn${session.connId}`
  return `${String(session.index).padStart(4, '0')}${conn}`
}

/** Stable id of a session: its source's label and the session's position in it. */
export function sessionId(label: string, session: Pick<Session, 'index' | 'connId'>): string {
  return `${label}#${sessionRef(session)}`
}

/** A name safe for any file system. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_')
}

/** File names of the pack of a source: the index and its lines. */
export function packFileNames(stem: string): { index: string; lines: string } {
  const safe = safeName(stem)
  return { index: `${safe}.sessions.json`, lines: `${safe}.sessions.ndjson` }
}

/** What a fixture says about its session. */
export function sessionInfo(session: Session, label: string): SessionInfo {
  const frames = session.frames
  const first = frames.find((f) => f.tsMs !== null)
  let last: SessionFrame | undefined
  for (let i = frames.length - 1; i >= 0 && last === undefined; i--)
    if (frames[i]!.tsMs !== null) last = frames[i]
  return {
    id: sessionId(label, session),
    index: session.index,
    connId: session.connId,
    cloudConnIds: session.cloudConnIds,
    boundary: session.boundary,
    firstTs: first?.ts ?? null,
    lastTs: last?.ts ?? null,
    durationMs: first && last ? Math.round((last.tsMs! - first.tsMs!) * 1000) / 1000 : null,
    frameCount: frames.length,
  }
}

/** What a fixture records about its source (the four fields of SourceRef, nothing else). */
function sourceOf(source: SourceRef): SourceRef {
  return {
    file: source.file,
    sha256: source.sha256,
    format: source.format,
    synthetic: source.synthetic,
  }
}

/** `label` defaults to the source's file stem; extract makes it unique when two inputs share one. */
export function toFixture(
  session: Session,
  source: SourceRef,
  generator: { name: 'oigctl'; version: string },
  label: string = sourceLabel(source.file),
): SessionFixture {
  const frames = session.frames
  return {
    kind: 'session',
    schemaVersion: SESSION_FIXTURE_SCHEMA_VERSION,
    generator,
    source: sourceOf(source),
    session: sessionInfo(session, label),
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

/** A frame of a pack line: the fixture frame's fields in PACK_FRAME_FIELDS order. */
function packFrame(f: SessionFrame): unknown[] {
  return [
    f.id,
    f.ts,
    f.origin,
    f.destination,
    f.direction,
    f.connId,
    f.class,
    f.table,
    f.eventType,
    f.pollForm,
    f.item,
    f.crcOk,
    f.raw,
    f.rawB64 ?? null,
    f.tableName,
    f.gapMs,
    f.answers,
    f.replyId,
    f.latencyMs,
    f.notes,
  ]
}

/**
 * Frames stringified in one call: a piece of tens of KB, under V8's large-object size (a string
 * of a MB goes straight to the old generation, which then grows with the run; 2,048 frames a
 * piece: peak RSS 252 MB on 1M SYNTHETIC rows, 128: 220 MB, same time).
 */
const FRAMES_PER_PIECE = 128

/**
 * The pieces of one pack line (SessionPackLineSchema) in order, ending in a newline: frames a
 * batch a piece, so that a session of any size is written without one big string.
 */
export function* packLinePieces(
  info: SessionInfo,
  session: Session,
  handshakes: readonly SettingHandshake[],
): Generator<string> {
  yield `{"session":${JSON.stringify(info)},"frames":[`
  const frames = session.frames
  for (let i = 0; i < frames.length; i += FRAMES_PER_PIECE) {
    const batch = frames.slice(i, i + FRAMES_PER_PIECE).map(packFrame)
    const text = JSON.stringify(batch)
    // The batch's own brackets go; batches after the first are joined by a comma.
    yield `${i === 0 ? '' : ','}${text.slice(1, -1)}`
  }
  yield `],"handshakes":${JSON.stringify(handshakes)},"findings":${JSON.stringify(session.findings)}}\n`
}

/** The index of a pack (its sessions in capture order). */
export function packIndex(
  source: SourceRef,
  generator: { name: 'oigctl'; version: string },
  sessions: SessionPack['sessions'],
): SessionPack {
  return {
    kind: 'session-pack',
    schemaVersion: SESSION_PACK_SCHEMA_VERSION,
    generator,
    source: sourceOf(source),
    frameFields: [...PACK_FRAME_FIELDS],
    sessions,
  }
}
