import { afterAll, describe, expect, it } from 'vitest'
import { MilvusClient } from '@zilliz/milvus2-sdk-node'
import { DEFAULTS } from '../../src/config/schema.js'
import { LocalEmbedder } from '../../src/memory/embedders/lexical.js'
import { EmbedderMismatchError } from '../../src/memory/errors.js'
import { createCollectionRequest } from '../../src/memory/stores/milvus/requests.js'
import { MilvusStore } from '../../src/memory/stores/milvus/store.js'
import { memoryStoreContract, record } from '../contract/memory-store.js'

const address = process.env.MILVUS_ADDRESS

if (address == null || address === '') {
  console.log('skipping the Milvus store suites: MILVUS_ADDRESS is not set (point it at a Milvus 2.5+ or milvus-lite 3 server to run them; .ci/run starts milvus-lite)')
  describe('MemoryStore contract: milvus', () => {
    it.skip('needs MILVUS_ADDRESS', () => {})
  })
} else {
  const embedder = new LocalEmbedder()
  let made = 0
  const settingsFor = (what: string): typeof DEFAULTS.memory.milvus => ({ ...DEFAULTS.memory.milvus, address, token: process.env.MILVUS_TOKEN, collection: `oa_test_${what}_${process.pid}_${Date.now()}_${++made}`, consistencyLevel: 'Strong' as const })
  const dropCollection = async (collection: string): Promise<void> => {
    const client = new MilvusClient({ address, ...(process.env.MILVUS_TOKEN == null ? {} : { token: process.env.MILVUS_TOKEN }), logLevel: 'error' })
    await client.dropCollection({ collection_name: collection })
    await client.closeConnection()
  }

  const contract = (name: string, options: { queryWindow?: number }): void => {
    memoryStoreContract(name, async () => {
      const settings = settingsFor('contract')
      let store = await MilvusStore.open(settings, embedder, options)
      return {
        store,
        reopen: async () => {
          await store.close()
          store = await MilvusStore.open(settings, embedder, options)
          return store
        },
        cleanup: async () => {
          await store.close()
          await dropCollection(settings.collection)
        }
      }
    })
  }
  contract(`milvus at ${address}`, {})
  // a window of 2 rows makes every whole-community read (stats, versions, pages, afterSeq) page by key, as a community past 16,384 rows does
  contract(`milvus at ${address}, 2 rows per query`, { queryWindow: 2 })

  describe(`Milvus collection at ${address}`, () => {
    const collections: string[] = []
    afterAll(async () => {
      for (const c of collections) await dropCollection(c)
    })

    it('an open that stopped after creating the collection, before its indexes, is completed by the next open', async () => {
      const settings = settingsFor('noindex')
      collections.push(settings.collection)
      const client = new MilvusClient({ address, logLevel: 'error' })
      const created = await client.createCollection(createCollectionRequest(settings, embedder.name, embedder.dimension))
      expect(created.error_code).toBe('Success')
      const metricOf = async (field: string): Promise<string | undefined> => {
        const described = await client.describeIndex({ collection_name: settings.collection, field_name: field })
        const metric = described.index_descriptions?.find(d => d.field_name === field)?.params.find(p => p.key === 'metric_type')?.value
        return metric == null ? undefined : String(metric)
      }
      expect(await metricOf('vector')).toBeUndefined()

      const store = await MilvusStore.open(settings, embedder)
      try {
        // a full Milvus does not load a collection without them; milvus-lite does, so ask for them
        expect([await metricOf('vector'), await metricOf('text_sparse')]).toEqual(['COSINE', 'BM25'])
        const r = await record('alpha', 'nprobe sets how many IVF clusters a search visits')
        await store.upsert([r])
        const [vector] = await embedder.embed(['ivf nprobe clusters'])
        for (const mode of ['vector', 'text', 'hybrid'] as const) {
          expect((await store.search({ mode, text: 'nprobe clusters', vector, k: 3, filter: { communities: ['alpha'] } })).map(h => h.record.id)).toEqual([r.id])
        }
      } finally {
        await store.close()
        await client.closeConnection()
      }
    })

    it('a collection made for another embedder is refused at open, naming both', async () => {
      const settings = settingsFor('embedder')
      collections.push(settings.collection)
      const store = await MilvusStore.open(settings, embedder)
      await store.close()
      await expect(MilvusStore.open(settings, { name: 'other-embedder', dimension: embedder.dimension })).rejects.toThrow(EmbedderMismatchError)
      await expect(MilvusStore.open(settings, { name: embedder.name, dimension: 384 })).rejects.toThrow(new RegExp(`${embedder.name} \\(${embedder.dimension} dimensions\\), but this node is configured with ${embedder.name} \\(384\\)`))
    })
  })
}
