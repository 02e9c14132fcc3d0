import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveApi } from '../../src/api/index.js'
import { channelTopic } from '../../src/wire/topics.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { ServedApi } from '../../src/api/index.js'
import type { ConfigLayer } from '../../src/config/schema.js'
import type { OaNode } from '../../src/node/index.js'

const C = 'metricsville'
// nothing is captured into memory on its own, so memory writes are only the test's
const layer: ConfigLayer = { communities: [C], memory: { capture: { '*': [] } } }

interface Served { node: OaNode, api: ServedApi }

async function scrape ({ api }: Served, token: string | null = api.token, method = 'GET'): Promise<{ status: number, type: string | null, text: string }> {
  const res = await fetch(`${api.url}/metrics`, { method, headers: token == null ? {} : { authorization: `Bearer ${token}` } })
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() }
}

/** The value of one sample of a scrape, or undefined when the scrape has no such sample. */
function sample (text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (match?.[1] !== name) continue
    const held = new Map([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(m => [m[1] ?? '', m[2] ?? '']))
    if (Object.entries(labels).every(([k, v]) => held.get(k) === v)) return Number(match[3])
  }
  return undefined
}

async function value (served: Served, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  return sample((await scrape(served)).text, name, labels)
}

describe('GET /metrics on the control API', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let a: Served
  let b: Served

  beforeAll(async () => {
    dir = await tempDir()
    const nodeA = await startTestNode(dir.path, 'a', layer)
    const nodeB = await startTestNode(dir.path, 'b', { ...layer, network: { bootstrap: [tcpAddr(nodeA)] } })
    a = { node: nodeA, api: await serveApi(nodeA, { port: 0 }) }
    b = { node: nodeB, api: await serveApi(nodeB, { port: 0 }) }
    await waitFor('a and b connected', () => nodeA.libp2p.getPeers().length === 1 && nodeB.libp2p.getPeers().length === 1)
    await waitFor('b subscribed to general', () => nodeA.libp2p.services.pubsub.getSubscribers(channelTopic(C, 'general')).length === 1)
  })

  afterAll(async () => {
    for (const { node, api } of [a, b]) {
      await api.stop()
      await node.stop()
    }
    await dir.cleanup()
  })

  it('answers the Prometheus text format with libp2p metrics of each node', async () => {
    const answer = await scrape(a)
    expect(answer.status).toBe(200)
    expect(answer.type).toBe('text/plain; version=0.0.4; charset=utf-8')
    // b dialled a: one connection each way, and each node reports its own
    expect(sample(answer.text, 'libp2p_connection_manager_connections', { libp2p_connection_manager_connections: 'inbound' })).toBe(1)
    expect(sample(answer.text, 'libp2p_connection_manager_connections', { libp2p_connection_manager_connections: 'outbound' })).toBe(0)
    expect(await value(b, 'libp2p_connection_manager_connections', { libp2p_connection_manager_connections: 'outbound' })).toBe(1)
    expect(await value(b, 'libp2p_connection_manager_connections', { libp2p_connection_manager_connections: 'inbound' })).toBe(0)
    expect(sample(answer.text, 'oa_peers_connected')).toBe(1)
    expect(sample(answer.text, 'oa_uptime_seconds')).toBeGreaterThan(0)
  })

  it('counts a channel message published on a and received on b, per community', async () => {
    expect(await value(a, 'oa_channel_messages_published_total', { community: C })).toBeUndefined()
    await a.node.libp2p.services.channels.post({ community: C, channel: 'general', text: 'hello, metrics' })
    expect(await value(a, 'oa_channel_messages_published_total', { community: C })).toBe(1)
    await waitFor('b received the message', async () => await value(b, 'oa_channel_messages_received_total', { community: C, mode: 'gossip' }) === 1)
    expect(await value(b, 'oa_channel_messages_published_total', { community: C })).toBeUndefined()
    expect(await value(a, 'oa_channel_messages_received_total', { community: C, mode: 'gossip' })).toBeUndefined()
  })

  it('counts memory writes and searches, and times the searches', async () => {
    const headers = { authorization: `Bearer ${a.api.token}`, 'content-type': 'application/json' }
    const written = await fetch(`${a.api.url}/v1/communities/${C}/memory`, { method: 'POST', headers, body: JSON.stringify({ text: 'raise ef to get better HNSW recall' }) })
    expect(written.status).toBe(201)
    expect(await value(a, 'oa_memory_writes_total', { community: C })).toBe(1)
    expect(await value(a, 'oa_memory_store_bytes')).toBeGreaterThan(0)
    const before = await value(a, 'oa_memory_search_duration_seconds_count', { mode: 'hybrid' }) ?? 0
    const search = await fetch(`${a.api.url}/v1/communities/${C}/memory/search?q=${encodeURIComponent('HNSW recall')}`, { headers })
    expect(search.status).toBe(200)
    const text = (await scrape(a)).text
    expect(sample(text, 'oa_memory_search_duration_seconds_count', { mode: 'hybrid' })).toBe(before + 1)
    expect(sample(text, 'oa_memory_searches_total', { mode: 'hybrid' })).toBe(before + 1)
    // b holds a's record once replication brings it: no lag left for a's origin
    await waitFor('b holds a\'s record', async () => await value(b, 'oa_replication_lag', { community: C, origin: a.node.peerId.toString() }) === 0)
  })

  it('counts and times direct requests by outcome', async () => {
    const to = `nobody@${b.node.peerId.toString()}`
    await expect(a.node.libp2p.services.channels.request({ community: C, from: 'user', to, payload: { text: 'anyone?' } })).rejects.toThrow()
    const text = (await scrape(a)).text
    expect(sample(text, 'oa_direct_requests_total', { community: C, outcome: 'error' })).toBe(1)
    expect(sample(text, 'oa_direct_request_duration_seconds_count', { community: C })).toBe(1)
  })

  it('wants the token, takes GET only, and counts what it refused', async () => {
    const before = await value(a, 'oa_rejections_total', { source: 'api', reason: 'unauthorized' })
    expect(before).toBe(0)
    const anonymous = await scrape(a, null)
    expect(anonymous.status).toBe(401)
    expect(JSON.parse(anonymous.text)).toMatchObject({ error: { code: 'unauthorized' } })
    expect((await scrape(a, 'not-the-token')).status).toBe(401)
    const posted = await scrape(a, a.api.token, 'POST')
    expect(posted.status).toBe(405)
    expect(JSON.parse(posted.text)).toMatchObject({ error: { code: 'method_not_allowed' } })
    const text = (await scrape(a)).text
    expect(sample(text, 'oa_rejections_total', { source: 'api', reason: 'unauthorized' })).toBe(2)
    expect(sample(text, 'oa_rejections_total', { source: 'api', reason: 'method_not_allowed' })).toBe(1)
    expect(sample(text, 'oa_rejections_total', { source: 'channels', reason: 'signature' })).toBe(0)
  })

  it('with api.metrics: false answers 404 metrics_off, and libp2p runs without metrics', async () => {
    const node = await startTestNode(dir.path, 'c', { ...layer, api: { metrics: false } })
    const api = await serveApi(node, { port: 0 })
    try {
      expect(node.metrics).toBeUndefined()
      expect(node.libp2p.metrics).toBeUndefined()
      const answer = await scrape({ node, api })
      expect(answer.status).toBe(404)
      expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'metrics_off' } })
      expect((await scrape({ node, api }, null)).status).toBe(401)
    } finally {
      await api.stop()
      await node.stop()
    }
  })
})
