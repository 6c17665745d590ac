/** What `GET /state` of the mock cloud shows (and `serve mock --json` prints at shutdown), pure. */
import type { BoxClass } from '../../protocol/frame-class.js'
import { settingsByState, type SettingView } from '../control-api.js'
import type { SettingQueue } from '../replies/setting-queue.js'
import type { MockConnection, MockCounters } from './connection.js'

export interface MockCloudState {
  readonly target: 'mock'
  readonly host: string
  readonly port: number
  readonly controlHost: string | null
  readonly controlPort: number | null
  readonly contractVersion: string
  readonly settingPolls: readonly BoxClass[]
  readonly startedAt: string
  readonly connections: {
    readonly open: ReadonlyArray<{
      readonly conn: number
      readonly peer: string
      readonly openedAt: string
      readonly framesIn: number
      readonly framesOut: number
      /** Bytes of an incomplete frame received so far. */
      readonly pendingBytes: number
      readonly awaitingAck: string | null
    }>
    readonly accepted: number
    readonly rejected: number
  }
  readonly settings: Readonly<Record<'pending' | 'delivered' | 'acked' | 'nacked', SettingView[]>>
  readonly counters: Readonly<MockCounters>
}

/** Where the mock listens and what it follows: the head of its state and of its listen event. */
export type MockEndpoint = Pick<
  MockCloudState,
  'target' | 'host' | 'port' | 'controlHost' | 'controlPort' | 'contractVersion'
>

export function newMockCounters(): MockCounters {
  return {
    framesIn: 0,
    repliesOut: 0,
    settingsSent: 0,
    unobserved: 0,
    crcErrors: 0,
    garbage: 0,
    oversize: 0,
    idleTimeouts: 0,
    socketErrors: 0,
  }
}

export interface MockStateParts {
  readonly endpoint: MockEndpoint
  readonly settingPolls: readonly BoxClass[]
  readonly startedAt: string
  readonly open: Iterable<MockConnection>
  readonly accepted: number
  readonly rejected: number
  readonly queue: SettingQueue
  readonly counters: MockCounters
}

export function mockState(p: MockStateParts): MockCloudState {
  return {
    ...p.endpoint,
    settingPolls: p.settingPolls,
    startedAt: p.startedAt,
    connections: {
      open: [...p.open].map((c) => ({
        conn: c.id,
        peer: c.peer,
        openedAt: new Date(c.openedAtMs).toISOString(),
        framesIn: c.framesIn,
        framesOut: c.framesOut,
        pendingBytes: c.pendingBytes,
        awaitingAck: p.queue.awaitingOn(c.id)?.id ?? null,
      })),
      accepted: p.accepted,
      rejected: p.rejected,
    },
    settings: settingsByState(p.queue),
    counters: { ...p.counters },
  }
}
