/**
 * The control API of both servers refuses what a web page could send (issue 12 item 3), over raw
 * sockets on 127.0.0.1 so that every header is exactly as written.
 */
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { startTestMock } from '../helpers/mock-cloud.js'
import { startTestProxy } from '../helpers/proxy.js'

interface RawReply {
  readonly status: number
  readonly body: string
  /** ms from the first byte sent to the connection closing. */
  readonly closedAfterMs: number
}

/** Sends `text` (and nothing else) and resolves with the status line and body once closed. */
function rawRequest(port: number, text: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    const t0 = Date.now()
    let got = ''
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')))
    socket.on('error', reject)
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got)
      resolve({
        status: m ? Number(m[1]) : -1,
        body: got.slice(got.indexOf('\r\n\r\n') + 4),
        closedAfterMs: Date.now() - t0,
      })
    })
    socket.write(text)
  })
}

const SETTING = '{"table":"tbl_box_prms","item":"MODE","value":"3"}'

function post(
  port: number,
  headers: Record<string, string>,
  body = SETTING,
  path = '/settings',
): Promise<RawReply> {
  const lines = Object.entries({
    host: `127.0.0.1:${port}`,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
    ...headers,
  })
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')
  return rawRequest(port, `POST ${path} HTTP/1.1\r\n${lines}\r\n${body}`)
}

const servers = [
  [
    'mock',
    async (token: string | null = null, requestTimeoutMs?: number) => {
      const m = await startTestMock({
        controlGuard: { token, ...(requestTimeoutMs ? { requestTimeoutMs } : {}) },
      })
      return { port: m.mock.controlPort!, pending: () => m.mock.state().settings.pending.length }
    },
  ],
  [
    'proxy',
    async (token: string | null = null, requestTimeoutMs?: number) => {
      const p = await startTestProxy({
        controlGuard: { token, ...(requestTimeoutMs ? { requestTimeoutMs } : {}) },
      })
      return { port: p.proxy.controlPort!, pending: () => p.proxy.state().settings.pending.length }
    },
  ],
] as const

describe.each(servers)('control API of the %s', (_name, start) => {
  it('queues a Setting sent as application/json with the bound Host', async () => {
    const api = await start()
    const r = await post(api.port, {})
    expect(r.status).toBe(201)
    expect(api.pending()).toBe(1)
  })

  it.each([
    ['text/plain (a simple cross-site POST)', { 'content-type': 'text/plain' }, 415],
    ['a form type', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
    ['no Content-Type', { 'content-type': '' }, 415],
    ['a foreign Origin', { origin: 'http://evil.example' }, 403],
    ['Origin null (sandboxed page)', { origin: 'null' }, 403],
    ['a foreign Host (DNS rebinding)', { host: 'evil.example' }, 421],
    ['a foreign Host on the right port', { host: 'rebind.example:5711' }, 421],
    ['a loopback Host on another port', { host: '127.0.0.1:1' }, 421],
  ])('refuses %s and queues nothing', async (_n, headers, status) => {
    const api = await start()
    const h =
      'host' in headers && headers.host.endsWith(':5711')
        ? { host: headers.host.replace('5711', String(api.port)) }
        : headers
    const r = await post(api.port, h)
    expect(r.status).toBe(status)
    expect(JSON.parse(r.body)).toHaveProperty('error')
    expect(api.pending()).toBe(0)
  })

  it('answers a GET /state with a foreign Host 421 (nothing leaks to a rebinding page)', async () => {
    const api = await start()
    const r = await rawRequest(
      api.port,
      `GET /state HTTP/1.1\r\nhost: evil.example:${api.port}\r\n\r\n`,
    )
    expect(r.status).toBe(421)
    expect(r.body).not.toContain('settings')
    const ok = await rawRequest(
      api.port,
      `GET /state HTTP/1.1\r\nhost: localhost:${api.port}\r\norigin: http://127.0.0.1:8080\r\nconnection: close\r\n\r\n`,
    )
    expect(ok.status).toBe(200)
  })

  it('requires the bearer token when one is set', async () => {
    const token = 'a-long-test-token-0123456789'
    const api = await start(token)
    expect((await post(api.port, {})).status).toBe(401)
    expect(
      (await post(api.port, { authorization: 'Bearer wrong-token-0123456789ab' })).status,
    ).toBe(401)
    expect(api.pending()).toBe(0)
    expect((await post(api.port, { authorization: `Bearer ${token}` })).status).toBe(201)
    expect(api.pending()).toBe(1)
  })

  it.each([
    ['a table name over 64 characters', { table: `tbl_${'x'.repeat(61)}`, item: 'MODE', value: 1 }],
    ['an item name over 64 characters', { table: 'tbl_box_prms', item: 'M'.repeat(65), value: 1 }],
    ['a value with a NUL', { table: 'tbl_box_prms', item: 'MODE', value: '3\u0000' }],
    ['a value with a tab', { table: 'tbl_box_prms', item: 'MODE', value: '3\t4' }],
    ['a value with an escape', { table: 'tbl_box_prms', item: 'MODE', value: '\u001b[2J' }],
    ['a value with DEL', { table: 'tbl_box_prms', item: 'MODE', value: '3\u007f' }],
  ])('refuses %s with 400', async (_n, body) => {
    const api = await start()
    const r = await post(api.port, {}, JSON.stringify(body))
    expect(r.status).toBe(400)
    expect(JSON.parse(r.body).error).toMatch(/at most 64 characters|control characters/)
    expect(api.pending()).toBe(0)
  })

  it.each([
    [
      'a request line',
      (port: number) => `GET /${'a'.repeat(9000)} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`,
    ],
    [
      'headers',
      (port: number) =>
        `GET /state HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nx-pad: ${'a'.repeat(9000)}\r\n\r\n`,
    ],
  ])('answers %s over 8 KiB with 431 and closes', async (_n, request) => {
    const api = await start()
    const r = await rawRequest(api.port, request(api.port))
    expect(r.status).toBe(431)
  })

  it('answers a stalled body 408 after the request timeout and closes', async () => {
    const api = await start(null, 500)
    const r = await rawRequest(
      api.port,
      `POST /settings HTTP/1.1\r\nhost: 127.0.0.1:${api.port}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"table":`,
    )
    expect(r.status).toBe(408)
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(450)
    expect(r.closedAfterMs).toBeLessThan(5_000)
    expect(api.pending()).toBe(0)
  })
})
