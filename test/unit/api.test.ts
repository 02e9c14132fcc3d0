import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, ApiRequestError, NodeNotRunningError, Router, serveApi } from '../../src/api/index.js'
import { startTestNode } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import type { ServedApi } from '../../src/api/index.js'
import type { NodeStatus, OaNode } from '../../src/node/index.js'
import type { EventJson } from '../../src/events/json.js'

describe('control API', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: OaNode
  let api: ServedApi

  beforeAll(async () => {
    dir = await tempDir()
    node = await startTestNode(dir.path, 'n1', { communities: ['devsupport'] })
    api = await serveApi(node, { port: 0 })
  })

  afterAll(async () => {
    await api.stop()
    await node.stop()
    await dir.cleanup()
  })

  it('binds 127.0.0.1 and publishes api.json and a 0600 token in the data dir', async () => {
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const info = JSON.parse(await readFile(join(node.config.dataDir, 'api.json'), 'utf8')) as { url: string, pid: number, peerId: string }
    expect(info).toMatchObject({ url: api.url, pid: process.pid, peerId: node.peerId.toString() })
    expect((await stat(join(node.config.dataDir, 'api.token'))).mode & 0o777).toBe(0o600)
  })

  it('answers 401 without the token or with a wrong one', async () => {
    const none = await fetch(`${api.url}/v1/status`)
    expect(none.status).toBe(401)
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('unauthorized')
    const wrong = await fetch(`${api.url}/v1/status`, { headers: { authorization: `Bearer ${'0'.repeat(64)}` } })
    expect(wrong.status).toBe(401)
  })

  it('serves status and peers to a client found through the data dir', async () => {
    const client = await ApiClient.fromDataDir(node.config.dataDir)
    const status = await client.get<NodeStatus>('/v1/status')
    expect(status.peerId).toBe(node.peerId.toString())
    expect(status.communities).toEqual(['devsupport'])
    expect(status.peers).toBe(0)
    expect(status.multiaddrs.every(ma => ma.endsWith(`/p2p/${node.peerId.toString()}`))).toBe(true)
    expect(await client.get('/v1/peers')).toEqual({ peers: [] })
  })

  it('names an unknown endpoint and a wrong method', async () => {
    const client = await ApiClient.fromDataDir(node.config.dataDir)
    await expect(client.get('/v1/nope')).rejects.toThrow('no such endpoint: /v1/nope')
    const err = await client.post('/v1/status', {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiRequestError)
    expect((err as ApiRequestError).status).toBe(405)
  })

  it('dials and hangs up peers, refusing a bad multiaddr or peer id', async () => {
    const client = await ApiClient.fromDataDir(node.config.dataDir)
    await expect(client.post('/v1/peers', { multiaddr: 'not-an-address' })).rejects.toMatchObject({ status: 400, code: 'bad_peer' })
    await expect(client.request('DELETE', '/v1/peers/nope')).rejects.toMatchObject({ status: 400, code: 'bad_peer' })
    const other = await startTestNode(dir.path, 'other')
    try {
      expect(await client.post('/v1/peers', { multiaddr: other.multiaddrs()[0] })).toEqual({ peer: other.peerId.toString() })
      expect(node.libp2p.getPeers().some(p => p.equals(other.peerId))).toBe(true)
      expect(await client.request('DELETE', `/v1/peers/${other.peerId.toString()}`)).toEqual({ disconnected: true })
      expect(node.libp2p.getConnections(other.peerId)).toHaveLength(0)
    } finally {
      await other.stop()
    }
  })

  it('says no node is running for a data dir without api.json', async () => {
    await expect(ApiClient.fromDataDir(join(dir.path, 'elsewhere'))).rejects.toThrow(NodeNotRunningError)
  })
})

describe('Router', () => {
  it('extracts decoded path parameters', () => {
    const router = new Router().get('/v1/communities/:c/channels/:ch', () => Promise.resolve(null))
    expect(router.match('GET', '/v1/communities/dev%20x/channels/general').params).toEqual({ c: 'dev x', ch: 'general' })
  })
})

