import { describe, it } from 'vitest'
import { MilvusClient } from '@zilliz/milvus2-sdk-node'
import { DEFAULTS } from '../../src/config/schema.js'
import { LocalEmbedder } from '../../src/memory/embedders/local.js'
import { MilvusStore } from '../../src/memory/stores/milvus/store.js'
import { memoryStoreContract } from '../contract/memory-store.js'

const address = process.env.MILVUS_ADDRESS

if (address == null || address === '') {
  console.log('skipping the Milvus store contract suite: MILVUS_ADDRESS is not set (point it at a Milvus 2.5+ server to run it)')
  describe('MemoryStore contract: milvus', () => {
    it.skip('needs MILVUS_ADDRESS', () => {})
  })
} else {
  const embedder = new LocalEmbedder()
  memoryStoreContract(`milvus at ${address}`, async () => {
    const settings = { ...DEFAULTS.memory.milvus, address, token: process.env.MILVUS_TOKEN, collection: `oa_test_${Date.now()}`, consistencyLevel: 'Strong' as const }
    let store = await MilvusStore.open(settings, embedder)
    return {
      store,
      reopen: async () => {
        await store.close()
        store = await MilvusStore.open(settings, embedder)
        return store
      },
      cleanup: async () => {
        await store.close()
        const client = new MilvusClient({ address, ...(settings.token == null ? {} : { token: settings.token }) })
        await client.dropCollection({ collection_name: settings.collection })
        await client.closeConnection()
      }
    }
  })
}
