import { createServer } from 'node:net'
import { sha256 } from 'multiformats/hashes/sha2'
import { CID } from 'multiformats/cid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadConfig } from '../../src/config/load.js'
import { createNode } from '../../src/node/create-node.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { OaNode } from '../../src/node/oa-node.js'

const TOPIC = 'oa-test/foundation'

async function cidOf (text: string): Promise<CID> {
  return CID.createV1(0x55, await sha256.digest(new TextEncoder().encode(text)))
}

/** Records every message each node receives on TOPIC. */
function recordMessages (nodes: OaNode[]): Map<OaNode, string[]> {
  const seen = new Map<OaNode, string[]>()
  for (const node of nodes) {
    const list: string[] = []
    seen.set(node, list)
    node.libp2p.services.pubsub.addEventListener('message', (evt) => {
      if (evt.detail.topic === TOPIC) list.push(new TextDecoder().decode(evt.detail.data))
    })
    node.libp2p.services.pubsub.subscribe(TOPIC)
  }
  return seen
}

async function findProvider (node: OaNode, cid: CID, provider: OaNode): Promise<boolean> {
  for await (const p of node.libp2p.contentRouting.findProviders(cid, { signal: AbortSignal.timeout(10_000) })) {
    if (p.id.equals(provider.peerId)) return true
  }
  return false
}

describe('a 5-node network bootstrapped from node 1', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const nodes: OaNode[] = []
  let seen: Map<OaNode, string[]>

  beforeAll(async () => {
    dir = await tempDir()
    const first = await startTestNode(dir.path, 'n1')
    nodes.push(first)
    for (let i = 2; i <= 5; i++) nodes.push(await startTestNode(dir.path, `n${i}`, { network: { bootstrap: [tcpAddr(first)] } }))
    seen = recordMessages(nodes)
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await dir.cleanup()
  })

  it('connects every node to every other node', async () => {
    await waitFor('every node connected to the 4 others', () => nodes.every(n => n.libp2p.getPeers().length === 4))
    for (const node of nodes) expect(node.status().peers).toBe(4)
  })

  it('delivers a gossipsub message from any node to every other node', async () => {
    await waitFor('every node sees 4 subscribers', () => nodes.every(n => n.libp2p.services.pubsub.getSubscribers(TOPIC).length === 4))
    for (const [i, node] of nodes.entries()) await node.libp2p.services.pubsub.publish(TOPIC, new TextEncoder().encode(`from-${i}`))
    await waitFor('all messages delivered', () => nodes.every(n => (seen.get(n)?.length ?? 0) === 4))
    for (const [i, node] of nodes.entries()) {
      const expected = nodes.map((_, j) => `from-${j}`).filter(m => m !== `from-${i}`)
      expect([...(seen.get(node) ?? [])].sort()).toEqual(expected.sort())
    }
  })

  it('finds DHT provider records across nodes', async () => {
    const cid = await cidOf('provided by node 2')
    await nodes[1]!.libp2p.contentRouting.provide(cid, { signal: AbortSignal.timeout(15_000) })
    for (const node of [nodes[0]!, nodes[2]!, nodes[4]!]) {
      expect(await findProvider(node, cid, nodes[1]!)).toBe(true)
    }
  })

  it('keeps gossiping and answering DHT lookups after the bootstrap node stops', async () => {
    const first = nodes.shift()!
    await first.stop()
    const rest = nodes
    await waitFor('the bootstrap node is gone from every peer list', () => rest.every(n => !n.libp2p.getPeers().some(p => p.equals(first.peerId))))
    for (const node of rest) expect(node.libp2p.getPeers()).toHaveLength(3)

    for (const list of seen.values()) list.length = 0
    await rest[0]!.libp2p.services.pubsub.publish(TOPIC, new TextEncoder().encode('after'))
    await waitFor('message delivered without node 1', () => rest.slice(1).every(n => seen.get(n)?.includes('after')))

    const cid = await cidOf('provided after node 1 left')
    await rest[1]!.libp2p.contentRouting.provide(cid, { signal: AbortSignal.timeout(15_000) })
    expect(await findProvider(rest[3]!, cid, rest[1]!)).toBe(true)
  })
})

describe('community members', () => {
  it('find and connect to each other through the DHT, and connect again after a connection is lost', async () => {
    const dir = await tempDir()
    const nodes: OaNode[] = []
    try {
      const layer = { communities: ['guild'], discovery: { communityPeersIntervalMs: 1000 } }
      const first = await startTestNode(dir.path, 'hub', layer)
      nodes.push(first)
      for (const name of ['m1', 'm2', 'm3']) nodes.push(await startTestNode(dir.path, name, { ...layer, network: { bootstrap: [tcpAddr(first)] } }))
      const [, m1, m2] = nodes
      await waitFor('every member connected to the 3 others', () => nodes.every(n => n.libp2p.getPeers().length === 3), 30_000)
      // the DHT's own self-query runs every few minutes: what reconnects them now is the community check
      await m1!.libp2p.hangUp(m2!.peerId)
      expect(m1!.libp2p.getPeers().some(p => p.equals(m2!.peerId))).toBe(false)
      await waitFor('m1 and m2 connected again', () => m1!.libp2p.getPeers().some(p => p.equals(m2!.peerId)), 20_000)
    } finally {
      await Promise.all(nodes.map(async n => n.stop()))
      await dir.cleanup()
    }
  })
})

describe('bootstrap peer unreachable at start', () => {
  it('keeps running, warns with a retry delay, and joins once the peer comes up', async () => {
    const dir = await tempDir()
    // reserve a loopback port for the bootstrap peer that is not running yet
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port
        srv.close(() => { resolve(p) })
      })
    })
    const key = await generateKeyPair('Ed25519')
    const bootstrapAddr = `/ip4/127.0.0.1/tcp/${port}/p2p/${peerIdFromPrivateKey(key).toString()}`
    const lonely = await startTestNode(dir.path, 'lonely', { network: { bootstrap: [bootstrapAddr] } })
    try {
      const warning = await new Promise<{ message: string, retryInMs: number }>((resolve) => {
        lonely.addEventListener('bootstrap:unreachable', (evt) => { resolve(evt.detail) }, { once: true })
      })
      expect(warning.message).toContain('cannot reach any bootstrap peer')
      expect(warning.retryInMs).toBeGreaterThan(0)
      expect(lonely.isStarted()).toBe(true)

      const config = await loadConfig({ flags: { dataDir: `${dir.path}/boot`, network: { listen: [`/ip4/127.0.0.1/tcp/${port}`] } } })
      const boot = await createNode(config, { privateKey: key })
      await boot.start()
      try {
        await waitFor('the node joins the bootstrap peer', () => lonely.libp2p.getPeers().some(p => p.equals(boot.peerId)), 30_000)
      } finally {
        await boot.stop()
      }
    } finally {
      await lonely.stop()
      await dir.cleanup()
    }
  })
})
