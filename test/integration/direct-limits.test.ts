import { lpStream } from '@libp2p/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, ApiRequestError, serveApi } from '../../src/api/index.js'
import { LimitedError } from '../../src/channels/errors.js'
import { DirectResponse, Envelope } from '../../src/wire/generated/event.js'
import { channelTopic, DIRECT_PROTOCOL } from '../../src/wire/topics.js'
import { startLlmStub } from '../helpers/llm-stub.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { createRawPeer, signedBy } from '../helpers/raw-peer.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { ServedApi } from '../../src/api/index.js'
import type { AgentConfig } from '../../src/config/schema.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { RawPeer } from '../helpers/raw-peer.js'
import type { Stream } from '@libp2p/interface'

const C = 'devsupport'
const TOPIC = channelTopic(C, 'general')

function llmExpert (name: string): AgentConfig {
  return { name, type: 'expert', community: C, capabilities: ['python'], description: 'Answers with a language model' }
}

/** One direct request from a raw peer to `to`, as its signed envelope bytes. */
async function request (peer: RawPeer, to: string, n: number): Promise<Uint8Array> {
  return Envelope.encode(await signedBy(peer, { type: 'direct.request.send', community: C, agent: 'bot', target: to, payload: { text: `question ${n}` } }))
}

describe('rate limits on direct requests to an agent backed by a language model', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let stub: Awaited<ReturnType<typeof startLlmStub>>
  let target: OaNode
  let caller: OaNode
  let api: ServedApi
  const raws: RawPeer[] = []

  beforeAll(async () => {
    dir = await tempDir()
    stub = await startLlmStub()
    target = await startTestNode(dir.path, 'target', {
      communities: [C],
      memory: { enabled: false },
      agents: [llmExpert('flooded'), llmExpert('shared')],
      llm: { baseUrl: stub.url, apiKey: 'test-key', model: 'stub-model', maxRetries: 0 },
      limits: { direct: { perPeer: { points: 5, durationMs: 60_000 }, perAgent: { points: 8, durationMs: 60_000 } } }
    })
    caller = await startTestNode(dir.path, 'caller', { communities: [C], memory: { enabled: false }, network: { bootstrap: [tcpAddr(target)] } })
    await waitFor('caller connected', () => target.libp2p.getPeers().some(p => p.equals(caller.peerId)))
    api = await serveApi(caller, { port: 0 })
  })

  afterAll(async () => {
    await api.stop()
    await Promise.all(raws.map(async r => r.stop()))
    await caller.stop()
    await target.stop()
    await stub.stop()
    await dir.cleanup()
  })

  async function rawPeer (): Promise<RawPeer> {
    const peer = await createRawPeer()
    raws.push(peer)
    await peer.join(target, TOPIC)
    return peer
  }

  it('a flood from one peer reaches the model at most the bucket size; the rest are refused with the reason, counted, and lower its score', async () => {
    const peer = await rawPeer()
    const to = `flooded@${target.peerId.toString()}`
    const before = stub.requests.length
    const responses: DirectResponse[] = []
    for (let i = 0; i < 40; i++) responses.push(await peer.direct(target.peerId, await request(peer, to, i)))

    expect(responses.filter(r => r.status === DirectResponse.Status.OK)).toHaveLength(5)
    const refused = responses.filter(r => r.status === DirectResponse.Status.REJECTED)
    expect(refused).toHaveLength(35)
    for (const r of refused) expect(r.error).toMatch(/^rate limited: 5 requests per 60 s per peer; retry in \d+ s$/)
    expect(stub.requests.length - before).toBe(5)

    const limits = target.status().limits
    expect(limits.byReason.direct_peer_rate).toBe(35)
    expect(limits.total).toBeGreaterThanOrEqual(35)
    // 35 refusals at half an invalid message each: far below gossipsub's graylist threshold
    const score = (): number => target.peerScore(peer.peerId.toString()) ?? 0
    await waitFor('the flooder is graylisted', () => score() < -80)
  })

  it('the per-agent limit holds over all peers, and the caller is told why (429 through the API)', async () => {
    const to = `shared@${target.peerId.toString()}`
    const before = stub.requests.length
    const first = await rawPeer()
    for (let i = 0; i < 5; i++) expect((await first.direct(target.peerId, await request(first, to, i))).status).toBe(DirectResponse.Status.OK)

    const client = await ApiClient.fromDataDir(caller.config.dataDir)
    for (let i = 0; i < 3; i++) await client.post(`/v1/agents/${to}/requests`, { text: `question from the caller ${i}`, community: C })
    const err = await client.post(`/v1/agents/${to}/requests`, { text: 'one too many', community: C }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiRequestError)
    expect((err as ApiRequestError).status).toBe(429)
    expect((err as ApiRequestError).code).toBe('rate_limited')
    expect((err as ApiRequestError).message).toMatch(/^rate limited: 8 requests per 60 s to shared, from all peers; retry in \d+ s$/)
    expect(stub.requests.length - before).toBe(8)
    expect(target.status().limits.byReason.direct_agent_rate).toBe(1)

    // four of the caller's five a minute are spent: after one more, its error says which limit
    const ask = async (): Promise<unknown> => caller.libp2p.services.channels.request({ community: C, from: 'user', to: `flooded@${target.peerId.toString()}`, payload: { text: 'x' } })
    await ask()
    const own = await ask().catch((e: unknown) => e)
    expect(own).toBeInstanceOf(LimitedError)
    expect((own as LimitedError).limit).toBe('rate')
    expect((own as LimitedError).message).toMatch(/per peer; retry in \d+ s$/)
    expect((own as LimitedError).retryInMs).toBeGreaterThan(0)
  })
})

