import { sameVectors } from '../../embedders/lexical.js'
import { createHash } from 'node:crypto'
import { milvusQuote, checkFilter } from '../../filter.js'
import { EmbedderMismatchError, MemoryStoreError } from '../../errors.js'
import { fromColumns, decodeMetadata, toColumns } from '../columns.js'
import type { MemoryFilter, MemoryRecord, SearchHit, SearchMode, StoredRecord } from '../../types.js'
import type { NodeConfig } from '../../../config/schema.js'
import { commandLine } from '../../../cli/invocation.js'

export type MilvusSettings = NodeConfig['memory']['milvus']

/** Fields every query returns (all but the vectors). */
export const OUTPUT_FIELDS = ['id', 'community', 'kind', 'agent', 'origin', 'seq', 'text', 'metadata', 'created_at', 'signature', 'deleted', 'covers']

/** Only records that are not tombstones. */
export const LIVE = 'deleted == false'

/**
 * The primary key of a record: one row per (community, origin, id), so two nodes' records
 * with one id are two rows and neither replaces the other.
 */
export function milvusKey (r: { community: string, origin: string, id: string }): string {
  return createHash('sha256').update(`${r.community}\u0000${r.origin}\u0000${r.id}`).digest('hex')
}

/**
 * Consistency of reads that must see this node's own last write: the seq check before an
 * upsert, and get by id (the ownership check before a delete, a write read back). Every
 * other read (searches, counts, whole-community reads) states the configured level,
 * `Bounded` by default.
 */
export const READ_AFTER_WRITE = 'Strong'

/**
 * The query for the rows an upsert would replace: by community (the partition key, so only
 * those partitions are read) and key, read Strong. It asks for the fields the key is made of
 * rather than the key itself, and `heldKey` rebuilds it: hits and query rows do not always
 * carry the primary key.
 *
 * @example
 * ```ts
 * heldRequest(settings, [record]) // { filter: 'community in ["devsupport"] and key in ["9f…"]', consistency_level: 'Strong', … }
 * ```
 */
export function heldRequest (settings: MilvusSettings, records: Array<{ community: string, origin: string, id: string }>) {
  const communities = [...new Set(records.map(r => r.community))]
  const keys = [...new Set(records.map(milvusKey))]
  return {
    collection_name: settings.collection,
    filter: `community in [${communities.map(c => milvusQuote(c)).join(', ')}] and key in ${JSON.stringify(keys)}`,
    output_fields: ['community', 'origin', 'id', 'seq'],
    limit: keys.length,
    consistency_level: READ_AFTER_WRITE
  }
}

/** The key of a row read by `heldRequest`, from its community, origin and id. */
export function heldKey (row: Record<string, unknown>): string {
  return milvusKey({ community: String(row.community), origin: String(row.origin), id: String(row.id) })
}

/** Longest text Milvus stores in the VarChar field, in bytes. */
export const MAX_TEXT_BYTES = 65_535

/** The collection description names the embedder, so a mismatch is caught at open. */
export function collectionDescription (embedder: string, dimension: number): string {
  return `oa-node memory; embedder=${embedder}; dim=${dimension}`
}

/** Collection property naming the embedder: milvus-lite keeps properties but not the description. */
export const EMBEDDER_PROPERTY = 'oa.embedder'

/**
 * The embedder an existing collection was made for, as a description `checkCollection`
 * reads: from its properties, else from its description.
 */
export function recordedEmbedder (description: string, properties: Array<{ key: string, value: string }> | undefined, dimension: number | undefined): string {
  const name = properties?.find(p => p.key === EMBEDDER_PROPERTY)?.value
  return name == null || dimension == null ? description : collectionDescription(name, dimension)
}

/**
 * The create-collection request: `community` is the VarChar partition key, `text` has an
 * analyzer and feeds a BM25 function into `text_sparse`, `vector` is the dense embedding.
 */
