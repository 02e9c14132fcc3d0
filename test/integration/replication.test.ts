import { join } from 'node:path'
import { lpStream } from '@libp2p/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeRecord } from '../../src/memory/record.js'
import { toWire } from '../../src/memory/replication/codec.js'
import { embeddedAdapter } from '../../src/memory/stores/embedded-adapter.js'
import { MEMSYNC_PROTOCOL, memoryTopic } from '../../src/memory/replication/index.js'
import { MemoryGossip, SyncBatch, SyncRequest } from '../../src/wire/generated/memory.js'
import { createRawPeer } from '../helpers/raw-peer.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { partition } from '../helpers/partition.js'
import { waitFor } from '../helpers/wait.js'
import type { ConfigLayer } from '../../src/config/schema.js'
import type { StoreAdapter } from '../../src/memory/stores/adapter.js'
import type { StoredRecord } from '../../src/memory/types.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { RawPeer } from '../helpers/raw-peer.js'

const C = 'devsupport'
const layer = (bootstrap: string[] = []): ConfigLayer => ({ communities: [C], network: { bootstrap }, memory: { syncIntervalMs: 1500, capture: { '*': [] } } })

/** Every record id a node holds in the community. */
async function ids (node: OaNode): Promise<string[]> {
  const out: string[] = []
  let after: string | undefined
  for (;;) {
    const page = await node.libp2p.services.memory.page(C, after, 1000)
    out.push(...page.map(r => r.id))
    if (page.length < 1000) return out
    after = page.at(-1)?.id
  }
}

async function converged (nodes: OaNode[], expected: number): Promise<boolean> {
  const sets = await Promise.all(nodes.map(async n => ids(n)))
  return sets.every(s => s.length === expected && s.join() === sets[0]?.join())
}

