/**
 * BOX frames for target tests: real ones from `../shared/captures` (by file and row id), plus a
 * few SYNTHETIC polls of classes the captures lack (IsNewFW, IsNewWeather, a setting NACK), built
 * with the tags PROTOCOL.md §2 lists for them. Also the shipped contract.
 */
import { join } from 'node:path'
import { readContract } from '../../src/contract/files.js'
import type { Contract } from '../../src/contract/schema.js'
import { buildFrameFromPairs } from '../../src/protocol/frame.js'
import { captureFrame, loadCaptureFrames, type CaptureFrame } from './captures.js'
import { REPO_ROOT } from './cli.js'

export const SHIPPED_CONTRACT_FILE = join(REPO_ROOT, 'contracts', 'oig-cloud.contract.json')

export function shippedContract(): Contract {
  return readContract(SHIPPED_CONTRACT_FILE).contract
}

/** A captured frame without its line ending: what the splitter hands to the logic. */
export const bare = (raw: string): string => raw.replace(/\r?\n$|\r$/, '')

export const SESSION_FILE = 'session-2026-02-17-conn2315.db'

export interface RealFrames {
  readonly all: readonly CaptureFrame[]
  /** The real session, in row order. */
  readonly session: readonly CaptureFrame[]
  readonly mergedIsNewSet: string
  readonly shortIsNewSet: string
  readonly upload: string
  readonly tblActual: string
  readonly boxEnd: string
  readonly boxSettingAck: string
  readonly badCrcProbe: string
  /** The real cloud Setting of 2025-12-10 (the reference for field order). */
  readonly cloudSetting: string
  /** The one real IsNewFW poll (probe-isnewfw-2025-12-11.db). */
  readonly isNewFw: string
}

export function realFrames(): RealFrames {
  const all = loadCaptureFrames()
  const raw = (file: string, id: number): string => bare(captureFrame(all, file, id).raw)
  return {
    all,
    session: all.filter((f) => f.file === SESSION_FILE),
    mergedIsNewSet: raw(SESSION_FILE, 13794),
    shortIsNewSet: raw('probe-frames-2026-02.db', 2),
    upload: raw(SESSION_FILE, 13796),
    tblActual: raw(SESSION_FILE, 13808),
    boxEnd: raw(SESSION_FILE, 13816),
    boxSettingAck: raw('setting-handshake-2025-12-10.db', 3),
    badCrcProbe: raw('nack-wc-2026-02-01.db', 871951),
    cloudSetting: raw('setting-handshake-2025-12-10.db', 2),
    isNewFw: raw('probe-isnewfw-2025-12-11.db', 1),
  }
}

/** SYNTHETIC IsNewFW poll (tags per PROTOCOL.md §2: `Fw` and an empty `Up`). */
export const SYNTHETIC_ISNEWFW = bare(
  buildFrameFromPairs([
    ['Result', 'IsNewFW'],
    ['ID_Device', '2206237016'],
    ['Fw', 'v.4.4.43.0716'],
    ['Up', ''],
    ['ver', '12345'],
  ]),
)

/**
 * CONSTRUCTED IsNewWeather poll: no real one is in ../shared, so it is built to PROTOCOL.md §2
 * (`Result`, `ID_Device`, `Geobaseid`, `LoadedOn`, `ver`) with a correct CRC.
 */
export const SYNTHETIC_ISNEWWEATHER = bare(
  buildFrameFromPairs([
    ['Result', 'IsNewWeather'],
    ['ID_Device', '2206237016'],
    ['Geobaseid', '0'],
    ['LoadedOn', ''],
    ['ver', '23456'],
  ]),
)

/** SYNTHETIC setting NACK, shaped like the real setting ACK with `Result` NACK. */
export const SYNTHETIC_SETTING_NACK = bare(
  buildFrameFromPairs([
    ['Result', 'NACK'],
    ['Rdt', '2025-12-10 21:42:48'],
    ['Reason', 'Setting'],
    ['Tmr', '100'],
    ['ver', '15803'],
  ]),
)

/** A real frame with its CRC digits replaced (so it no longer verifies). */
export function withBadCrc(frame: string): string {
  return frame.replace(/<CRC>(\d{5})<\/CRC>/, (_m, crc: string) => {
    const wrong = String((Number(crc) + 1) % 100_000).padStart(5, '0')
    return `<CRC>${wrong}</CRC>`
  })
}
