import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../src/config/schema.js'
import { EmbedderMismatchError, MemoryInputError, MemoryStoreError } from '../../src/memory/errors.js'
import { checkCollection, checkStatus, createCollectionRequest, EMBEDDER_PROPERTY, fromMilvusRow, hybridSearchRequest, indexRequests, milvusFilter, recordedEmbedder, textSearchRequest, toHits, toMilvusRow, vectorSearchRequest } from '../../src/memory/stores/milvus/requests.js'
import type { MemoryRecord } from '../../src/memory/types.js'

const settings = { ...DEFAULTS.memory.milvus, address: '127.0.0.1:19530' }

const record: MemoryRecord = {
  id: '01ABC', community: 'devsupport', kind: 'expert_knowledge', agent: 'py@peer', origin: 'peer', seq: 7,
  text: 'Set ef >= k', metadata: { source: 'docs', n: 2 }, createdAt: 1_700_000_000_000, vector: [0.1, 0.2, 0.3], signature: Uint8Array.from([1, 2, 3, 250])
}

describe('Milvus filters', () => {
  it('names communities, kinds, agent and time', () => {
    expect(milvusFilter({ communities: ['devsupport'], kinds: ['expert_knowledge', 'message'], agent: 'py@peer', since: 10, until: 20 }))
      .toBe('community in ["devsupport"] and kind in ["expert_knowledge", "message"] and agent == "py@peer" and created_at >= 10 and created_at < 20')
    expect(milvusFilter({ communities: ['devsupport'], excludeKinds: ['channel_message', 'direct_exchange'] }))
      .toBe('community in ["devsupport"] and kind not in ["channel_message", "direct_exchange"]')
    expect(() => milvusFilter({ communities: ['devsupport'], excludeKinds: ['Bad"'] })).toThrow('"Bad"" is not a kind')
  })

  it('keeps a value that tries to close its quotes inside one literal', () => {
    const expr = milvusFilter({ communities: ['devsupport'], agent: 'x" or community != "y' })
    expect(expr).toBe('community in ["devsupport"] and agent == "x\\" or community != \\"y"')
    // outside the literals only the filter's own operators remain
    const outside = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')
    expect(outside).toBe('community in [""] and agent == ""')
    const backslash = milvusFilter({ communities: ['c'], agent: 'x\\" or 1 == 1 or "' })
    expect(backslash.replace(/"(?:[^"\\]|\\.)*"/g, '""')).toBe('community in [""] and agent == ""')
  })

  it('refuses bad kinds and an empty community list', () => {
    expect(() => milvusFilter({ communities: [] })).toThrow(MemoryInputError)
    expect(() => milvusFilter({ communities: ['c'], kinds: ['Bad"kind'] })).toThrow(MemoryInputError)
  })
})