export function createCollectionRequest (settings: MilvusSettings, embedder: string, dimension: number) {
  return {
    collection_name: settings.collection,
    description: collectionDescription(embedder, dimension),
    consistency_level: settings.consistencyLevel,
    num_partitions: settings.numPartitions,
    properties: { [EMBEDDER_PROPERTY]: embedder },
    ...(settings.database == null ? {} : { db_name: settings.database }),
    fields: [
      { name: 'key', data_type: 'VarChar' as const, is_primary_key: true, max_length: 64 },
      { name: 'id', data_type: 'VarChar' as const, max_length: 128 },
      { name: 'community', data_type: 'VarChar' as const, is_partition_key: true, max_length: 64 },
      { name: 'kind', data_type: 'VarChar' as const, max_length: 64 },
      { name: 'agent', data_type: 'VarChar' as const, max_length: 256 },
      { name: 'origin', data_type: 'VarChar' as const, max_length: 128 },
      { name: 'seq', data_type: 'Int64' as const },
      { name: 'created_at', data_type: 'Int64' as const },
      { name: 'text', data_type: 'VarChar' as const, max_length: MAX_TEXT_BYTES, enable_analyzer: true, enable_match: true },
      { name: 'metadata', data_type: 'JSON' as const },
      { name: 'signature', data_type: 'VarChar' as const, max_length: 128 },
      { name: 'deleted', data_type: 'Bool' as const },
      { name: 'covers', data_type: 'VarChar' as const, max_length: 65_535 },
      { name: 'text_sparse', data_type: 'SparseFloatVector' as const, is_function_output: true },
      { name: 'vector', data_type: 'FloatVector' as const, dim: dimension }
    ],
    functions: [{ name: 'text_bm25', type: 'BM25' as const, input_field_names: ['text'], output_field_names: ['text_sparse'], params: {} }]
  }
}

