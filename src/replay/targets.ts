/**
 * Replay targets: the built-in ones (mock cloud, proxy offline / hybrid / legacy) started
 * in-process on free loopback ports, or any running server given as tcp://HOST:PORT.
 */
import type { ReplyPolicyOptions } from '../contract/reply-policy.js'
import type { Contract } from '../contract/schema.js'
import { OigError } from '../errors.js'
import { DEFAULT_MOCK_MAX_FRAME_BYTES, startMockCloud } from '../targets/mock-cloud/server.js'
import { startProxy } from '../targets/proxy/server.js'
import { isLoopbackHost } from '../targets/listen.js'
import { ENDPOINT_FORMS, parseEndpoint } from '../targets/endpoint.js'
import type { SettingSpec } from './plan.js'

export const BUILT_IN_TARGETS = ['mock', 'offline', 'hybrid', 'legacy'] as const
export type BuiltInTarget = (typeof BUILT_IN_TARGETS)[number]

export interface RunningTarget {
  readonly name: string
  readonly host: string
  readonly port: number
  readonly builtIn: boolean
  /** Queues a Setting on the target (built-in targets only); returns its id or null. */
  queueSetting(spec: SettingSpec): string | null
  close(): Promise<void>
}

export { isLoopbackHost as isLoopback } from '../targets/listen.js'

/** Whether a target name is one of the built-in targets (started in-process for a replay). */
export function isBuiltIn(name: string): name is BuiltInTarget {
  return (BUILT_IN_TARGETS as readonly string[]).includes(name)
}

/** Parses an endpoint (`tcp://HOST:PORT`, `HOST:PORT`, `[v6]:PORT`); null when it is none. */
export function parseTcpTarget(text: string): { host: string; port: number } | null {
  const e = parseEndpoint(text, 'connect')
  return typeof e === 'string' ? null : e
}

const quiet = (): void => undefined

/** Starts a built-in target for one replay. */
export async function startBuiltIn(
  name: BuiltInTarget,
  contract: Contract,
  replies: ReplyPolicyOptions = {},
): Promise<RunningTarget> {
  const host = '127.0.0.1'
  const mockOptions = {
    host,
    port: 0,
    controlPort: null,
    contract,
    replies,
    idleTimeoutMs: 0,
    maxConnections: 64,
    maxFrameBytes: DEFAULT_MOCK_MAX_FRAME_BYTES,
    log: quiet,
  }
  if (name === 'mock') {
    const mock = await startMockCloud(mockOptions)
    return {
      name,
      host,
      port: mock.port,
      builtIn: true,
      queueSetting: (s) => mock.logic.queue.add(s, Date.now()).id,
      close: () => mock.close('replay finished'),
    }
  }
  const proxyOptions = {
    listen: { host, port: 0 },
    replyTimeoutMs: 5_000,
    failThreshold: 3,
    retryIntervalMs: 60_000,
    contract,
    replies,
    controlPort: null,
    idleTimeoutMs: 0,
    maxConnections: 64,
  }
  if (name === 'hybrid') {
    const mock = await startMockCloud(mockOptions)
    const proxy = await startProxy({
      ...proxyOptions,
      mode: 'hybrid',
      upstream: { host, port: mock.port },
      localReplies: 'contract',
    })
    return {
      name,
      host,
      port: proxy.port,
      builtIn: true,
      // Settings come from the cloud: queue them on the upstream mock.
      queueSetting: (s) => mock.logic.queue.add(s, Date.now()).id,
      close: async () => {
        await proxy.close('replay finished')
        await mock.close('replay finished')
      },
    }
  }
  const proxy = await startProxy({
    ...proxyOptions,
    mode: 'offline',
    localReplies: name === 'legacy' ? 'legacy' : 'contract',
  })
  return {
    name,
    host,
    port: proxy.port,
    builtIn: true,
    queueSetting: (s) => proxy.queue.add(s, Date.now()).id,
    close: () => proxy.close('replay finished'),
  }
}

/**
 * Checks a target name before anything runs: a built-in one (null), or tcp://HOST:PORT on
 * loopback (a remote one only with allowRemote); throws OigError (exit 2) otherwise.
 */
export function checkTarget(
  name: string,
  allowRemote: boolean,
): { host: string; port: number } | null {
  if ((BUILT_IN_TARGETS as readonly string[]).includes(name)) return null
  const tcp = parseTcpTarget(name)
  if (!tcp) {
    throw new OigError(
      'USAGE',
      `Failed to use target ${name}: not one of ${BUILT_IN_TARGETS.join(', ')} or an endpoint (${ENDPOINT_FORMS}).`,
      {
        hint: 'Example: --target mock, or --target 127.0.0.1:5710.',
      },
    )
  }
  if (!isLoopbackHost(tcp.host) && !allowRemote) {
    throw new OigError(
      'REMOTE_TARGET',
      `Failed to use target ${name}: it is not on this machine (loopback).`,
      {
        hint: "Replaying to a real cloud or BOX can change a real device's settings; pass --allow-remote if you mean it.",
      },
    )
  }
  return tcp
}

/** Starts (built-in) or reaches (tcp://) a target for one replay. */
export async function startTarget(
  name: string,
  contract: Contract,
  allowRemote: boolean,
  replies: ReplyPolicyOptions = {},
): Promise<RunningTarget> {
  const tcp = checkTarget(name, allowRemote)
  if (tcp === null) return startBuiltIn(name as BuiltInTarget, contract, replies)
  return {
    name,
    host: tcp.host,
    port: tcp.port,
    builtIn: false,
    queueSetting: () => null,
    close: async () => undefined,
  }
}
