import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keptVectorsAdapter } from '../helpers/kept-vectors.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { ConfigLayer } from '../../src/config/schema.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'devsupport'
/** Records with their 1024-dimension vectors: about 4.5 KiB each on the wire, 27 MiB in all. */
const RECORDS = 6000
// no periodic sync during the test: only the sync a node starts when it meets a peer
const layer = (bootstrap: string[] = []): ConfigLayer => ({ communities: [C], network: { bootstrap }, memory: { syncIntervalMs: 3_600_000, capture: { '*': [] } } })

async function held (node: OaNode): Promise<number> {
  return Object.values(await node.libp2p.services.memory.replicaStatus(C)).reduce((n, o) => n + o.records, 0)
}

describe('catch-up of more records than a stream window holds', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const nodes: OaNode[] = []

  beforeAll(async () => {
    dir = await tempDir()
    const origin = await startTestNode(dir.path, 'origin', layer(), { memoryStoreAdapter: keptVectorsAdapter() })
    nodes.push(origin)
    for (let i = 0; i < RECORDS; i += 500) {
      await origin.libp2p.services.memory.rememberMany(C, Array.from({ length: 500 }, (_, k) => ({ text: `catch-up note ${i + k}: the receiver checks and stores each frame before it reads more` })))
    }
  })

  afterAll(async () => {
    await Promise.all(nodes.filter(n => n.isStarted()).map(async n => n.stop()))
    await dir.cleanup()
  })

  it('arrives whole in the first sync, with the origin\'s vectors, however slowly the receiver stores', async () => {
    const origin = nodes[0]
    if (origin == null) throw new Error('no origin')
    const fresh = await startTestNode(dir.path, 'fresh', layer([tcpAddr(origin)]), { memoryStoreAdapter: keptVectorsAdapter() })
    nodes.push(fresh)
    // a sync that failed part way would leave the rest for a periodic sync, which does not come here
    await waitFor('every record on the fresh node', async () => (await held(fresh)) >= RECORDS, 180_000, 200)
    const stats = fresh.libp2p.services.replication.stats()
    expect(stats.received.sync).toBe(RECORDS)
    expect(stats.vectors.used).toBe(RECORDS)
    expect(stats.rejected.total).toBe(0)
  }, 240_000)
})
