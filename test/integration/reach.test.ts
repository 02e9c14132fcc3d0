import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { OaNode } from '../../src/node/oa-node.js'

describe('a relay on loopback (network.relay)', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const nodes: OaNode[] = []
  let relay: OaNode
  let behind: OaNode
  let other: OaNode

  beforeAll(async () => {
    dir = await tempDir()
    relay = await startTestNode(dir.path, 'relay', { network: { relay: { serve: true } } })
    nodes.push(relay)
    behind = await startTestNode(dir.path, 'behind', { network: { bootstrap: [tcpAddr(relay)], relay: { reserve: true } } })
    nodes.push(behind)
    other = await startTestNode(dir.path, 'other', { network: { bootstrap: [tcpAddr(relay)], minPeers: 0 } })
    nodes.push(other)
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await dir.cleanup()
  })

  it('reserves a slot on the relay, announces the relayed address, and both report it', async () => {
    const circuit = await waitFor('a relayed address', () => behind.multiaddrs().find(a => a.includes('/p2p-circuit')))
    expect(circuit).toContain(`/p2p/${relay.peerId.toString()}/p2p-circuit/p2p/${behind.peerId.toString()}`)
    expect(behind.status().reach.relayReservations.held).toEqual([relay.peerId.toString()])
    await waitFor('the relay counts one reservation', () => relay.status().reach.relayReservations.served === 1)
    expect(relay.status().reach).toMatchObject({ relayServing: true, relayReservations: { held: [] } })
    // on loopback only, nothing is public
    expect(behind.status().reach.reachability).toBe('private')
    // a local cluster keeps its private addresses
    expect(behind.status().reach.announcingPrivate).toBe(true)
  })

  it('carries a connection through the relay, reported as relayed', async () => {
    const circuit = behind.multiaddrs().find(a => a.includes('/p2p-circuit'))
    if (circuit == null) throw new Error('no relayed address')
    expect(await other.dial(circuit)).toBe(behind.peerId.toString())
    const view = (await other.peers()).find(p => p.peerId === behind.peerId.toString())
    expect(view).toMatchObject({ relayed: true })
    expect(view?.addresses[0]).toContain('/p2p-circuit')
    const direct = (await other.peers()).find(p => p.peerId === relay.peerId.toString())
    expect(direct).toMatchObject({ relayed: false })
  })
})
