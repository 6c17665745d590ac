/**
 * The replaying BOX at the I/O edge: one TCP connection per session, BOX frames sent in order,
 * paced by the recorded gaps (scaled) or as fast as replies come, one reply awaited per frame.
 */
import net from 'node:net'
import { classifyText } from '../protocol/classify.js'
import { FrameSplitter } from '../protocol/frame-splitter.js'
import type { CloudClass } from '../protocol/frame-class.js'
import type { ReplayPlan } from './plan.js'
import type { ReplayStepResult, ReplyRecord } from './transcript-schema.js'

export interface ReplayTargetAddress {
  readonly host: string
  readonly port: number
}

export interface ReplayPacing {
  /** Recorded gaps are divided by this; ignored with maxSpeed. */
  readonly speed: number
  readonly maxSpeed: boolean
  readonly replyTimeoutMs: number
  /** Keep the connection open this long after the last reply, to catch late frames. */
  readonly holdAfterS: number
  /** Longest pause between two frames, whatever the recording says (ms). */
  readonly maxGapMs?: number
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function withCrlf(raw: string): string {
  return raw.endsWith('\n') || raw.endsWith('\r') ? raw : `${raw}\r\n`
}

/** Sends the plan's BOX frames to `address` and records what came back. Never throws on peer errors. */
export async function runReplay(
  plan: ReplayPlan,
  address: ReplayTargetAddress,
  pacing: ReplayPacing,
): Promise<ReplayStepResult[]> {
  const results: ReplayStepResult[] = []
  const splitter = new FrameSplitter()
  const inbox: Array<{ text: string; at: number }> = []
  let waiter: (() => void) | null = null
  let closed = false
  let closeReason = ''
  const socket = net.createConnection({ host: address.host, port: address.port })
  socket.setNoDelay(true)
  const wake = (): void => {
    const w = waiter
    waiter = null
    w?.()
  }
  socket.on('data', (chunk) => {
    const at = performance.now()
    for (const e of splitter.push(chunk)) if (e.type === 'frame') inbox.push({ text: e.text, at })
    wake()
  })
  socket.on('error', (error) => {
    closed = true
    closeReason = error.message
    wake()
  })
  socket.on('close', () => {
    closed = true
    closeReason ||= 'closed by the target'
    wake()
  })
  const connected = await new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true))
    socket.once('error', () => resolve(false))
  })

  const record = (f: { text: string; at: number }, sentAt: number): ReplyRecord => {
    const c = classifyText(f.text, 'cloud')
    return {
      class: c.class as CloudClass,
      raw: f.text,
      crcOk: c.crcOk,
      latencyMs: Math.round((f.at - sentAt) * 1000) / 1000,
    }
  }
  const waitFrame = async (timeoutMs: number): Promise<{ text: string; at: number } | null> => {
    const deadline = performance.now() + timeoutMs
    while (inbox.length === 0 && !closed) {
      const left = deadline - performance.now()
      if (left <= 0) return null
      await Promise.race([new Promise<void>((r) => (waiter = r)), sleep(left)])
    }
    return inbox.shift() ?? null
  }

  let lastReply: CloudClass | null = null
  for (const step of plan.steps) {
    const base = {
      seq: step.seq,
      id: step.id,
      requestClass: step.class,
      table: step.table,
      recorded: step.recorded
        ? { class: step.recorded.class, latencyMs: step.recorded.latencyMs }
        : null,
    }
    if (!connected || closed) {
      results.push({
        ...base,
        outcome: connected ? 'closed' : 'not-sent',
        reply: null,
        extra: [],
        notes: [
          connected
            ? `connection closed: ${closeReason}`
            : `could not connect to ${address.host}:${address.port}`,
        ],
      })
      continue
    }
    if (step.answersSetting && lastReply !== 'cloud.setting') {
      results.push({
        ...base,
        outcome: 'skipped',
        reply: null,
        extra: [],
        notes: ['skipped: no Setting to acknowledge'],
      })
      continue
    }
    if (!pacing.maxSpeed && step.gapMs !== null && step.seq > 1) {
      const wait = Math.min(step.gapMs / pacing.speed, pacing.maxGapMs ?? Infinity)
      if (wait > 0) await sleep(wait)
    }
    // Frames that arrived while nothing was waiting belong to the previous step.
    const previous = results[results.length - 1]
    while (inbox.length > 0) {
      const f = inbox.shift()!
      previous?.extra.push(record(f, f.at))
    }
    const sentAt = performance.now()
    socket.write(withCrlf(step.raw))
    const f = await waitFrame(pacing.replyTimeoutMs)
    if (f) {
      const reply = record(f, sentAt)
      lastReply = reply.class as CloudClass
      results.push({
        ...base,
        outcome: 'reply',
        reply,
        extra: [],
        notes: reply.crcOk === false ? ['reply CRC does not verify'] : [],
      })
    } else {
      lastReply = null
      results.push({
        ...base,
        outcome: closed ? 'closed' : 'no-reply',
        reply: null,
        extra: [],
        notes: closed
          ? [`connection closed: ${closeReason}`]
          : [`no reply within ${pacing.replyTimeoutMs} ms`],
      })
    }
  }
  if (connected && !closed && pacing.holdAfterS > 0) await sleep(pacing.holdAfterS * 1000)
  const last = results[results.length - 1]
  while (inbox.length > 0) {
    const f = inbox.shift()!
    last?.extra.push(record(f, f.at))
  }
  socket.destroy()
  return results
}
