/**
 * `serve mock|proxy` on a terminal: one line per frame in and out, as it happens (time,
 * connection, direction, class, and for a reply the time since the frame it answers). Built from
 * the servers' own event stream; off a terminal or under --quiet nothing is added.
 */
import type { ProxyEventSink, ProxyLogEvent } from '../evidence/schemas/proxy-events.js'
import type { FrameEvent } from '../evidence/schemas/serve-events.js'
import type { Output } from './output.js'

/** `12:04:05.123  #3  BOX → box.upload[tbl_actual]` or `…  #3  → BOX cloud.ack  4 ms`. */
export function frameLine(e: FrameEvent, latencyMs: number | null): string {
  const time = e.at.slice(11, 23)
  const dir = e.dir === 'in' ? 'BOX →' : '→ BOX'
  const what = `${e.class}${e.table ? `[${e.table}]` : ''}`
  const notes = [
    latencyMs === null ? null : `${latencyMs} ms`,
    e.crcOk === false ? 'bad CRC' : null,
    e.unobserved ? `no reply: ${e.unobserved}` : null,
  ].filter((n) => n !== null)
  return `${time}  #${e.conn}  ${dir} ${what}${notes.length ? `  ${notes.join(', ')}` : ''}`
}

/**
 * `sink` with the live lines added when stderr is a terminal and not --quiet; else `sink` itself
 * (so a server without --log still makes no events off a terminal).
 */
export function withLiveFrames(sink: ProxyEventSink | null, output: Output): ProxyEventSink | null {
  if (!output.liveLines) return sink
  const lastIn = new Map<number, number>()
  return {
    write(e: ProxyLogEvent) {
      sink?.write(e)
      if (e.event === 'close') lastIn.delete(e.conn)
      if (e.event !== 'frame') return
      const ms = Date.parse(e.at)
      const since = lastIn.get(e.conn)
      if (e.dir === 'in') lastIn.set(e.conn, ms)
      else lastIn.delete(e.conn)
      output.info(frameLine(e, e.dir === 'out' && since !== undefined ? ms - since : null))
    },
  }
}