describe('a node-wide bound on concurrent streams per protocol, with a share per peer', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let target: OaNode
  let honest: OaNode
  const raws: RawPeer[] = []
  const held: Stream[] = []

  beforeAll(async () => {
    dir = await tempDir()
    // the wiki and social channels are left out: their history catch-ups at connection would
    // meet the tight share too, and this test counts the direct streams refused
    const only = { wiki: { enabled: false }, social: { enabled: false } }
    target = await startTestNode(dir.path, 'target', { communities: [C], memory: { enabled: false }, mods: only, limits: { streams: { perProtocol: 4, perPeer: 2 } } })
    honest = await startTestNode(dir.path, 'honest', { communities: [C], memory: { enabled: false }, mods: only, network: { bootstrap: [tcpAddr(target)] } })
    await waitFor('honest connected', () => target.libp2p.getPeers().some(p => p.equals(honest.peerId)))
    target.libp2p.services.channels.handleDirect('echo', req => Promise.resolve(req.payload))
  })

  afterAll(async () => {
    for (const s of held) s.abort(new Error('test over'))
    await Promise.all(raws.map(async r => r.stop()))
    await honest.stop()
    await target.stop()
    await dir.cleanup()
  })

  const open = (): number => target.status().limits.openStreams[DIRECT_PROTOCOL] ?? 0
  const ask = async (): Promise<unknown> => honest.libp2p.services.channels.request({ community: C, from: 'user', to: `echo@${target.peerId.toString()}`, payload: { n: 1 } })

  async function attacker (): Promise<RawPeer> {
    const peer = await createRawPeer()
    raws.push(peer)
    await peer.libp2p.dial(target.libp2p.getMultiaddrs()[0]!)
    return peer
  }

  /** Opens a direct stream and sends nothing: the target's handler waits on it. */
  async function hold (peer: RawPeer, expectedOpen: number): Promise<void> {
    const stream = await peer.libp2p.dialProtocol(target.peerId, DIRECT_PROTOCOL)
    held.push(stream)
    await waitFor(`${expectedOpen} direct streams held on the target`, () => open() === expectedOpen)
  }

  /** Opens a direct stream that the target refuses at once; returns the refusal. */
  async function refused (peer: RawPeer): Promise<DirectResponse> {
    const stream = await peer.libp2p.dialProtocol(target.peerId, DIRECT_PROTOCOL)
    const response = DirectResponse.decode(await lpStream(stream).read())
    await stream.close().catch(() => {})
    return response
  }

  it('refuses a peer past its share and the node past its bound, while honest peers get through when there is room', async () => {
    const a = await attacker()
    await hold(a, 1)
    await hold(a, 2)
    const overShare = await refused(a)
    expect(overShare.status).toBe(DirectResponse.Status.REJECTED)
    expect(overShare.error).toMatch(/^busy: this peer has 2 \/oa\/direct\/1\.0\.0 streams open on this node/)
    expect(target.status().limits.byReason.streams_peer).toBe(1)
    // one peer cannot fill the node: an honest peer still gets an answer
    await expect(ask()).resolves.toMatchObject({ payload: { n: 1 } })

    const b = await attacker()
    await hold(b, 3)
    await hold(b, 4)
    const c = await attacker()
    const overNode = await refused(c)
    expect(overNode.error).toMatch(/^busy: this node has 4 \/oa\/direct\/1\.0\.0 streams open, its limit/)
    expect(target.status().limits.byReason.streams_node).toBe(1)
    expect(open()).toBe(4)
    // the bound holds for everyone; the honest caller is told why
    const busy = await ask().catch((e: unknown) => e)
    expect(busy).toBeInstanceOf(LimitedError)
    expect((busy as LimitedError).limit).toBe('streams')

    // once the attackers let go, there is room again
    for (const s of held.splice(0)) s.abort(new Error('released'))
    await waitFor('held streams released', () => open() === 0)
    await expect(ask()).resolves.toMatchObject({ payload: { n: 1 } })
  })
})
