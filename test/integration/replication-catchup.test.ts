import { lpStream } from '@libp2p/utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeRecord } from '../../src/memory/record.js'
import { toWire } from '../../src/memory/replication/codec.js'
import { MEMSYNC_PROTOCOL } from '../../src/memory/replication/index.js'
import { signVector } from '../../src/memory/replication/vector.js'
import { SyncBatch, SyncRequest } from '../../src/wire/generated/memory.js'
import { keptVectorsAdapter } from '../helpers/kept-vectors.js'
import { createRawPeer } from '../helpers/raw-peer.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { ConfigLayer } from '../../src/config/schema.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { MemoryRecordWire } from '../../src/wire/generated/memory.js'

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

  it('from a peer that sends as fast as it can: the receiver holds it back instead of overflowing, and stores it all', async () => {
    const origin = nodes[0]
    if (origin == null) throw new Error('no origin')
    const raw = await createRawPeer()
    try {
      // 40 MiB of valid records of the raw peer's, each with a vector it signed: more than
      // a stream window and a read buffer together
      const count = 9000
      const frames: Uint8Array[] = []
      let frame: MemoryRecordWire[] = []
      for (let seq = 1; seq <= count; seq++) {
        const r = await makeRecord({ text: `fast sender note ${seq}` }, C, seq, raw.privateKey)
        const vector = Array.from({ length: 1024 }, (_, i) => Math.sin(seq * 7.1 + i))
        frame.push(toWire(r, undefined, await signVector(raw.privateKey, r, { name: 'local-hash-v2', dimension: 1024 }, vector)))
        if (frame.length === 200 || seq === count) {
          frames.push(SyncBatch.encode({ records: frame, done: seq === count, error: '' }))
          frame = []
        }
      }
      await raw.libp2p.handle(MEMSYNC_PROTOCOL, async (stream) => {
        const lp = lpStream(stream)
        SyncRequest.decode(await lp.read())
        // every frame at once: only the muxer's window holds the sender back
        await Promise.all(frames.map(async f => lp.write(f)))
        await stream.close().catch(() => {})
      })
      await origin.libp2p.dial(raw.libp2p.getMultiaddrs()[0]!)
      const before = origin.libp2p.services.replication.stats().received.sync
      expect(await origin.libp2p.services.replication.sync(raw.peerId, C)).toBe(count)
      expect(origin.libp2p.services.replication.stats().received.sync).toBe(before + count)
    } finally {
      await raw.stop()
    }
  }, 240_000)
})
