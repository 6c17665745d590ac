/**
 * Reads session fixtures from disk, every version: a version 1 document (`kind: "session"`), a
 * version 2 pack (its index `<stem>.sessions.json` or its lines `<stem>.sessions.ndjson`), or one
 * session of a pack (`<stem>.sessions.json#<ref>`). Each session comes back as the version 1
 * document, the shape every reader works on. File contents are data: the lines file is always
 * the index's sibling (never a path read from the index), and a ref is only looked up.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { OigError, reasonOf } from '../errors.js'
import { checkDocument, issueText, readJsonOrThrow } from './read-document.js'
import {
  PACK_FRAME_FIELDS,
  SESSION_FIXTURE_SCHEMA_VERSION,
  SessionFixtureSchema,
  SessionPackSchema,
  type FixtureFrame,
  type SessionFixture,
  type SessionPack,
} from './schemas/session-fixture.js'

export const PACK_INDEX_SUFFIX = '.sessions.json'
export const PACK_LINES_SUFFIX = '.sessions.ndjson'
/** The name ending of a version 1 fixture (one session a file). */
export const FIXTURE_V1_SUFFIX = '.session.json'

/** Whether `name` is one of the fixture files extract writes (either version). */
export function isFixtureFileName(name: string): boolean {
  return [PACK_INDEX_SUFFIX, PACK_LINES_SUFFIX, FIXTURE_V1_SUFFIX].some((s) => name.endsWith(s))
}

/** The longest line read: V8's longest string (about 512 MiB of text), less a margin. */
const MAX_LINE_BYTES = 0x1fff_0000

const HINT =
  'Pass --session with a fixture from `oigctl extract` (sessions/<capture>.sessions.json, or one session of it as sessions/<capture>.sessions.json#<ref>), a version 1 sessions/*.session.json, or a session export JSON of the add-on.'

export interface PackAddress {
  /** The pack's index file. */
  readonly index: string
  /** One session of the pack (the part after `#`), or null for all of them. */
  readonly ref: string | null
}

/**
 * The pack `file` names, if it names one: an index, a lines file, or `<index>#<ref>` (only when
 * no file of that exact name exists). Null for anything else.
 */
export function packAddress(file: string): PackAddress | null {
  if (file.endsWith(PACK_INDEX_SUFFIX)) return { index: file, ref: null }
  if (file.endsWith(PACK_LINES_SUFFIX))
    return { index: `${file.slice(0, -PACK_LINES_SUFFIX.length)}${PACK_INDEX_SUFFIX}`, ref: null }
  const hash = file.lastIndexOf('#')
  if (hash <= 0 || !file.slice(0, hash).endsWith(PACK_INDEX_SUFFIX)) return null
  if (fs.existsSync(file)) return null
  const ref = file.slice(hash + 1)
  return ref === '' ? null : { index: file.slice(0, hash), ref }
}

function invalid(file: string, why: string): OigError {
  return new OigError('SESSION_INVALID', `Failed to read session ${file}: ${why}.`, { hint: HINT })
}

/** A version 1 document, validated; throws OigError naming the file. */
export function checkFixtureDocument(file: string, value: unknown): SessionFixture {
  const parsed = SessionFixtureSchema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  throw invalid(file, issue ? issueText(issue) : 'invalid fixture')
}

/** The sessions of a pack (all, or the one `ref` names), in capture order. */
export function readPack(address: PackAddress): SessionFixture[] {
  return [...packSessions(address)]
}

/**
 * The sessions of a pack one at a time (a reader of thousands can yield between them); the index
 * is read and checked before the first.
 */