describe('memory replication between 5 nodes', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const nodes: OaNode[] = []
  const net = partition()

  beforeAll(async () => {
    dir = await tempDir()
    for (let i = 0; i < 5; i++) {
      let self = ''
      const node = await startTestNode(dir.path, `n${i}`, layer(i === 0 ? [] : [tcpAddr(nodes[0]!)]), { connectionGater: net.gater(() => self) })
      self = node.peerId.toString()
      nodes.push(node)
    }
    await waitFor('full mesh', () => nodes.every(n => n.libp2p.getPeers().length === 4))
  })

  afterAll(async () => {
    await Promise.all(nodes.filter(n => n.isStarted()).map(async n => n.stop()))
    await dir.cleanup()
  })

  it('records written concurrently at every node converge to the same set on all nodes', async () => {
    await Promise.all(nodes.map(async (node, i) => {
      for (let j = 0; j < 4; j++) {
        await node.libp2p.services.memory.rememberMany(C, Array.from({ length: 5 }, (_, k) => ({ text: `node ${i} batch ${j} note ${k}` })))
      }
    }))
    await waitFor('all nodes hold all 100 records', async () => converged(nodes, 100), 30_000, 250)
    const replica = await nodes[4]!.libp2p.services.memory.replicaStatus(C)
    for (const node of nodes) expect(replica[node.peerId.toString()]).toMatchObject({ records: 20, highestSeq: 20, lag: 0 })
  })

  it('a node stopped while 500 records are written elsewhere catches up after restart, nothing missing or duplicated', async () => {
    const stopped = nodes[3]!
    const before = (await ids(stopped)).length
    await stopped.stop()
    for (let b = 0; b < 5; b++) await nodes[1]!.libp2p.services.memory.rememberMany(C, Array.from({ length: 100 }, (_, k) => ({ text: `written while n3 was down ${b}-${k}` })))
    let self = ''
    const again = await startTestNode(dir.path, 'n3', layer([tcpAddr(nodes[0]!)]), { connectionGater: net.gater(() => self) })
    self = again.peerId.toString()
    nodes[3] = again
    await waitFor('restarted node caught up', async () => (await ids(again)).length === before + 500, 60_000, 250)
    const held = await ids(again)
    expect(new Set(held).size).toBe(held.length)
    expect(await converged(nodes, before + 500)).toBe(true)
  }, 180_000)

  it('two partitioned groups keep writing and converge after healing', async () => {
    // the node restarted above finds its peers again through the mesh keeper: the split starts from a full mesh
    await waitFor('full mesh', () => nodes.every(n => n.libp2p.getPeers().length === 4), 60_000)
    const groupA = nodes.slice(0, 2)
    const groupB = nodes.slice(2)
    for (const n of groupA) net.groupOf.set(n.peerId.toString(), 0)
    for (const n of groupB) net.groupOf.set(n.peerId.toString(), 1)
    net.set(true)
    for (const a of groupA) for (const b of groupB) await a.libp2p.hangUp(b.peerId)
    await waitFor('groups apart', () => groupA.every(a => !a.libp2p.getPeers().some(p => groupB.some(b => b.peerId.equals(p)))))
    const base = (await ids(nodes[0]!)).length
    const wroteA = await groupA[0]!.libp2p.services.memory.rememberMany(C, Array.from({ length: 30 }, (_, k) => ({ text: `group A while split ${k}` })))
    const wroteB = await groupB[1]!.libp2p.services.memory.rememberMany(C, Array.from({ length: 40 }, (_, k) => ({ text: `group B while split ${k}` })))
    // each write is durable where it was made, and nothing crossed the partition
    expect((await ids(groupA[0]!)).length).toBe(base + 30)
    expect((await ids(groupB[1]!)).length).toBe(base + 40)
    // each group's other node receives the group's writes: by then they would have crossed too
    const heldAll = async (node: OaNode, wrote: typeof wroteA): Promise<boolean> => (await node.libp2p.services.memory.get(C, wrote.records.map(r => r.id))).length === wrote.records.length
    await waitFor('group A\'s writes reach the other node of group A', async () => heldAll(groupA[1]!, wroteA), 30_000, 250)
    await waitFor('group B\'s writes reach the other nodes of group B', async () => (await Promise.all([groupB[0]!, groupB[2]!].map(async n => heldAll(n, wroteB)))).every(Boolean), 30_000, 250)
    // the split still holds: a dial across it is refused, and no node of one group is connected to the other
    expect(await groupA[0]!.libp2p.dial(groupB[0]!.libp2p.getMultiaddrs()[0]!).then(() => 'connected', () => 'refused')).toBe('refused')
    expect(groupA.some(a => a.libp2p.getPeers().some(p => groupB.some(b => b.peerId.equals(p))))).toBe(false)
    for (const b of groupB) expect((await b.libp2p.services.memory.get(C, wroteA.records.map(r => r.id)))).toEqual([])
    for (const a of groupA) expect((await a.libp2p.services.memory.get(C, wroteB.records.map(r => r.id)))).toEqual([])
    net.set(false)
    for (const b of groupB) await groupA[0]!.libp2p.dial(b.libp2p.getMultiaddrs()[0]!)
    await waitFor('all nodes converge after healing', async () => converged(nodes, base + 70), 120_000, 250)
  }, 300_000)
})