/** The two indexes: the dense vector (type and params from config, COSINE) and BM25 on `text_sparse`. */
export function indexRequests (settings: MilvusSettings) {
  return [
    { collection_name: settings.collection, field_name: 'vector', index_name: 'vector_idx', index_type: settings.indexType, metric_type: 'COSINE', params: settings.indexType === 'AUTOINDEX' ? {} : settings.indexParams },
    // the server's default algorithm: Milvus 2.5 picks DAAT_MAXSCORE, milvus-lite accepts only TAAT_NAIVE
    { collection_name: settings.collection, field_name: 'text_sparse', index_name: 'text_bm25_idx', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25', params: {} }
  ]
}

/**
 * A Milvus boolean expression for a filter. Every value goes through `milvusQuote`, so a
 * value like `x" or community != "y` stays inside its literal and cannot widen the filter.
 *
 * @example
 * ```ts
 * milvusFilter({ communities: ['devsupport'], kinds: ['expert_knowledge'] })
 * // 'community in ["devsupport"] and kind in ["expert_knowledge"]'
 * ```
 */
export function milvusFilter (filter: MemoryFilter, options: { live?: boolean } = {}): string {
  checkFilter(filter)
  const list = (values: string[]): string => `[${values.map(v => milvusQuote(v)).join(', ')}]`
  const parts = [`community in ${list(filter.communities)}`]
  if (filter.kinds != null && filter.kinds.length > 0) parts.push(`kind in ${list(filter.kinds)}`)
  if (filter.excludeKinds != null && filter.excludeKinds.length > 0) parts.push(`kind not in ${list(filter.excludeKinds)}`)
  if (filter.agent != null) parts.push(`agent == ${milvusQuote(filter.agent)}`)
  if (filter.since != null) parts.push(`created_at >= ${Math.trunc(filter.since)}`)
  if (filter.until != null) parts.push(`created_at < ${Math.trunc(filter.until)}`)
  if (filter.ids != null) parts.push(filter.ids.length === 0 ? 'id in []' : `id in ${list(filter.ids)}`)
  if (options.live === true) parts.push(LIVE)
  return parts.join(' and ')
}

/** A record as a Milvus row: keyed by `milvusKey`, metadata as JSON, signature as base64. */
export function toMilvusRow (r: MemoryRecord): Record<string, unknown> {
  if (Buffer.byteLength(r.text) > MAX_TEXT_BYTES) throw new MemoryStoreError(`record ${r.id}: text over Milvus's ${MAX_TEXT_BYTES}-byte VarChar limit`)
  return { key: milvusKey(r), ...toColumns(r), signature: Buffer.from(r.signature).toString('base64'), vector: Array.isArray(r.vector) ? r.vector : Array.from(r.vector) }
}

/** A Milvus row (query or search output) as a record without vector. */
export function fromMilvusRow (row: Record<string, unknown>): StoredRecord {
  return fromColumns({
    id: String(row.id),
    community: String(row.community),
    kind: String(row.kind),
    agent: String(row.agent),
    origin: String(row.origin),
    seq: Number(row.seq),
    text: String(row.text),
    metadata: decodeMetadata(row.metadata),
    created_at: Number(row.created_at),
    signature: Buffer.from(typeof row.signature === 'string' ? row.signature : '', 'base64'),
    deleted: row.deleted === true,
    covers: typeof row.covers === 'string' ? row.covers : ''
  })
}

/**
 * Search results (one query) as hits, best first, their score labelled by the search
 * that made them: COSINE similarity (vector), BM25 (text), or the server's RRF (hybrid,
 * which gives neither leg's score).
 */
export function toHits (results: Array<Record<string, unknown>>, mode: SearchMode): SearchHit[] {
  return results.map((row): SearchHit => {
    const score = Number(row.score)
    const record = fromMilvusRow(row)
    switch (mode) {
      case 'vector': return { record, score, scoreKind: 'similarity', similarity: score }
      // Milvus answers BM25 as a positive score; milvus-lite as its negation (a distance, best
      // most negative): the order is the same, and the BM25 is its magnitude
      case 'text': return { record, score: Math.abs(score), scoreKind: 'bm25', bm25: Math.abs(score) }
      case 'hybrid': return { record, score, scoreKind: 'fused' }
    }
  })
}

export interface SearchRequestInit {
  settings: MilvusSettings
  filter: MemoryFilter
  k: number
}

/** A dense-vector search (COSINE). */
export function vectorSearchRequest (init: SearchRequestInit, vector: number[]) {
  return {
    collection_name: init.settings.collection,
    anns_field: 'vector',
    data: vector,
    limit: init.k,
    filter: milvusFilter(init.filter, { live: true }),
    output_fields: OUTPUT_FIELDS,
    metric_type: 'COSINE',
    params: init.settings.searchParams,
    consistency_level: init.settings.consistencyLevel
  }
}

/** A full-text search: BM25 over the analyzed `text`, through `text_sparse`. */
export function textSearchRequest (init: SearchRequestInit, text: string) {
  return {
    collection_name: init.settings.collection,
    anns_field: 'text_sparse',
    data: text,
    limit: init.k,
    filter: milvusFilter(init.filter, { live: true }),
    output_fields: OUTPUT_FIELDS,
    metric_type: 'BM25',
    consistency_level: init.settings.consistencyLevel
  }
}

/** Dense + BM25 fused with reciprocal rank fusion on the server. */
export function hybridSearchRequest (init: SearchRequestInit, vector: number[], text: string) {
  const expr = milvusFilter(init.filter, { live: true })
  const depth = Math.max(init.k * 3, 20)
  return {
    collection_name: init.settings.collection,
    data: [
      // each leg names its metric: the server does not infer it from the index in a hybrid search
      { anns_field: 'vector', data: vector, expr, limit: depth, metric_type: 'COSINE', params: init.settings.searchParams },
      { anns_field: 'text_sparse', data: text, expr, limit: depth, metric_type: 'BM25', params: {} }
    ],
    rerank: { strategy: 'rrf', params: { k: 60 } },
    limit: init.k,
    output_fields: OUTPUT_FIELDS,
    consistency_level: init.settings.consistencyLevel
  }
}

/** Milvus status as the SDK returns it. */
export interface MilvusStatus {
  error_code?: string | number
  code?: number
  reason?: string
}

/** Throws MemoryStoreError with the server's reason when a status is not Success. */
export function checkStatus (status: MilvusStatus | undefined, what: string, hint?: string): void {
  if (status == null) return
  const ok = status.error_code === 'Success' || status.error_code === 0 || (status.error_code == null && (status.code ?? 0) === 0)
  if (!ok) throw new MemoryStoreError(`milvus: ${what} failed: ${status.reason !== undefined && status.reason !== '' ? status.reason : `error ${String(status.error_code ?? status.code)}`}${hint == null ? '' : ` ${hint}`}`, String(status.error_code ?? status.code))
}

/** Checks that an existing collection was made with this embedder and dimension. */
export function checkCollection (description: string, dimension: number | undefined, embedder: string, wanted: number, collection: string): void {
  const match = /embedder=([^;]+); dim=(\d+)/.exec(description)
  const haveEmbedder = match?.[1]
  const haveDim = dimension ?? Number(match?.[2])
  if ((haveEmbedder != null && !sameVectors(haveEmbedder, embedder)) || haveDim !== wanted) {
    throw new EmbedderMismatchError(`the Milvus collection ${collection} holds vectors of ${haveEmbedder ?? 'another embedder'} (${haveDim} dimensions), but this node is configured with ${embedder} (${wanted}). Use the same embedder, or export each community (${commandLine('memory export <community>')}), point memory.milvus.collection at a new collection, and import them again.`)
  }
}
