import { beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULTS } from '../../src/config/schema.js'
import { collectionDescription, EMBEDDER_PROPERTY, milvusKey } from '../../src/memory/stores/milvus/requests.js'
import type { Client } from '../../src/memory/stores/milvus/connect.js'
import type { MemoryRecord } from '../../src/memory/types.js'

/** What the store asked the server, call by call. */
const calls: Array<{ method: string, req: Record<string, unknown> }> = []
/** Rows the fake server answers a query with. */
let queryRows: Array<Record<string, unknown>> = []

const ok = { error_code: 'Success' }
const fake: Client = {
  hasCollection: async () => ({ status: ok, value: true }),
  createCollection: async () => ok,
  createIndex: async () => ok,
  describeIndex: async req => ({ status: ok, index_descriptions: [{ field_name: req.field_name }] }),
  loadCollection: async () => ok,
  describeCollection: async () => ({ status: ok, properties: [{ key: EMBEDDER_PROPERTY, value: 'e' }], schema: { description: collectionDescription('e', 3), fields: [{ name: 'key' }, { name: 'vector', dim: 3 }] } }),
  upsert: async req => { calls.push({ method: 'upsert', req }); return { status: ok } },
  search: async req => { calls.push({ method: 'search', req: req as Record<string, unknown> }); return { status: ok, results: [] } },
  hybridSearch: async req => { calls.push({ method: 'hybridSearch', req: req as Record<string, unknown> }); return { status: ok, results: [] } },
  query: async req => { calls.push({ method: 'query', req }); return { status: ok, data: queryRows } },
  delete: async req => { calls.push({ method: 'delete', req }); return { status: ok, delete_cnt: 0 } },
  closeConnection: async () => undefined
}

vi.mock('../../src/memory/stores/milvus/connect.js', () => ({ connect: async () => fake }))
const { MilvusStore } = await import('../../src/memory/stores/milvus/store.js')

const settings = { ...DEFAULTS.memory.milvus, address: '127.0.0.1:19530', consistencyLevel: 'Bounded' as const }
const record = (id: string, community: string, seq: number): MemoryRecord => ({
  id, community, kind: 'expert_knowledge', agent: 'a@p', origin: 'p', seq, text: 't', metadata: {}, createdAt: 1, vector: [1, 0, 0], signature: new Uint8Array(1)
})

describe('the calls the Milvus store makes', () => {
  beforeEach(() => {
    calls.length = 0
    queryRows = []
  })

  it('filters every search, query and delete by community, and states a consistency on each read', async () => {
    const store = await MilvusStore.open(settings, { name: 'e', dimension: 3 })
    await store.upsert([record('r1', 'a', 1)])
    await store.search({ mode: 'vector', vector: [1, 0, 0], k: 3, filter: { communities: ['a'] } })
    await store.search({ mode: 'text', text: 'x', k: 3, filter: { communities: ['a'] } })
    await store.search({ mode: 'hybrid', vector: [1, 0, 0], text: 'x', k: 3, filter: { communities: ['a'] } })
    await store.get(['r1'], ['a'])
    await store.count({ communities: ['a'] })
    await store.stats('a')
    await store.page('a', undefined, 10)
    await store.versions('a')
    await store.afterSeq('a', 'p', 0, 10)
    await store.delete({ communities: ['a'], ids: ['r1'] })
    const reads = calls.filter(c => c.method !== 'upsert')
    expect(reads.length).toBeGreaterThan(10)
    for (const { method, req } of reads) {
      const filters = method === 'hybridSearch' ? (req.data as Array<{ expr: string }>).map(d => d.expr) : [String(req.filter)]
      for (const f of filters) expect(f, `${method}: ${f}`).toMatch(/^community in \["a"\]/)
      if (method !== 'delete') expect(['Strong', 'Bounded'], method).toContain(req.consistency_level)
    }
  })

  it('reads Strong where the next step depends on the last write: the seq check before an upsert and get by id', async () => {
    const store = await MilvusStore.open(settings, { name: 'e', dimension: 3 })
    await store.upsert([record('r1', 'a', 1)])
    await store.get(['r1'], ['a'])
    await store.search({ mode: 'vector', vector: [1, 0, 0], k: 3, filter: { communities: ['a'] } })
    await store.count({ communities: ['a'] })
    const [held, get, search, count] = calls.filter(c => c.method !== 'upsert')
    expect(held?.req).toMatchObject({ consistency_level: 'Strong', filter: `community in ["a"] and key in ["${milvusKey(record('r1', 'a', 1))}"]` })
    expect(get?.req.consistency_level).toBe('Strong')
    expect(search?.req.consistency_level).toBe('Bounded')
    expect(count?.req.consistency_level).toBe('Bounded')
  })

  it('names the metric of every dense search, hybrid legs included', async () => {
    const store = await MilvusStore.open(settings, { name: 'e', dimension: 3 })
    await store.search({ mode: 'vector', vector: [1, 0, 0], k: 3, filter: { communities: ['a'] } })
    await store.search({ mode: 'hybrid', vector: [1, 0, 0], text: 'x', k: 3, filter: { communities: ['a'] } })
    const [vector, hybrid] = calls
    expect(vector?.req.metric_type).toBe('COSINE')
    expect((hybrid?.req.data as Array<{ anns_field: string, metric_type: string }>).map(d => [d.anns_field, d.metric_type])).toEqual([['vector', 'COSINE'], ['text_sparse', 'BM25']])
  })

  it('finds the held version from community, origin and id when rows come back without the primary key', async () => {
    const store = await MilvusStore.open(settings, { name: 'e', dimension: 3 })
    // the server holds seq 5 of r1; its row does not carry `key`
    queryRows = [{ community: 'a', origin: 'p', id: 'r1', seq: 5 }]
    await store.upsert([record('r1', 'a', 3)])
    expect(calls.map(c => c.method)).toEqual(['query'])
    await store.upsert([record('r1', 'a', 6)])
    expect(calls.map(c => c.method)).toEqual(['query', 'query', 'upsert'])
  })
})
