/**
 * The proxy's control-API call that switches its local reply set (PROTOCOL.md §5 feature flag;
 * src/targets/proxy/proxy-control.ts serves it). The rehearsal makes it; the gate's rollback
 * steps print it.
 */

/** The control API path of the reply-set flag. */
export const LOCAL_REPLIES_PATH = '/local-replies'

/** The control API request body that selects a reply set. */
export const localRepliesBody = (set: 'contract' | 'legacy'): string => JSON.stringify({ set })
