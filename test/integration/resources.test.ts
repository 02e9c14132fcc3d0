import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'devsupport'

/** Streams open on every connection of a node (long-lived ones included: gossipsub, identify). */
function openStreams (node: OaNode): number {
  return node.libp2p.getConnections().reduce((n, c) => n + c.streams.length, 0)
}

describe('streams opened by requests are closed', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let a: OaNode
  let b: OaNode

  beforeAll(async () => {
    dir = await tempDir()
    a = await startTestNode(dir.path, 'a', { communities: [C], memory: { capture: { '*': [] } } })
    // 100 requests in a row are over the default direct-request rates; this test is about streams, not rates
    const rates = { perPeer: { points: 1000, durationMs: 60_000 }, perAgent: { points: 1000, durationMs: 60_000 } }
    b = await startTestNode(dir.path, 'b', { communities: [C], network: { bootstrap: [tcpAddr(a)] }, memory: { capture: { '*': [] } }, limits: { direct: rates } })
    await waitFor('connected', () => a.libp2p.getPeers().length === 1 && b.libp2p.getPeers().length === 1)
    b.libp2p.services.channels.handleDirect('echo', (req) => Promise.resolve(req.payload))
  })

  afterAll(async () => {
    await a.stop()
    await b.stop()
    await dir.cleanup()
  })

  it('after 100 direct requests, 20 history fetches, card lookups and memory syncs, both nodes are back to the streams they had', async () => {
    // let the long-lived streams (gossipsub, identify, DHT) settle first
    await new Promise(resolve => setTimeout(resolve, 2000))
    const baseline = { a: openStreams(a), b: openStreams(b) }
    await a.libp2p.services.channels.post({ community: C, channel: 'general', text: 'a message to fetch as history' })
    await a.libp2p.services.memory.remember(C, { text: 'a record to sync' })
    for (let i = 0; i < 100; i++) await a.libp2p.services.channels.request({ community: C, from: 'user', to: `echo@${b.peerId.toString()}`, payload: { i } })
    for (let i = 0; i < 20; i++) await b.libp2p.services.channels.backfill(a.peerId, C, 'general')
    for (let i = 0; i < 10; i++) await b.libp2p.services.replication.sync(a.peerId, C)
    for (let i = 0; i < 10; i++) await a.libp2p.services.discovery.findAgents({ community: C })
    await waitFor('streams closed', () => openStreams(a) <= baseline.a && openStreams(b) <= baseline.b, 10_000, 100)
    expect(openStreams(a)).toBeLessThanOrEqual(baseline.a)
    expect(openStreams(b)).toBeLessThanOrEqual(baseline.b)
  })
})