describe('Milvus schema and requests', () => {
  it('makes community the partition key, BM25 from text, and a dense vector of the dimension', () => {
    const req = createCollectionRequest(settings, 'local-hash-v1', 384)
    expect(req.num_partitions).toBe(64)
    expect(req.fields.find(f => f.name === 'community')).toMatchObject({ data_type: 'VarChar', is_partition_key: true })
    expect(req.fields.find(f => f.name === 'text')).toMatchObject({ enable_analyzer: true })
    expect(req.fields.find(f => f.name === 'vector')).toMatchObject({ data_type: 'FloatVector', dim: 384 })
    expect(req.functions).toEqual([{ name: 'text_bm25', type: 'BM25', input_field_names: ['text'], output_field_names: ['text_sparse'], params: {} }])
    expect(req.description).toBe('oa-node memory; embedder=local-hash-v1; dim=384')
  })

  it('indexes the vector with the configured type and COSINE, and the sparse field with BM25', () => {
    const [vector, sparse] = indexRequests({ ...settings, indexType: 'IVF_FLAT', indexParams: { nlist: 1024 } })
    expect(vector).toMatchObject({ field_name: 'vector', index_type: 'IVF_FLAT', metric_type: 'COSINE', params: { nlist: 1024 } })
    expect(sparse).toMatchObject({ field_name: 'text_sparse', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' })
    expect(indexRequests({ ...settings, indexType: 'AUTOINDEX' })[0]?.params).toEqual({})
  })

  it('builds vector, text and hybrid searches with the filter on every branch', () => {
    const init = { settings, filter: { communities: ['devsupport'] }, k: 5 }
    expect(vectorSearchRequest(init, [1, 0])).toMatchObject({ anns_field: 'vector', metric_type: 'COSINE', limit: 5, filter: 'community in ["devsupport"] and deleted == false', params: { ef: 64 }, consistency_level: 'Bounded' })
    expect(textSearchRequest(init, 'hnsw')).toMatchObject({ anns_field: 'text_sparse', metric_type: 'BM25', data: 'hnsw' })
    const hybrid = hybridSearchRequest(init, [1, 0], 'hnsw')
    expect(hybrid.data.map(d => d.expr)).toEqual(['community in ["devsupport"] and deleted == false', 'community in ["devsupport"] and deleted == false'])
    expect(hybrid.data.map(d => [d.anns_field, d.metric_type, d.limit])).toEqual([['vector', 'COSINE', 20], ['text_sparse', 'BM25', 20]])
    expect(hybrid.rerank).toEqual({ strategy: 'rrf', params: { k: 60 } })
  })

  it('maps records to rows and back, signature included', () => {
    const row = toMilvusRow(record)
    expect(row).toMatchObject({ id: '01ABC', community: 'devsupport', seq: 7, created_at: 1_700_000_000_000, signature: Buffer.from([1, 2, 3, 250]).toString('base64') })
    const { vector: _v, ...rest } = record
    expect(fromMilvusRow(row)).toEqual(rest)
    expect(fromMilvusRow({ ...row, metadata: JSON.stringify(record.metadata), seq: '7' })).toEqual(rest)
    expect(toHits([{ ...row, score: 0.5 }], 'vector')).toEqual([{ record: rest, score: 0.5, scoreKind: 'similarity', similarity: 0.5 }])
    expect(toHits([{ ...row, score: 7.5 }], 'text')).toEqual([{ record: rest, score: 7.5, scoreKind: 'bm25', bm25: 7.5 }])
    expect(toHits([{ ...row, score: -7.5 }], 'text')).toEqual([{ record: rest, score: 7.5, scoreKind: 'bm25', bm25: 7.5 }])
    expect(toHits([{ ...row, score: 0.03 }], 'hybrid')).toEqual([{ record: rest, score: 0.03, scoreKind: 'fused' }])
  })

  it('refuses text over the VarChar limit', () => {
    expect(() => toMilvusRow({ ...record, text: 'x'.repeat(70_000) })).toThrow(MemoryStoreError)
  })
})

describe('Milvus errors', () => {
  it('maps a failed status to an error with the server\'s reason', () => {
    expect(() => { checkStatus({ error_code: 'Success', reason: '' }, 'x') }).not.toThrow()
    expect(() => { checkStatus({ error_code: 'CollectionNotExists', reason: 'collection not found[collection=oa]' }, 'search') }).toThrow('milvus: search failed: collection not found[collection=oa]')
    try {
      checkStatus({ error_code: 'IllegalArgument', reason: 'bad expr' }, 'query')
    } catch (err) {
      expect((err as MemoryStoreError).storeCode).toBe('IllegalArgument')
    }
  })

  it('refuses a collection made with another embedder or dimension', () => {
    expect(() => { checkCollection('oa-node memory; embedder=local-hash-v1; dim=384', 384, 'local-hash-v1', 384, 'oa') }).not.toThrow()
    expect(() => { checkCollection('oa-node memory; embedder=openai:text-embedding-3-small; dim=1536', 1536, 'local-hash-v1', 384, 'oa') }).toThrow(EmbedderMismatchError)
  })

  it('records the embedder in a collection property too, and reads it before the description (milvus-lite keeps no description)', () => {
    expect(createCollectionRequest(settings, 'local-hash-v2', 3).properties).toEqual({ [EMBEDDER_PROPERTY]: 'local-hash-v2' })
    const recorded = recordedEmbedder('', [{ key: EMBEDDER_PROPERTY, value: 'openai:text-embedding-3-small' }], 1536)
    expect(() => { checkCollection(recorded, 1536, 'local-hash-v1', 1536, 'oa') }).toThrow(EmbedderMismatchError)
    expect(recordedEmbedder('oa-node memory; embedder=local-hash-v1; dim=384', undefined, 384)).toBe('oa-node memory; embedder=local-hash-v1; dim=384')
  })
})

describe('Milvus record keys', () => {
  it('keys a row by (community, origin, id), so two nodes writing one id make two rows, and round-trips tombstones', () => {
    const fields = createCollectionRequest(settings, 'local-hash-v2', 3).fields
    expect(fields.find(f => 'is_primary_key' in f)?.name).toBe('key')
    const mine = toMilvusRow(record)
    const theirs = toMilvusRow({ ...record, origin: 'other-peer' })
    expect(mine.key).not.toBe(theirs.key)
    expect(toMilvusRow({ ...record, seq: 8 }).key).toBe(mine.key)
    const tombstone = toMilvusRow({ ...record, text: '', metadata: {}, deleted: true, covers: [[1, 7]] })
    expect(fromMilvusRow({ ...tombstone, metadata: {} })).toMatchObject({ deleted: true, covers: [[1, 7]], text: '' })
    expect(fromMilvusRow(mine)).not.toHaveProperty('deleted')
  })
})
