import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, ApiRequestError, serveApi } from '../../src/api/index.js'
import { capabilityKey, communityKey } from '../../src/discovery/keys.js'
import { createDhtPeer } from '../helpers/dht-peer.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { ServedApi } from '../../src/api/index.js'
import type { AgentCandidate } from '../../src/api/routes/agents.js'
import type { AgentCard } from '../../src/discovery/card.js'
import type { EventJson } from '../../src/events/json.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { DhtPeer } from '../helpers/dht-peer.js'
import type { PeerId } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

const C = 'devsupport'

function card (name: string, peerId: string, overrides: Partial<AgentCard> = {}): AgentCard {
  return { name, id: `${name}@${peerId}`, description: 'Answers Python questions', community: C, capabilities: ['python'], channels: ['general'], peerId, multiaddrs: [], protocolVersion: '1', kind: 'expert', examples: [], ...overrides }
}

/** What kad-dht on `node` answers GET_PROVIDERS for `key` with, from its own store. */
async function storedProviders (node: OaNode, key: CID): Promise<PeerId[]> {
  const dht = node.libp2p.services.dht as unknown as { providers: { getProviders: (cid: CID) => Promise<PeerId[]> } }
  return dht.providers.getProviders(key)
}

describe('agent names that another node cannot squat', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let real: OaNode
  let asker: OaNode
  let squatter: DhtPeer
  let api: ServedApi
  let client: ApiClient

  beforeAll(async () => {
    dir = await tempDir()
    real = await startTestNode(dir.path, 'real', {
      communities: [C],
      memory: { enabled: false },
      agents: [{ name: 'python_expert', type: 'expert', community: C, capabilities: ['python'], description: 'The real one' }]
    })
    asker = await startTestNode(dir.path, 'asker', { communities: [C], memory: { enabled: false }, discovery: { cardTtlMs: 1000 }, network: { bootstrap: [tcpAddr(real)] } })
    await waitFor('asker connected', () => asker.libp2p.getPeers().some(p => p.equals(real.peerId)))
    squatter = await createDhtPeer()
    await squatter.connect(real)
    await squatter.connect(asker)
    api = await serveApi(asker, { port: 0 })
    client = await ApiClient.fromDataDir(asker.config.dataDir)
    // the squatter makes itself a provider of the real agent's community and capability
    await waitFor('squatter provides the community and capability keys', async () => {
      await squatter.provide(communityKey(C))
      await squatter.provide(capabilityKey(C, 'python'))
      return (await storedProviders(real, capabilityKey(C, 'python'))).some(p => p.equals(squatter.peerId))
    })
  })

  afterAll(async () => {
    await api.stop()
    await squatter.stop()
    await asker.stop()
    await real.stop()
    await dir.cleanup()
  })

  const realId = (): string => `python_expert@${real.peerId.toString()}`
  const ask = async (id: string): Promise<{ agent: string, reply: EventJson }> => client.post(`/v1/agents/${encodeURIComponent(id)}/requests`, { text: 'What does asyncio.gather do?', community: C })

  it('a card naming another node is refused and counted: asking by name still reaches the real agent, and nothing reaches the squatter', async () => {
    squatter.serve([card('python_expert', real.peerId.toString(), { description: 'forged' })])
    await waitFor('the forged card was fetched and refused', async () => {
      await asker.libp2p.services.discovery.findAgents({ community: C, capability: 'python' })
      return asker.status().limits.byReason.card_foreign > 0
    })
    const found = await asker.libp2p.services.discovery.findAgents({ community: C, capability: 'python' })
    expect(found.map(a => [a.id, a.description])).toEqual([[realId(), 'The real one']])

    const byName = await ask('python_expert')
    expect(byName.agent).toBe(realId())
    expect(byName.reply.source).toBe(realId())
    const byId = await ask(realId())
    expect(byId.reply.source).toBe(realId())
    expect(squatter.directs).toHaveLength(0)
  })

  it('a card of the same name under the squatter\'s own id makes a bare name ambiguous: the 409 lists both full ids, and the full id reaches the real agent', async () => {
    const squatterId = `python_expert@${squatter.peerId.toString()}`
    squatter.serve([card('python_expert', squatter.peerId.toString())])
    await waitFor('the squatter\'s card is listed', async () =>
      (await asker.libp2p.services.discovery.findAgents({ community: C, capability: 'python' })).some(a => a.id === squatterId))

    const err = await ask('python_expert').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiRequestError)
    const refused = err as ApiRequestError
    expect(refused.status).toBe(409)
    expect(refused.code).toBe('ambiguous')
    expect((refused.details.candidates as AgentCandidate[]).map(c => c.id).sort()).toEqual([realId(), squatterId].sort())
    // what the CLI prints: every full id, and how to name one
    expect(refused.message).toContain(realId())
    expect(refused.message).toContain(squatterId)
    expect(refused.message).toContain('name one as <name>@<peer id>')

    const byId = await ask(realId())
    expect(byId.reply.source).toBe(realId())
    expect(squatter.directs).toHaveLength(0)
  })

  it('a peer serving more cards than the bound is held to it', async () => {
    const many = Array.from({ length: 500 }, (_, i) => card(`bot_${i}`, squatter.peerId.toString()))
    squatter.serve(many)
    const before = asker.status().limits.byReason.card_peer
    await waitFor('the excess cards were refused', async () => {
      await asker.libp2p.services.discovery.findAgents({ community: C })
      return asker.status().limits.byReason.card_peer >= before + 500 - 64
    })
    const fromSquatter = (await asker.libp2p.services.discovery.findAgents({ community: C })).filter(a => a.peerId === squatter.peerId.toString())
    expect(fromSquatter).toHaveLength(64)
  })
})

