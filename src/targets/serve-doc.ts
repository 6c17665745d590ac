/** The documents `serve mock --json` and `serve proxy --json` print at shutdown (types only). */
import type { MockCloudState } from './mock-cloud/mock-state.js'
import type { ProxyState } from './proxy/proxy-core.js'

interface ServeShutdown {
  readonly kind: 'serve'
  readonly schemaVersion: 1
  readonly contractFile: string
  readonly stoppedBy: string
  readonly stoppedAt: string
}

/** What `serve mock --json` prints at shutdown. */
export interface ServeDoc extends MockCloudState, ServeShutdown {}

/** What `serve proxy --json` prints at shutdown. */
export interface ServeProxyDoc extends ProxyState, ServeShutdown {}