export function* packSessions(address: PackAddress): Generator<SessionFixture> {
  if (!address.index.endsWith(PACK_INDEX_SUFFIX))
    throw invalid(address.index, `a pack's index is named <capture>${PACK_INDEX_SUFFIX}`)
  const { value } = readJsonOrThrow(address.index, 'session pack', ['SESSION_UNREADABLE'], HINT)
  const checked = checkDocument(value, SessionPackSchema)
  if (!checked.ok) throw invalid(address.index, checked.problem.message)
  const pack = checked.doc
  if (
    pack.frameFields.length !== PACK_FRAME_FIELDS.length ||
    pack.frameFields.some((f, i) => f !== PACK_FRAME_FIELDS[i])
  )
    throw invalid(address.index, `frameFields are not ${PACK_FRAME_FIELDS.join(', ')}`)
  const entries =
    address.ref === null ? pack.sessions : pack.sessions.filter((s) => s.ref === address.ref)
  if (entries.length === 0 && address.ref !== null) {
    const some = pack.sessions.slice(0, 3).map((s) => s.ref)
    throw new OigError(
      'SESSION_NOT_FOUND',
      `Failed to read session ${address.index}#${address.ref}: the pack has no session ${JSON.stringify(address.ref)}${some.length ? ` (it has ${some.join(', ')}${pack.sessions.length > 3 ? ', …' : ''})` : ' (it is empty)'}.`,
      { hint: 'Pass the pack alone for all its sessions, or a ref listed in it.' },
    )
  }
  if (entries.length === 0) return
  const linesFile = `${address.index.slice(0, -PACK_INDEX_SUFFIX.length)}${PACK_LINES_SUFFIX}`
  let fd: number
  try {
    fd = fs.openSync(linesFile, 'r')
  } catch (error) {
    const why =
      (error as { code?: string }).code === 'ENOENT'
        ? 'file does not exist (it holds the sessions of the pack beside it)'
        : reasonOf(error)
    throw new OigError('SESSION_UNREADABLE', `Failed to read session pack ${linesFile}: ${why}.`, {
      hint: HINT,
    })
  }
  try {
    let size: number
    try {
      size = fs.fstatSync(fd).size
    } catch (error) {
      throw new OigError(
        'SESSION_UNREADABLE',
        `Failed to read session pack ${linesFile}: ${reasonOf(error)}.`,
        { hint: HINT },
      )
    }
    for (const entry of entries) {
      const where = `${address.index}#${entry.ref}`
      // The index is data: a line it names must lie inside the file before anything is allocated.
      if (entry.offset + entry.bytes > size)
        throw invalid(
          where,
          `the index does not match ${linesFile} (bytes ${entry.offset}…${entry.offset + entry.bytes} of a ${size}-byte file)`,
        )
      if (entry.bytes > MAX_LINE_BYTES)
        throw invalid(
          where,
          `its line is ${entry.bytes} bytes, more than the ${MAX_LINE_BYTES} one session can be read in (split the capture with extract --from/--to or --session-gap)`,
        )
      const buf = Buffer.alloc(entry.bytes)
      let got = 0
      try {
        while (got < entry.bytes) {
          const n = fs.readSync(fd, buf, got, entry.bytes - got, entry.offset + got)
          if (n === 0) break
          got += n
        }
      } catch (error) {
        throw new OigError(
          'SESSION_UNREADABLE',
          `Failed to read session pack ${linesFile}: ${reasonOf(error)}.`,
          { hint: HINT },
        )
      }
      if (got !== entry.bytes || buf[entry.bytes - 1] !== 0x0a)
        throw invalid(where, `the index does not match ${linesFile} (bytes ${entry.offset}…)`)
      // The index's sha256 (what inputs cite) covers the frames through each line's own sha256.
      if (createHash('sha256').update(buf).digest('hex') !== entry.sha256)
        throw invalid(
          where,
          `its line in ${linesFile} is not the one the index names (sha256 differs: the pack was changed after extract)`,
        )
      let line: unknown
      try {
        line = JSON.parse(buf.toString('utf8'))
      } catch (error) {
        throw invalid(where, `its line is not JSON (${reasonOf(error)})`)
      }
      const fixture = expandLine(pack, line, where)
      if (fixture.session.id !== entry.id)
        throw invalid(
          where,
          `its line is session ${fixture.session.id}, the index says ${entry.id}`,
        )
      yield fixture
    }
  } finally {
    fs.closeSync(fd)
  }
}

/** A pack line as the version 1 document of its session, validated. */
function expandLine(pack: SessionPack, line: unknown, where: string): SessionFixture {
  const l = (typeof line === 'object' && line !== null ? line : {}) as Record<string, unknown>
  const frames = Array.isArray(l.frames) ? l.frames : null
  if (frames === null) throw invalid(where, 'its line has no frames list')
  const doc = {
    kind: 'session',
    schemaVersion: SESSION_FIXTURE_SCHEMA_VERSION,
    generator: pack.generator,
    source: pack.source,
    session: l.session,
    frames: frames.map((f: unknown, i): Partial<FixtureFrame> | unknown => {
      if (!Array.isArray(f) || f.length !== PACK_FRAME_FIELDS.length)
        throw invalid(where, `frame ${i} is not a list of ${PACK_FRAME_FIELDS.length} fields`)
      const frame: Record<string, unknown> = {}
      PACK_FRAME_FIELDS.forEach((name, k) => {
        if (name !== 'rawB64' || f[k] !== null) frame[name] = f[k]
      })
      return frame
    }),
    handshakes: l.handshakes,
    findings: l.findings,
  }
  return checkFixtureDocument(where, doc)
}

/**
 * The fixtures `file` holds when it is a fixture (either version, or a pack address); null when it
 * is something else (a session export or a capture), for the caller to read.
 */
export function readFixtures(file: string): SessionFixture[] | null {
  const address = packAddress(file)
  if (address) return readPack(address)
  const { value } = readJsonOrThrow(file, 'session', ['SESSION_UNREADABLE'], HINT)
  return fixturesOfDocument(file, value)
}

/**
 * The fixtures a JSON document read from `file` (not a pack address) is: a version 1 fixture; a
 * pack index under another name is refused (an index is named `<capture>.sessions.json`); null for
 * any other document, for the caller to read.
 */
export function fixturesOfDocument(file: string, value: unknown): SessionFixture[] | null {
  const kind = (value as { kind?: unknown } | null)?.kind
  if (kind === 'session') return [checkFixtureDocument(file, value)]
  if (kind === 'session-pack')
    throw invalid(file, `a pack's index is named <capture>${PACK_INDEX_SUFFIX}`)
  return null
}
