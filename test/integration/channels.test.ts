import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { DirectTimeoutError, NoSuchAgentError, RejectedError, UnreachableError } from '../../src/channels/index.js'
import { channelTopic } from '../../src/wire/topics.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { ObservedEvent } from '../../src/channels/index.js'
import type { EventJson } from '../../src/events/json.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'devsupport'

/** Every event each node's channels service emits. */
function record (node: OaNode, log: ObservedEvent[]): void {
  node.libp2p.services.channels.addEventListener('event', (evt) => { log.push(evt.detail) })
}

function received (log: ObservedEvent[], id: string): number {
  return log.filter(e => e.event.id === id && e.origin !== 'local').length
}

describe('channels across 5 in-process nodes', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const nodes: OaNode[] = []
  const logs = new Map<OaNode, ObservedEvent[]>()
  let outsider: OaNode
  const members = (): OaNode[] => nodes.filter(n => n !== outsider)

  beforeAll(async () => {
    dir = await tempDir()
    const first = await startTestNode(dir.path, 'n1', { communities: [C] })
    nodes.push(first)
    for (let i = 2; i <= 4; i++) nodes.push(await startTestNode(dir.path, `n${i}`, { communities: [C], network: { bootstrap: [tcpAddr(first)] } }))
    outsider = await startTestNode(dir.path, 'n5', { communities: ['other'], network: { bootstrap: [tcpAddr(first)] } })
    nodes.push(outsider)
    for (const node of nodes) {
      const log: ObservedEvent[] = []
      logs.set(node, log)
      record(node, log)
    }
    await waitFor('full mesh', () => nodes.every(n => n.libp2p.getPeers().length === 4))
    await waitFor('members see each other in general', () => members().every(n => n.libp2p.services.pubsub.getSubscribers(channelTopic(C, 'general')).length === 3))
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await dir.cleanup()
  })

  it('delivers a post from any member to every other member exactly once, and to no node outside the community', async () => {
    const posted: EventJson[] = []
    for (const [i, node] of members().entries()) {
      posted.push(await node.libp2p.services.channels.post({ community: C, channel: 'general', text: `hello from member ${i}` }))
    }
    for (const node of members()) {
      const log = logs.get(node) ?? []
      await waitFor('every post delivered', () => posted.every(p => p.source.endsWith(node.peerId.toString()) || received(log, p.id) >= 1))
    }
    // a later post from every member, on the same topic: once each has arrived everywhere,
    // a duplicate of an earlier post would have arrived too
    const markers = await Promise.all(members().map(async node => node.libp2p.services.channels.post({ community: C, channel: 'general', text: 'a later post' })))
    for (const node of members()) {
      const log = logs.get(node) ?? []
      await waitFor('every later post delivered', () => markers.every(p => p.source.endsWith(node.peerId.toString()) || received(log, p.id) >= 1))
    }
    posted.push(...markers)
    for (const node of members()) {
      const log = logs.get(node) ?? []
      for (const p of posted) {
        expect(received(log, p.id)).toBe(p.source.endsWith(node.peerId.toString()) ? 0 : 1)
      }
      expect(node.libp2p.services.channels.list(C, 'general').map(m => m.id).sort()).toEqual(posted.map(p => p.id).sort())
    }
    expect(logs.get(outsider)?.filter(e => e.event.community === C)).toEqual([])
    expect(outsider.libp2p.services.pubsub.getTopics().some(t => t.startsWith(`oa/1/${C}/`))).toBe(false)
  })

  it('keeps replies in their thread and parses mentions', async () => {
    const [a, b, c, d] = members() as [OaNode, OaNode, OaNode, OaNode]
    const root = await a.libp2p.services.channels.post({ community: C, channel: 'general', text: 'How do I tune HNSW ef, @python_expert?' })
    expect(root.payload).toMatchObject({ mentions: ['python_expert'] })
    await waitFor('root at b', () => received(logs.get(b) ?? [], root.id) === 1)
    const r1 = await b.libp2p.services.channels.reply({ community: C, channel: 'general', replyTo: root.id, text: 'Raise ef above k.' })
    await waitFor('reply at c', () => received(logs.get(c) ?? [], r1.id) === 1)
    const r2 = await c.libp2p.services.channels.reply({ community: C, channel: 'general', replyTo: r1.id, text: 'And measure recall.' })
    await waitFor('both replies at d', () => received(logs.get(d) ?? [], r2.id) === 1 && received(logs.get(d) ?? [], r1.id) === 1)
    const atD = d.libp2p.services.channels.list(C, 'general')
    const byId = new Map(atD.map(m => [m.id, m]))
    expect(byId.get(r1.id)).toMatchObject({ type: 'channel.message.reply', replyTo: root.id, thread: root.id })
    expect(byId.get(r2.id)).toMatchObject({ type: 'channel.message.reply', replyTo: r1.id, thread: root.id })
  })

  it('creates a channel on demand: members follow it and receive its messages', async () => {
    const [a, ...others] = members() as [OaNode, ...OaNode[]]
    const msg = await a.libp2p.services.channels.post({ community: C, channel: 'python_channel', text: 'asyncio question' })
    for (const node of others) {
      await waitFor('the new channel reaches every member', () => node.libp2p.services.channels.list(C, 'python_channel').some(m => m.id === msg.id))
      expect(node.libp2p.services.channels.channels(C)).toContain('python_channel')
    }
    expect(outsider.libp2p.services.channels.channels(C)).toEqual([])
  })

  it('answers a direct request from an agent on another node', async () => {
    const [a, , c] = members() as [OaNode, OaNode, OaNode]
    c.libp2p.services.channels.handleDirect('echo', (req) => Promise.resolve({ echoed: req.payload, from: req.from }))
    const reply = await a.libp2p.services.channels.request({ community: C, from: 'asker', to: `echo@${c.peerId.toString()}`, payload: { text: 'ping' } })
    expect(reply.payload).toEqual({ echoed: { text: 'ping' }, from: `asker@${a.peerId.toString()}` })
    expect(reply.event).toMatchObject({ type: 'direct.response.send', source: `echo@${c.peerId.toString()}`, target: `asker@${a.peerId.toString()}` })
  })

  it('gives typed errors: no such agent, handler failure, timeout, unreachable, aborted', async () => {
    const [a, , c] = members() as [OaNode, OaNode, OaNode]
    const channels = a.libp2p.services.channels
    c.libp2p.services.channels.handleDirect('broken', () => Promise.reject(new Error('out of coffee')))
    c.libp2p.services.channels.handleDirect('slow', (_req, { signal }) => new Promise((resolve) => { signal.addEventListener('abort', () => { resolve(null) }) }))
    await expect(channels.request({ community: C, from: 'asker', to: `ghost@${c.peerId.toString()}`, payload: {} })).rejects.toThrow(NoSuchAgentError)
    await expect(channels.request({ community: C, from: 'asker', to: `broken@${c.peerId.toString()}`, payload: {} })).rejects.toThrow(RejectedError)
    await expect(channels.request({ community: C, from: 'asker', to: `broken@${c.peerId.toString()}`, payload: {} })).rejects.toThrow('out of coffee')
    await expect(channels.request({ community: C, from: 'asker', to: `slow@${c.peerId.toString()}`, payload: {}, timeoutMs: 300 })).rejects.toThrow(DirectTimeoutError)
    const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    await expect(channels.request({ community: C, from: 'asker', to: `x@${stranger.toString()}`, payload: {}, timeoutMs: 10_000 })).rejects.toThrow(UnreachableError)
    const controller = new AbortController()
    const pending = channels.request({ community: C, from: 'asker', to: `slow@${c.peerId.toString()}`, payload: {}, signal: controller.signal })
    controller.abort(new Error('caller gave up'))
    await expect(pending).rejects.toThrow('caller gave up')
  })

  it('backfills a late-joining node with the history it missed, in (timestamp, id) order', async () => {
    const expected = members()[0]!.libp2p.services.channels.list(C, 'general', { limit: 1000 }).map(m => m.id)
    expect(expected.length).toBeGreaterThanOrEqual(7)
    const late = await startTestNode(dir.path, 'late', { communities: [C], network: { bootstrap: [tcpAddr(nodes[1]!)] } })
    nodes.push(late)
    await waitFor('late node backfilled general', () => late.libp2p.services.channels.list(C, 'general', { limit: 1000 }).length === expected.length)
    const got = late.libp2p.services.channels.list(C, 'general', { limit: 1000 })
    expect(got.map(m => m.id)).toEqual(expected)
    const order = [...got].sort((x, y) => x.timestamp - y.timestamp || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
    expect(got.map(m => m.id)).toEqual(order.map(m => m.id))
  })

  it('a restarted node keeps its history and catches up on what was posted while it was down', async () => {
    const d = members()[3]!
    const before = d.libp2p.services.channels.list(C, 'general', { limit: 1000 }).map(m => m.id)
    await d.stop()
    nodes.splice(nodes.indexOf(d), 1)
    const missed = await members()[0]!.libp2p.services.channels.post({ community: C, channel: 'general', text: 'posted while n4 was down' })
    const again = await startTestNode(dir.path, 'n4', { communities: [C], network: { bootstrap: [tcpAddr(members()[0]!)] } })
    nodes.push(again)
    expect(again.peerId.equals(d.peerId)).toBe(true)
    await waitFor('restarted node caught up', () => again.libp2p.services.channels.list(C, 'general', { limit: 1000 }).some(m => m.id === missed.id))
    const after = again.libp2p.services.channels.list(C, 'general', { limit: 1000 }).map(m => m.id)
    expect(after).toEqual([...before, missed.id])
  })
})
