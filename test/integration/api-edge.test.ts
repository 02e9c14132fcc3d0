import { request } from 'node:http'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { ApiClient, serveApi } from '../../src/api/index.js'
import { startTestNode } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import type { ServedApi, StatusAnswer } from '../../src/api/index.js'
import type { EventJson } from '../../src/events/json.js'
import type { OaNode } from '../../src/node/index.js'
import type { Socket } from 'node:net'

interface Answer { status: number, body: { error?: { code: string, message: string } } & Record<string, unknown> }

const messages = '/v1/communities/devsupport/channels/general/messages'

describe('the control API at its edge', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: OaNode
  let api: ServedApi
  let port: number
  let client: ApiClient

  beforeAll(async () => {
    dir = await tempDir()
    node = await startTestNode(dir.path, 'n1', { communities: ['devsupport'] })
    // short bounds, so slow clients are closed within the test's time
    api = await serveApi(node, { port: 0, timeouts: { headersMs: 400, requestMs: 800, bodyMs: 400 } })
    port = Number(new URL(api.url).port)
    client = await ApiClient.fromDataDir(node.config.dataDir)
  })

  afterAll(async () => {
    await api.stop()
    await node.stop()
    await dir.cleanup()
  })

  /** A request with exactly these headers (Node's fetch sets Host and Origin itself). */
  async function raw (method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false, setHost: false }, (res) => {
        let text = ''
        res.on('data', (d: Buffer) => { text += d.toString() })
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] }) })
      })
      req.on('error', reject)
      req.end(body)
    })
  }

  const own = (): Record<string, string> => ({ host: `127.0.0.1:${port}`, authorization: `Bearer ${api.token}` })

  async function refusals (reason: string): Promise<number> {
    const status = await client.get<StatusAnswer>('/v1/status')
    return status.api.rejected.byReason[reason] ?? 0
  }

  /** Opens a WebSocket to /v1/events; resolves with it open, or with the HTTP status and error code of the refusal. */
  async function openEvents (options: { path?: string, headers?: Record<string, string>, protocols?: string[], origin?: string }): Promise<{ ws?: WebSocket, status?: number, code?: string }> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${options.path ?? '/v1/events'}`, options.protocols ?? [], { headers: options.headers, ...(options.origin == null ? {} : { origin: options.origin }) })
    return new Promise((resolve, reject) => {
      ws.once('open', () => { resolve({ ws }) })
      ws.once('unexpected-response', (_req, res) => {
        let text = ''
        res.on('data', (d: Buffer) => { text += d.toString() })
        res.on('end', () => { resolve({ status: res.statusCode, code: (JSON.parse(text) as Answer['body']).error?.code }) })
      })
      ws.once('error', reject)
    })
  }

  it('refuses a Host that is not its own (DNS rebinding), on HTTP and on the WebSocket upgrade, and counts it', async () => {
    const before = await refusals('bad_host')
    const rebound = await raw('GET', '/v1/status', { ...own(), host: `rebind.attacker.example:${port}` })
    expect(rebound.status).toBe(421)
    expect(rebound.body.error).toMatchObject({ code: 'bad_host' })
    expect(rebound.body.error?.message).toContain('rebind.attacker.example')
    const ws = await openEvents({ headers: { authorization: `Bearer ${api.token}`, host: `rebind.attacker.example:${port}` } })
    expect(ws).toMatchObject({ status: 421, code: 'bad_host' })
    expect(await refusals('bad_host')).toBe(before + 2)
    expect((await raw('GET', '/v1/status', { ...own(), host: `localhost:${port}` })).status).toBe(200)
    expect((await raw('GET', '/v1/status', { ...own(), host: `127.0.0.1:${port + 1}` })).status).toBe(421)
  })

  it('refuses a cross-site Origin on HTTP and on WS /v1/events, and accepts its own', async () => {
    const before = await refusals('bad_origin')
    const cross = await raw('POST', messages, { ...own(), origin: 'https://attacker.example', 'content-type': 'application/json' }, JSON.stringify({ text: 'from a web page' }))
    expect(cross.status).toBe(403)
    expect(cross.body.error).toMatchObject({ code: 'bad_origin' })
    expect(cross.body.error?.message).toContain('https://attacker.example')
    expect(await openEvents({ headers: { authorization: `Bearer ${api.token}` }, origin: 'https://attacker.example' })).toMatchObject({ status: 403, code: 'bad_origin' })
    expect(await refusals('bad_origin')).toBe(before + 2)
    expect(node.libp2p.services.channels.list('devsupport', 'general', { limit: 100 }).some(m => (m.payload as { text?: string }).text === 'from a web page')).toBe(false)

    expect((await raw('GET', '/v1/status', { ...own(), origin: `http://127.0.0.1:${port}` })).status).toBe(200)
    expect((await raw('GET', '/v1/status', { ...own(), origin: `http://localhost:${port}` })).status).toBe(200)
    const { ws } = await openEvents({ headers: { authorization: `Bearer ${api.token}` }, origin: `http://127.0.0.1:${port}` })
    expect(ws?.readyState).toBe(WebSocket.OPEN)
    ws?.close()
  })

  it('refuses a token in the query string, saying where the token goes', async () => {
    const before = await refusals('token_in_query')
    const http = await raw('GET', `/v1/status?token=${api.token}`, { host: `127.0.0.1:${port}` })
    expect(http.status).toBe(400)
    expect(http.body.error).toMatchObject({ code: 'token_in_query' })
    expect(http.body.error?.message).toContain('Authorization: Bearer <token>')
    expect(await openEvents({ path: `/v1/events?token=${api.token}` })).toMatchObject({ status: 400, code: 'token_in_query' })
    expect(await refusals('token_in_query')).toBe(before + 2)
  })

  it('accepts the Bearer scheme in any case, and refuses another scheme', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      expect((await raw('GET', '/v1/status', { ...own(), authorization: `${scheme} ${api.token}` })).status).toBe(200)
    }
    const before = await refusals('unauthorized')
    const basic = await raw('GET', '/v1/status', { ...own(), authorization: `Basic ${api.token}` })
    expect(basic).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } })
    expect(await refusals('unauthorized')).toBe(before + 1)
  })

  it('refuses a JSON body sent as text/plain with 415 naming the type, and stores nothing', async () => {
    const count = (): number => node.libp2p.services.channels.list('devsupport', 'general', { limit: 1000 }).length
    const stored = count()
    const before = await refusals('unsupported_media_type')
    const plain = await raw('POST', messages, { ...own(), 'content-type': 'text/plain;charset=UTF-8' }, JSON.stringify({ text: 'simple request' }))
    expect(plain.status).toBe(415)
    expect(plain.body.error).toMatchObject({ code: 'unsupported_media_type' })
    expect(plain.body.error?.message).toContain('text/plain;charset=UTF-8')
    const untyped = await raw('POST', messages, own(), JSON.stringify({ text: 'no type' }))
    expect(untyped.status).toBe(415)
    expect(await refusals('unsupported_media_type')).toBe(before + 2)
    expect(count()).toBe(stored)

    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/merge-patch+json']) {
      expect((await raw('POST', messages, { ...own(), 'content-type': type }, JSON.stringify({ text: `as ${type}` }))).status).toBe(201)
    }
    expect(count()).toBe(stored + 3)
  })

  /** Connects a raw socket; resolves once the server has closed it, with everything it sent. */
  function rawSocket (): { socket: Socket, closed: Promise<string> } {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    socket.on('data', (d: Buffer) => { received += d.toString() })
    const closed = new Promise<string>((resolve) => {
      socket.on('close', () => { resolve(received) })
      socket.on('error', () => {})
    })
    return { socket, closed }
  }

  it('closes a client that sends its headers one byte at a time and never finishes', async () => {
    const before = await refusals('request_timeout')
    const { socket, closed } = rawSocket()
    const head = `GET /v1/status HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nauthorization: Bearer ${api.token}\r\nx-slow: ${'a'.repeat(10_000)}`
    let sent = 0
    // the client never stops on its own: only the server's close ends this test
    const trickle = setInterval(() => { if (!socket.destroyed) socket.write(head.charAt(sent++ % head.length)) }, 20)
    try {
      const answer = await closed
      expect(answer).toMatch(/^HTTP\/1\.1 408 /)
      expect(answer).toContain('request_timeout')
    } finally {
      clearInterval(trickle)
    }
    expect(await refusals('request_timeout')).toBe(before + 1)
  })

  it('closes a client that never finishes its body, with 408 body_timeout', async () => {
    const stored = node.libp2p.services.channels.list('devsupport', 'general', { limit: 1000 }).length
    const before = await refusals('body_timeout')
    const { socket, closed } = rawSocket()
    socket.write(`POST ${messages} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nauthorization: Bearer ${api.token}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"text": "never end`)
    const answer = await closed
    expect(answer).toMatch(/^HTTP\/1\.1 408 /)
    expect(answer).toContain('body_timeout')
    expect(await refusals('body_timeout')).toBe(before + 1)
    expect(node.libp2p.services.channels.list('devsupport', 'general', { limit: 1000 })).toHaveLength(stored)
  })

  it('takes the token as a WebSocket subprotocol and answers oa-events', async () => {
    const { ws } = await openEvents({ protocols: ['oa-events', `oa-token.${api.token}`] })
    if (ws == null) throw new Error('the subprotocol token was refused')
    expect(ws.protocol).toBe('oa-events')
    const got = new Promise<{ event: EventJson }>((resolve) => {
      ws.once('message', (data: Buffer) => { resolve(JSON.parse(data.toString()) as { event: EventJson }) })
    })
    const { message } = await client.post<{ message: EventJson }>(messages, { text: 'to a subprotocol client' })
    expect((await got).event.id).toBe(message.id)
    ws.close()

    expect(await openEvents({ protocols: ['oa-events', `oa-token.${'0'.repeat(64)}`] })).toMatchObject({ status: 401, code: 'unauthorized' })
    expect(await openEvents({ protocols: [`oa-token.${api.token}`] })).toMatchObject({ status: 400, code: 'bad_subprotocol' })
    expect(await openEvents({})).toMatchObject({ status: 401, code: 'unauthorized' })
  })

  it('keeps serving after every refusal, and reports them by reason in status', async () => {
    const status = await client.get<StatusAnswer>('/v1/status')
    expect(status.peerId).toBe(node.peerId.toString())
    expect(status.api.rejected.total).toBe(Object.values(status.api.rejected.byReason).reduce((a, b) => a + b, 0))
    for (const reason of ['bad_host', 'bad_origin', 'token_in_query', 'unauthorized', 'unsupported_media_type', 'request_timeout', 'body_timeout', 'bad_subprotocol']) {
      expect(status.api.rejected.byReason[reason]).toBeGreaterThan(0)
    }
  })
})
