import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { OaNode } from '../../src/node/oa-node.js'

const connected = (a: OaNode, b: OaNode): boolean => a.libp2p.getPeers().some(p => p.equals(b.peerId))

describe('a node keeps itself meshed without a community (network.minPeers)', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let hub: OaNode
  let others: OaNode[] = []

  beforeAll(async () => {
    dir = await tempDir()
    hub = await startTestNode(dir.path, 'hub')
    // a star: the three others know only the hub, and start at once
    others = await Promise.all(['s1', 's2', 's3'].map(async name => startTestNode(dir.path, name, { network: { bootstrap: [tcpAddr(hub)] } })))
  })

  afterAll(async () => {
    await Promise.all([hub, ...others].filter(n => n?.isStarted()).map(async n => n.stop()))
    await dir.cleanup()
  })

  it('every node of a star connects to every other (min(3, minPeers) peers each)', async () => {
    expect(hub.config.network.minPeers).toBe(4)
    await waitFor('every node has 3 peers', () => [hub, ...others].every(n => n.libp2p.getPeers().length >= 3), 30_000)
    for (const [i, a] of others.entries()) for (const b of others.slice(i + 1)) expect(connected(a, b)).toBe(true)
  })

  it('the others stay connected when the hub stops, and connect again after a connection is lost', async () => {
    await hub.stop()
    await waitFor('the hub is gone from every peer list', () => others.every(n => !connected(n, hub)), 30_000)
    for (const [i, a] of others.entries()) for (const b of others.slice(i + 1)) expect(connected(a, b)).toBe(true)
    // the DHT's own self-query runs every few minutes: what reconnects them now is the keeper
    const [s1, s2] = others as [OaNode, OaNode]
    const rounds = (): number => s1.libp2p.services.meshKeeper.status().rounds + s2.libp2p.services.meshKeeper.status().rounds
    // a round under way since the hub left may reconnect them by its lookup: start from none
    await waitFor('no round under way on s1 or s2', () => !s1.libp2p.services.meshKeeper.status().running && !s2.libp2p.services.meshKeeper.status().running, 30_000, 20)
    const before = rounds()
    await s1.libp2p.hangUp(s2.peerId)
    expect(connected(s1, s2)).toBe(false)
    await waitFor('s1 and s2 connected again', () => connected(s1, s2), 30_000)
    expect(rounds()).toBeGreaterThan(before)
  })
})