describe('channel endpoints', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: OaNode
  let api: ServedApi
  let client: ApiClient
  const messages = '/v1/communities/devsupport/channels/general/messages'

  beforeAll(async () => {
    dir = await tempDir()
    node = await startTestNode(dir.path, 'n1', { communities: ['devsupport'], channels: { maxTextBytes: 100 } })
    api = await serveApi(node, { port: 0 })
    client = await ApiClient.fromDataDir(node.config.dataDir)
  })

  afterAll(async () => {
    await api.stop()
    await node.stop()
    await dir.cleanup()
  })

  async function failure (method: string, path: string, body?: unknown): Promise<{ status: number, code: string, message: string }> {
    const err = await client.request(method, path, body).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(ApiRequestError)
    const e = err as ApiRequestError
    return { status: e.status, code: e.code, message: e.message }
  }

  it('posts, replies, reacts and lists messages in order', async () => {
    const { message: root } = await client.post<{ message: EventJson }>(messages, { text: 'How do I tune HNSW ef?' })
    expect(root).toMatchObject({ type: 'channel.message.post', community: 'devsupport', channel: 'general', source: `user@${node.peerId.toString()}` })
    const { message: reply } = await client.post<{ message: EventJson }>(messages, { text: 'Raise ef.', replyTo: root.id, agent: 'helper' })
    expect(reply).toMatchObject({ type: 'channel.message.reply', replyTo: root.id, thread: root.id, source: `helper@${node.peerId.toString()}` })
    const { message: reaction } = await client.post<{ message: EventJson }>(`${messages}/${root.id}/reactions`, { reaction: '+1' })
    expect(reaction).toMatchObject({ type: 'channel.reaction.add', replyTo: root.id, payload: { reaction: '+1' } })
    const { messages: listed } = await client.get<{ messages: EventJson[] }>(`${messages}?limit=2`)
    expect(listed.map(m => m.id)).toEqual([reply.id, reaction.id])
    const { communities } = await client.get<{ communities: Array<{ name: string, channels: Array<{ name: string, messages: number }> }> }>('/v1/communities')
    expect(communities).toEqual([{ name: 'devsupport', policy: 'open', channels: [{ name: 'forum', messages: 0 }, { name: 'general', messages: 3 }, { name: 'social', messages: 0 }, { name: 'wiki', messages: 0 }] }])
  })

  it('answers bad input with a 4xx naming the problem, and stores nothing', async () => {
    const before = node.libp2p.services.channels.list('devsupport', 'general', { limit: 1000 }).length
    expect(await failure('POST', '/v1/communities/nope/channels/general/messages', { text: 'x' })).toMatchObject({ status: 404, code: 'not_member' })
    expect(await failure('POST', '/v1/communities/devsupport/channels/Bad!/messages', { text: 'x' })).toMatchObject({ status: 400, code: 'bad_channel' })
    expect(await failure('POST', messages, { text: '   ' })).toMatchObject({ status: 400, code: 'bad_text', message: 'the message text is empty' })
    expect(await failure('POST', messages, { text: 'x'.repeat(101) })).toMatchObject({ status: 413, code: 'text_too_long' })
    expect(await failure('POST', messages, { txt: 'x' })).toMatchObject({ status: 400, message: 'text: required; txt: unknown field' })
    expect(await failure('POST', messages, { text: 'x', replyTo: 'NOPE' })).toMatchObject({ status: 404, code: 'not_found' })
    expect(await failure('GET', `${messages}?limit=abc`)).toMatchObject({ status: 400, message: 'limit: expected a whole number, got "abc"' })
    const raw = await fetch(`${api.url}${messages}`, { method: 'POST', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' }, body: '{not json' })
    expect(raw.status).toBe(400)
    expect(node.libp2p.services.channels.list('devsupport', 'general', { limit: 1000 })).toHaveLength(before)
  })

  it('streams events over WebSocket with filters, and refuses bad upgrades', async () => {
    const ws = await client.events({ community: 'devsupport', channel: 'general', type: 'channel.message.' })
    const got = new Promise<{ origin: string, event: EventJson }>((resolve) => {
      ws.once('message', (data: Buffer) => { resolve(JSON.parse(data.toString()) as { origin: string, event: EventJson }) })
    })
    const { message } = await client.post<{ message: EventJson }>(messages, { text: 'over the socket' })
    expect(await got).toEqual({ origin: 'local', event: message })
    ws.close()
    await expect(client.events({ community: 'nope' })).rejects.toMatchObject({ status: 404, code: 'not_member' })
    const wrongToken = new ApiClient(client.info, 'f'.repeat(64))
    await expect(wrongToken.events({})).rejects.toMatchObject({ status: 401, code: 'unauthorized' })
  })
})
