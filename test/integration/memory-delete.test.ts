import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalEmbedder } from '../../src/memory/embedders/lexical.js'
import { SqliteStore } from '../../src/memory/stores/sqlite/store.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { ConfigLayer } from '../../src/config/schema.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'devsupport'
const layer = (bootstrap: string[] = []): ConfigLayer => ({ communities: [C], network: { bootstrap }, memory: { syncIntervalMs: 1000, capture: { '*': [] } } })

describe('deletes and updates of a node\'s own memory records, on 3 nodes', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const nodes: OaNode[] = []

  const held = async (node: OaNode, id: string): Promise<string[]> => (await node.libp2p.services.memory.get(C, [id])).map(r => r.text)
  const found = async (node: OaNode, query: string): Promise<string[]> => (await node.libp2p.services.memory.recall(C, query, { mode: 'text', k: 10 })).map(h => h.record.id)
  const restart = async (i: number): Promise<OaNode> => {
    await nodes[i]!.stop()
    const others = nodes.filter((_, j) => j !== i && nodes[j]!.isStarted())
    nodes[i] = await startTestNode(dir.path, `n${i}`, layer(others.map(tcpAddr)))
    return nodes[i]
  }

  beforeAll(async () => {
    dir = await tempDir()
    for (let i = 0; i < 3; i++) nodes.push(await startTestNode(dir.path, `n${i}`, layer(i === 0 ? [] : [tcpAddr(nodes[0]!)])))
    await waitFor('full mesh', () => nodes.every(n => n.libp2p.getPeers().length === 2))
  })

  afterAll(async () => {
    await Promise.all(nodes.filter(n => n.isStarted()).map(async n => n.stop()))
    await dir.cleanup()
  })

  it('a record deleted on its origin is gone on every node, stays gone after a restart and sync, and a node offline during the delete catches up with it', async () => {
    const [a, b] = nodes
    const kept = await a!.libp2p.services.memory.remember(C, { id: 'kept', text: 'flamingo runbook that stays' })
    const doomed = await a!.libp2p.services.memory.remember(C, { id: 'doomed', text: 'flamingo runbook that goes' })
    await waitFor('both records everywhere', async () => (await Promise.all(nodes.map(async n => (await held(n, 'doomed')).length + (await held(n, 'kept')).length))).every(n => n === 2))

    await nodes[2]!.stop()
    await expect(b!.libp2p.services.memory.delete(C, 'doomed')).rejects.toThrow(/only its origin can delete it/)
    const deleted = await a!.libp2p.services.memory.delete(C, 'doomed')
    expect(deleted).toMatchObject({ id: 'doomed', deleted: true, text: '', seq: doomed.seq + 1, origin: a!.peerId.toString() })
    await waitFor('the record is gone on the online nodes', async () => (await held(b!, 'doomed')).length === 0)
    for (const n of [a!, b!]) expect(await found(n, 'flamingo runbook')).toEqual([kept.id])

    // the offline node still holds the old version: it meets the others and learns of the delete
    const back = await restart(2)
    await waitFor('the node that was offline catches up with the tombstone', async () => (await held(back, 'doomed')).length === 0, 30_000, 200)
    expect(await found(back, 'flamingo runbook')).toEqual([kept.id])

    // a restart and several syncs later, with a replica that held the old version among them, it is still gone
    const again = await restart(1)
    await again.libp2p.services.replication.sync(back.peerId, C)
    await again.libp2p.services.replication.sync(a!.peerId, C)
    for (const n of nodes) {
      expect(await held(n, 'doomed')).toEqual([])
      expect(await held(n, 'kept')).toEqual([kept.text])
      expect((await n.libp2p.services.memory.stats(C)).records).toBe((await n.libp2p.services.memory.page(C, undefined, 1000)).length)
    }
  }, 120_000)

  it('an update of a node\'s own record replaces it on every node, and replicas count no gap for the version it replaced', async () => {
    const [a] = nodes
    const v1 = await a!.libp2p.services.memory.remember(C, { id: 'faq-1', text: 'the old answer about pelicans' })
    const v2 = await a!.libp2p.services.memory.remember(C, { id: 'faq-1', text: 'the corrected answer about pelicans' })
    expect(v2.seq).toBeGreaterThan(v1.seq)
    expect(v2.covers).toContainEqual([v1.seq, v1.seq])
    const same = await a!.libp2p.services.memory.remember(C, { id: 'faq-1', text: 'the corrected answer about pelicans' })
    expect(same.seq).toBe(v2.seq)
    await waitFor('the update is everywhere', async () => (await Promise.all(nodes.map(async n => held(n, 'faq-1')))).every(t => t.join() === v2.text))
    for (const n of nodes) {
      const status = (await n.libp2p.services.memory.replicaStatus(C))[a!.peerId.toString()]
      expect(status).toMatchObject({ highestSeq: v2.seq, lag: 0 })
    }
  })

  it('a write after the store lost the node\'s highest record gets a fresh seq, and it replicates', async () => {
    const a = nodes[0]!
    const lost = await a.libp2p.services.memory.remember(C, { text: 'the highest record, soon lost from its own store' })
    await waitFor('the record is on the other nodes', async () => (await held(nodes[1]!, lost.id)).length === 1)
    await a.stop()
    // the store alone no longer knows seq `lost.seq` was handed out
    const store = await SqliteStore.open({ dir: join(a.config.dataDir, 'memory'), embedder: new LocalEmbedder(), writeWindowMs: 5 })
    expect(await store.delete({ communities: [C], ids: [lost.id] })).toBe(1)
    await store.close()
    nodes[0] = await startTestNode(dir.path, 'n0', layer(nodes.slice(1).map(tcpAddr)))
    const next = await nodes[0].libp2p.services.memory.remember(C, { text: 'written after the loss' })
    expect(next.seq).toBeGreaterThan(lost.seq)
    await waitFor('the next write reaches the other nodes', async () => (await held(nodes[1]!, next.id)).length === 1 && (await held(nodes[2]!, next.id)).length === 1)
  }, 60_000)
})