describe('a store its adapter says is shared', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const nodes: OaNode[] = []

  beforeAll(async () => {
    dir = await tempDir()
    for (const name of ['s0', 's1']) {
      const bootstrap = nodes.length === 0 ? [] : [tcpAddr(nodes[0]!)]
      // the embedded store, each node its own, declared shared: replication must only announce
      const shared: StoreAdapter = { name: 'shared-in-test', replicated: false, open: async ctx => embeddedAdapter.open({ ...ctx, dir: join(dir.path, `${name}-store`), settings: { ...ctx.settings } }) }
      nodes.push(await startTestNode(dir.path, name, layer(bootstrap), { memoryStoreAdapter: shared }))
    }
    await waitFor('connected', () => nodes[0]!.libp2p.getPeers().length === 1)
    await waitFor('subscribed', () => nodes[0]!.libp2p.services.pubsub.getSubscribers(memoryTopic(C)).length === 1)
  })

  afterAll(async () => {
    for (const n of nodes) await n.stop()
    await dir.cleanup()
  })

  it('is not replicated: peers get a notice of each write, not the record, and sync brings nothing', async () => {
    const [a, b] = [nodes[0]!, nodes[1]!]
    const notices: string[] = []
    b.libp2p.services.replication.addEventListener('record:notice', (evt) => { notices.push(...evt.detail.ids) })
    const written = await a.libp2p.services.memory.remember(C, { text: 'kept in the shared store only' })
    await waitFor('the notice', () => notices.includes(written.id))
    expect(await b.libp2p.services.replication.sync(a.peerId, C)).toBe(0)
    expect(await ids(b)).toEqual([])
  })
})

describe('replication refuses bad records from a raw peer', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let target: OaNode
  let raw: RawPeer
  const good = async (text: string, overrides: Partial<StoredRecord> = {}): Promise<StoredRecord> => ({ ...await makeRecord({ text }, C, 1, raw.privateKey), ...overrides })

  beforeAll(async () => {
    dir = await tempDir()
    target = await startTestNode(dir.path, 'target', layer())
    raw = await createRawPeer()
    await raw.join(target, memoryTopic(C))
  })

  afterAll(async () => {
    await raw.stop()
    await target.stop()
    await dir.cleanup()
  })

  const stats = (): ReturnType<OaNode['libp2p']['services']['replication']['stats']> => target.libp2p.services.replication.stats()

  it('by gossip: bad signature, forged origin, another community, oversized text', async () => {
    const other = await startTestNode(dir.path, 'other-origin', layer())
    try {
      const forgedOrigin = { ...await makeRecord({ text: 'claims another origin' }, C, 1, raw.privateKey), origin: other.peerId.toString() }
      const cases: Array<[string, StoredRecord]> = [
        ['signature', { ...await good('tampered'), text: 'tampered after signing' }],
        ['origin', forgedOrigin],
        ['community', await makeRecord({ text: 'for another community' }, 'elsewhere', 1, raw.privateKey)],
        ['size', await good('x'.repeat(40_000))]
      ]
      for (const [reason, record] of cases) {
        const before = stats().rejected.byReason[reason as 'size']
        await raw.publish(memoryTopic(C), MemoryGossip.encode({ records: [toWire(record)], notice: false }))
        await waitFor(`${reason} rejected`, () => stats().rejected.byReason[reason as 'size'] === before + 1)
      }
      expect(await ids(target)).toEqual([])
      const valid = await good('a valid record from the raw peer')
      await raw.publish(memoryTopic(C), MemoryGossip.encode({ records: [toWire(valid)], notice: false }))
      await waitFor('valid record stored', async () => (await ids(target)).includes(valid.id))
    } finally {
      await other.stop()
    }
  })

  it('by sync: invalid records are counted and skipped, valid ones stored', async () => {
    const valid = { ...await makeRecord({ text: 'served by sync' }, C, 2, raw.privateKey) }
    const bad = { ...await makeRecord({ text: 'bad by sync' }, C, 3, raw.privateKey), text: 'changed' }
    const elsewhere = await makeRecord({ text: 'wrong community by sync' }, 'elsewhere', 4, raw.privateKey)
    await raw.libp2p.handle(MEMSYNC_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      SyncRequest.decode(await lp.read())
      await lp.write(SyncBatch.encode({ records: [valid, bad, elsewhere].map(r => toWire(r)), done: true, error: '' }))
      await stream.close().catch(() => {})
    })
    const before = stats().rejected.byPath.sync
    const added = await target.libp2p.services.replication.sync(raw.peerId, C)
    expect(added).toBe(1)
    expect(stats().rejected.byPath.sync).toBe(before + 2)
    const held = await ids(target)
    expect(held).toContain(valid.id)
    expect(held).not.toContain(bad.id)
  })
})
