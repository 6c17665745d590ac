/** Starts a mock cloud on 127.0.0.1:0 for a test, collects its event log, closes it afterwards. */
import { onTestFinished } from 'vitest'
import type { ServeEvent } from '../../src/evidence/schemas/serve-events.js'
import {
  DEFAULT_MOCK_MAX_FRAME_BYTES,
  startMockCloud,
  type MockCloud,
  type MockCloudOptions,
} from '../../src/targets/mock-cloud/server.js'
import { shippedContract } from './box-frames.js'

export interface TestMock {
  readonly mock: MockCloud
  readonly events: ServeEvent[]
  /** `http://127.0.0.1:<controlPort>` */
  readonly api: string
}

export async function startTestMock(overrides: Partial<MockCloudOptions> = {}): Promise<TestMock> {
  const events: ServeEvent[] = []
  const mock = await startMockCloud({
    host: '127.0.0.1',
    port: 0,
    controlPort: 0,
    contract: shippedContract(),
    idleTimeoutMs: 60_000,
    maxConnections: 100,
    maxFrameBytes: DEFAULT_MOCK_MAX_FRAME_BYTES,
    log: (e) => events.push(e),
    ...overrides,
  })
  onTestFinished(() => mock.close())
  return { mock, events, api: `http://127.0.0.1:${mock.controlPort ?? 0}` }
}

/** Queues a Setting through the control API; returns the created setting. */
export async function postSetting(
  api: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${api}/settings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<T> {
  const res = await fetch(url)
  return (await res.json()) as T
}
