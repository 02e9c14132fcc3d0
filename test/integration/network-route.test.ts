import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiServer } from '../../src/api/index.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { NetworkAnswer } from '../../src/api/routes/network.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'netview'
const TOKEN = 'network-route-test-token'

describe('GET /v1/network on two connected nodes', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let n1: OaNode
  let n2: OaNode
  let api: ApiServer
  let url: string

  const network = async (): Promise<NetworkAnswer> => {
    const res = await fetch(`${url}/v1/network`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(res.status).toBe(200)
    return await res.json() as NetworkAnswer
  }

  beforeAll(async () => {
    dir = await tempDir()
    n1 = await startTestNode(dir.path, 'n1', { communities: [C] })
    n2 = await startTestNode(dir.path, 'n2', { communities: [C], network: { bootstrap: [tcpAddr(n1)] } })
    api = new ApiServer({ node: n1, token: TOKEN, port: 0 })
    url = await api.start()
  })

  afterAll(async () => {
    await api.stop()
    await Promise.all([n1.stop(), n2.stop()])
    await dir.cleanup()
  })

  it('lists the connected peer with its address, direction, relay flag and latency', async () => {
    await waitFor('the nodes connected', () => n1.libp2p.getPeers().some(p => p.equals(n2.peerId)))
    const answer = await network()
    expect(answer.peerId).toBe(n1.peerId.toString())
    const peer = answer.peers.find(p => p.peerId === n2.peerId.toString())
    expect(peer).toBeDefined()
    expect(peer?.address).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+/)
    expect(peer?.addresses).toContain(peer?.address)
    // n2 dialled n1 (its bootstrap peer)
    expect(peer?.direction).toBe('inbound')
    expect(peer?.relayed).toBe(false)
    expect(typeof peer?.latencyMs).toBe('number')
    expect(peer?.latencyMs).toBeGreaterThanOrEqual(0)
    expect(peer?.connectedForMs).toBeGreaterThanOrEqual(0)
  })

  it('tells the DHT mode and routing table size, and a reachability', async () => {
    await waitFor('n2 in n1\'s routing table', async () => (await network()).dht.routingTableSize === 1)
    const answer = await network()
    expect(answer.dht.mode).toBe('server')
    // loopback addresses only: no peer outside this machine can dial it, as status says too
    expect(answer.reachability).toBe('private')
    expect(answer.reachability).toBe(n1.status().reach.reachability)
    expect(answer.relayReservations).toEqual({ held: [], served: 0 })
    expect(answer.addresses.length).toBeGreaterThan(0)
    expect(answer.addresses.every(a => typeof a.multiaddr === 'string' && typeof a.verified === 'boolean')).toBe(true)
  })

  it('lists the community\'s peers as this node sees them', async () => {
    const other = n2.peerId.toString()
    await waitFor('n2 subscribed to a channel of the community', async () => (await network()).communities.find(c => c.name === C)?.peers.some(p => p.peerId === other && p.subscribed) === true)
    const answer = await network()
    const community = answer.communities.find(c => c.name === C)
    expect(community?.policy).toBe('open')
    expect(community?.peers).toEqual([{ peerId: other, member: false, connected: true, subscribed: true }])
    expect(answer.communities.map(c => c.name)).toEqual(n1.communities)
  })

  it('is refused without the token', async () => {
    const res = await fetch(`${url}/v1/network`)
    expect(res.status).toBe(401)
  })
})
