/** Reads what `oigctl extract` wrote into an output folder: its session packs (version 2). */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { PACK_INDEX_SUFFIX, readPack } from '../../src/evidence/fixture-files.js'
import type { SessionFixture } from '../../src/evidence/schemas/session-fixture.js'

/** The pack indexes in `<out>/sessions`, sorted. */
export function packFiles(out: string): string[] {
  return readdirSync(join(out, 'sessions'))
    .filter((n) => n.endsWith(PACK_INDEX_SUFFIX))
    .sort()
    .map((n) => join(out, 'sessions', n))
}

/** Every session of every pack in `<out>/sessions`, read back through the pack reader. */
export function extractedFixtures(out: string): SessionFixture[] {
  return packFiles(out).flatMap((index) => readPack({ index, ref: null }))
}

/** `<pack>#<ref>` of every session in `<out>/sessions`, pack by pack in capture order. */
export function fixtureAddresses(out: string): string[] {
  return packFiles(out).flatMap((index) =>
    readPack({ index, ref: null }).map((fx) => `${index}#${fx.session.id.split('#').at(-1)}`),
  )
}
