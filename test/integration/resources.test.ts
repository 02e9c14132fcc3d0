import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import { AGENTS_PROTOCOL } from '../../src/discovery/cards-protocol.js'
import { MEMSYNC_PROTOCOL } from '../../src/memory/replication/index.js'
import { DIRECT_PROTOCOL, HISTORY_PROTOCOL } from '../../src/wire/topics.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'devsupport'

/** The request protocols this test opens streams of. */
const REQUEST_PROTOCOLS = new Set([DIRECT_PROTOCOL, HISTORY_PROTOCOL, MEMSYNC_PROTOCOL, AGENTS_PROTOCOL])

/** Streams of the request protocols open on every connection of a node. */
function openStreams (node: OaNode): number {
  return node.libp2p.getConnections().reduce((n, c) => n + c.streams.filter(s => REQUEST_PROTOCOLS.has(s.protocol)).length, 0)
}

/** Streams of every protocol open on a node (long-lived ones included: gossipsub, identify). */
function allStreams (node: OaNode): number {
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
    // no request in flight before: background syncs and lookups are short
    await waitFor('no request stream open', () => openStreams(a) === 0 && openStreams(b) === 0)
    const before = { a: allStreams(a), b: allStreams(b) }
    await a.libp2p.services.channels.post({ community: C, channel: 'general', text: 'a message to fetch as history' })
    await a.libp2p.services.memory.remember(C, { text: 'a record to sync' })
    for (let i = 0; i < 100; i++) await a.libp2p.services.channels.request({ community: C, from: 'user', to: `echo@${b.peerId.toString()}`, payload: { i } })
    for (let i = 0; i < 20; i++) await b.libp2p.services.channels.backfill(a.peerId, C, 'general')
    for (let i = 0; i < 10; i++) await b.libp2p.services.replication.sync(a.peerId, C)
    for (let i = 0; i < 10; i++) await a.libp2p.services.discovery.findAgents({ community: C })
    await waitFor('request streams closed', () => openStreams(a) === 0 && openStreams(b) === 0, 10_000, 100)
    // nor is any other stream left behind per request: 140 requests, and at most the few
    // long-lived streams (gossipsub, identify push) that were still opening before them
    expect(allStreams(a)).toBeLessThan(before.a + 10)
    expect(allStreams(b)).toBeLessThan(before.b + 10)
  })
})
