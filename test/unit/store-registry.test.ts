import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../src/config/schema.js'
import { EndpointHealth } from '../../src/endpoints/health.js'
import { LocalEmbedder } from '../../src/memory/embedders/lexical.js'
import { MemoryStoreError } from '../../src/memory/errors.js'
import { customStoreAdapter, registerStoreAdapter, storeAdapter } from '../../src/memory/stores/registry.js'
import type { MemoryStore } from '../../src/memory/types.js'

describe('store adapters registered by name', () => {
  it('say whether the node replicates their store: the embedded one yes, the shared Milvus one no', () => {
    expect(storeAdapter('embedded')).toMatchObject({ name: 'embedded', replicated: true })
    expect(storeAdapter('milvus')).toMatchObject({ name: 'milvus', replicated: false })
  })

  it('name the known stores when asked for one that is not registered, and refuse a name taken', () => {
    expect(() => storeAdapter('rocksdb')).toThrow(new MemoryStoreError('no memory store named "rocksdb" (known: embedded, milvus)'))
    expect(() => { registerStoreAdapter({ name: 'milvus', replicated: true, open: async () => { throw new Error('never opened') } }) }).toThrow(/"milvus" is registered already/)
  })

  it('take a store registered later, and one the caller opens itself', async () => {
    const store = { kind: 'in-test', dimension: 1024 } as unknown as MemoryStore
    registerStoreAdapter({ name: 'in-test', replicated: false, open: async () => store })
    const ctx = { dir: '/nowhere', settings: DEFAULTS.memory, embedder: new LocalEmbedder(), watch: (endpoint: 'milvus' | 'embedder' | 'llm', address: string) => new EndpointHealth(endpoint, address, 'none') }
    expect(await storeAdapter('in-test').open(ctx)).toBe(store)
    expect(storeAdapter('in-test').replicated).toBe(false)
    const custom = customStoreAdapter(async embedder => ({ ...store, dimension: embedder.dimension }))
    expect(custom.replicated).toBe(true)
    expect((await custom.open(ctx)).dimension).toBe(new LocalEmbedder().dimension)
  })
})
