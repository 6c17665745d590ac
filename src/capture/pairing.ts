/**
 * Request/reply pairing inside one session (pure): a BOX frame waits for the next frame towards
 * the BOX; a reply with nothing waiting, or a request the next request overtakes, is a finding.
 */
import { finding } from './findings.js'
import { round3, type OpenSession, type SessionFrame } from './session-model.js'

/** The text of a waiting frame (a lean one is read in full: only for a relayed frame). */
export type PendingText = (pending: SessionFrame) => Pick<SessionFrame, 'raw' | 'rawB64'>

/** Pairs `frame` (the next frame of `open`'s session) with the BOX frame waiting, if it replies. */
export function pairFrame(open: OpenSession, frame: SessionFrame, textOf: PendingText): void {
  // A frame whose side is unknown is neither a request nor a reply: no guess.
  if (frame.notes.includes('origin-unknown')) return
  // The proxy logged the BOX frame it relayed as well as the one it received: pair only once.
  if (
    frame.notes.includes('relayed-by-proxy') &&
    open.pending &&
    sameFrameText(textOf(open.pending), frame)
  ) {
    frame.notes.push(`duplicate-of ${open.pending.id}`)
    return
  }
  if (frame.origin === 'box') {
    if (open.pending) closePending(open)
    open.pending = frame
    open.boxEndAnswered = false
    return
  }
  if (frame.destination !== 'box') return
  const request = open.pending
  if (!request) {
    open.session.findings.push(
      finding(
        'reply-without-request',
        frame.id,
        `${frame.class} with no BOX frame waiting for a reply`,
      ),
    )
    return
  }
  frame.answers = request.id
  request.replyId = frame.id
  if (request.tsMs !== null && frame.tsMs !== null)
    request.latencyMs = round3(frame.tsMs - request.tsMs)
  if (request.class === 'box.end') open.boxEndAnswered = true
  open.pending = null
}

/** The BOX frame still waiting gets no reply (the next request came, or the session closed). */
export function closePending(open: OpenSession): void {
  const p = open.pending
  if (!p) return
  open.session.findings.push(
    finding('request-without-reply', p.id, `${p.class} got no reply on this connection`),
  )
  open.pending = null
}

/** Same frame text and bytes (the proxy logged the BOX frame it relayed as well as the one it received). */
function sameFrameText(
  a: Pick<SessionFrame, 'raw' | 'rawB64'>,
  b: Pick<SessionFrame, 'raw' | 'rawB64'>,
): boolean {
  return a.raw === b.raw && a.rawB64 === b.rawB64
}
