/**
 * The proxy's two runtime switches (control API and ProxyHandle): the local reply set and the
 * mode. Each change is logged; a mode change resets the prober.
 */
import type { ProxyEventSink } from '../../evidence/schemas/proxy-events.js'
import type { LocalReplies } from '../replies/local-replies.js'
import type { LocalReplySet } from '../replies/local-reply.js'
import type { HybridPolicy, ModeTransition, ProxyMode } from './hybrid-policy.js'
import type { UpstreamProber } from './prober.js'
import type { Endpoint } from './upstream.js'

export interface ProxySwitches {
  setLocalReplies(set: LocalReplySet): void
  /** Switches the mode; throws when online/hybrid is asked for without an upstream. */
  setMode(mode: ProxyMode): void
}

export function proxySwitches(
  policy: HybridPolicy,
  local: LocalReplies,
  prober: UpstreamProber,
  upstream: Endpoint | null,
  log: ProxyEventSink | null,
  onTransition: (t: ModeTransition) => void,
): ProxySwitches {
  return {
    setLocalReplies: (set) => {
      const change = local.setSet(set, Date.now())
      if (change) log?.write({ event: 'local-replies', ...change })
    },
    setMode: (mode) => {
      if (mode !== 'offline' && upstream === null)
        throw new RangeError(`mode ${mode} needs an upstream (start the proxy with --upstream)`)
      prober.cancel()
      const t = policy.setMode(mode, Date.now())
      if (t) onTransition(t)
    },
  }
}