describe('provider records a peer can make a node store', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let target: OaNode
  let honest: OaNode | undefined
  let flooder: DhtPeer
  const PER_PEER = 40
  const KEYS = 1000

  beforeAll(async () => {
    dir = await tempDir()
    target = await startTestNode(dir.path, 'target', { communities: [C], memory: { enabled: false }, limits: { providers: { perPeer: PER_PEER } } })
    flooder = await createDhtPeer()
    await flooder.connect(target)
  })

  afterAll(async () => {
    await flooder.stop()
    await honest?.stop()
    await target.stop()
    await dir.cleanup()
  })

  it('a peer providing a thousand capability keys is stored for at most limits.providers.perPeer of them; an honest peer is stored still', async () => {
    const keys = Array.from({ length: KEYS }, (_, i) => capabilityKey(C, `fake_${i}`))
    await waitFor('the first record reaches the target', async () => {
      await flooder.provide(keys[0]!)
      return (await storedProviders(target, keys[0]!)).some(p => p.equals(flooder.peerId))
    })
    for (let i = 1; i < KEYS; i += 25) await Promise.all(keys.slice(i, i + 25).map(async k => flooder.provide(k)))

    const refusals = (): number => target.status().limits.byReason.provider_peer
    // every provide has been sent (some are lost to kad-dht's own per-connection stream cap): most of the flood arrived
    expect(refusals()).toBeGreaterThan(KEYS / 2)
    let stored = 0
    for (const key of keys) if ((await storedProviders(target, key)).some(p => p.equals(flooder.peerId))) stored++
    expect(stored).toBe(PER_PEER)
    expect(target.status().limits.providerRecords).toMatchObject({ stored: PER_PEER, peers: 1, mostByOnePeer: PER_PEER })

    // the bound is the flooder's alone: an honest node's records are still taken
    honest = await startTestNode(dir.path, 'honest', { communities: [C], memory: { enabled: false }, network: { bootstrap: [tcpAddr(target)] } })
    const id = honest.peerId
    await waitFor('the honest node provides its community', async () =>
      (await storedProviders(target, communityKey(C))).some(p => p.equals(id)), 30_000)
  })
})
