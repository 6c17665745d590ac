/**
 * The rollback to the legacy local replies (PROTOCOL.md §5 feature flag), as exact steps (pure):
 * the control-API call that switches a running proxy, and the flag for a restart.
 */
import { LOCAL_REPLIES_PATH, localRepliesBody } from '../rehearse/rollback-api.js'
import type { RollbackStep } from './gate-schema.js'

/** The proxy's default control API (`serve proxy --control-port`, default 5711). */
export const DEFAULT_CONTROL_URL = 'http://127.0.0.1:5711'
/** The rollback steps, for a proxy whose control API is at `controlUrl`. */
export function rollbackSteps(controlUrl = DEFAULT_CONTROL_URL): RollbackStep[] {
  const url = `${controlUrl}${LOCAL_REPLIES_PATH}`
  return [
    {
      title:
        'Switch the running proxy to the legacy replies (no restart; answers {"set":"legacy","previous":"contract"})',
      command: `curl -X POST ${url} -H 'content-type: application/json' -d '${localRepliesBody('legacy')}'`,
    },
    {
      title: 'Check that the legacy replies are active (expect {"set":"legacy"})',
      command: `curl -s ${url}`,
    },
    {
      title: 'Keep it across restarts: start the proxy with the flag (keep your other options)',
      command: 'oigctl serve proxy --mode hybrid --upstream HOST:PORT --local-replies legacy',
    },
    {
      title: 'Back to the contract replies once the cause is fixed',
      command: `curl -X POST ${url} -H 'content-type: application/json' -d '${localRepliesBody('contract')}'`,
    },
  ]
}
