import { describe, expect, it } from 'vitest'
import { LocalEmbedder } from '../../src/memory/embedders/lexical.js'
import { SqliteStore } from '../../src/memory/stores/sqlite/store.js'
import { record } from '../contract/memory-store.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { ConfigLayer } from '../../src/config/schema.js'
import type { OaNode } from '../../src/node/oa-node.js'

const embedder = new LocalEmbedder()
const C = 'devsupport'

function storeOf (node: OaNode): SqliteStore {
  const store = node.libp2p.services.memory.replica?.store
  if (!(store instanceof SqliteStore)) throw new Error('the node has no SQLite store')
  return store
}

describe('what the embedded store syncs to disk before a write resolves', () => {
  it('syncs a write unless it is marked not durable, and a commit that holds one durable write syncs', async () => {
    const dir = await tempDir()
    const store = await SqliteStore.open({ dir: dir.path, embedder, writeWindowMs: 2 })
    try {
      await store.upsert([await record(C, 'a write of this node')])
      expect(store.lastCommitSynced).toBe(true)
      await store.upsert([await record(C, 'a record received from a peer')], { durable: false })
      expect(store.lastCommitSynced).toBe(false)
      // written in the same turn: one commit, synced for the durable one
      await Promise.all([store.upsert([await record(C, 'received again')], { durable: false }), store.upsert([await record(C, 'written here again')])])
      expect(store.lastCommitSynced).toBe(true)
      expect(await store.count({ communities: [C] })).toBe(4)
    } finally {
      await store.close()
      await dir.cleanup()
    }
  })

  it('syncs what a node writes itself, and leaves what it receives by gossip to the OS', async () => {
    const dir = await tempDir()
    const layer = (bootstrap: string[] = []): ConfigLayer => ({ communities: [C], network: { bootstrap }, memory: { capture: { '*': [] } } })
    const nodes: OaNode[] = []
    try {
      nodes.push(await startTestNode(dir.path, 'writer', layer()))
      nodes.push(await startTestNode(dir.path, 'receiver', layer([tcpAddr(nodes[0]!)])))
      const [writer, receiver] = nodes as [OaNode, OaNode]
      await waitFor('the receiver on the memory topic', () => writer.libp2p.services.pubsub.getSubscribers(`oa/1/${C}/mem`).length > 0)
      const r = await writer.libp2p.services.memory.remember(C, { text: 'pin numpy below 2 for the legacy service' })
      expect(storeOf(writer).lastCommitSynced).toBe(true)
      await waitFor('the record on the receiver', async () => (await receiver.libp2p.services.memory.get(C, [r.id])).length === 1)
      expect(storeOf(receiver).lastCommitSynced).toBe(false)
    } finally {
      await Promise.all(nodes.map(async n => n.stop()))
      await dir.cleanup()
    }
  })
})
