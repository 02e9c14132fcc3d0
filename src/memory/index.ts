/**
 * Shared semantic memory, in one-way layers: record types and the `MemoryStore`
 * interface; store adapters registered by name (embedded SQLite, Milvus); the replica
 * (seqs, version vectors, tombstones, verified remote records); the `Memory` facade
 * (`remember`, `recall`, `forget`); and capture, a consumer of channel events.
 *
 * @example
 * ```ts
 * const memory = node.libp2p.services.memory
 * await memory.remember('devsupport', { text: 'Set ef >= k; raise ef for recall', kind: 'expert_knowledge' })
 * const hits = await memory.recall('devsupport', 'better recall from HNSW?', { k: 5 })
 * await memory.delete('devsupport', hits[0].record.id)   // this node's own record: a tombstone on every replica
 * ```
 */
import { Memory } from './service.js'
import type { MemoryComponents, MemoryInit } from './service.js'

export { Memory }
export type { MemoryComponents, MemoryInit, MemoryEvents, RecallOptions, CallOptions, RememberResult, MemorySettings, OwnershipRefusals } from './service.js'
export type { MemoryRecord, Vector, MemoryStore, MemoryFilter, SearchQuery, SearchHit, SearchMode, ScoreKind, CommunityStats, StoredRecord, RecordsAdded, UpsertOptions } from './types.js'
export { MemoryCapture, memoryCapture } from './capture-service.js'
export type { MemoryCaptureComponents, MemoryCaptureInit } from './capture-service.js'
export { registerStoreAdapter, storeAdapter, customStoreAdapter } from './stores/registry.js'
export type { StoreAdapter, StoreOpenContext } from './stores/adapter.js'
export { Replica } from './replication/replica.js'
export type { ReplicaInit, ReplicaSource, HeldVersions, NewVersion, OwnWrite } from './replication/replica.js'
export type { VerifiedRecord } from './replication/validate.js'
export { cosine } from './similarity.js'
export type { RememberInput } from './record.js'
export type { CaptureStatus } from './capture.js'
export { makeRecord, makeTombstone, verifyRecord, recordSigningBytes, checkInput, agentOfOrigin, addCover, DEFAULT_KIND, MAX_COVER_RANGES } from './record.js'
export { SeqLedger, SEQ_BLOCK } from './replication/seq-ledger.js'
export { MilvusStore } from './stores/milvus/store.js'
export * as milvusRequests from './stores/milvus/requests.js'
export { SqliteStore } from './stores/sqlite/store.js'
export type { SqliteStoreInit } from './stores/sqlite/store.js'
export { migrateDataDir, moveLegacyStore } from './stores/lancedb-legacy/migrate.js'
export type { MigrateResult } from './stores/lancedb-legacy/migrate.js'
export { LocalEmbedder, stem } from './embedders/lexical.js'
export { OpenAIEmbedder } from './embedders/openai.js'
export type { Embedder } from './embedders/types.js'
export { reciprocalRankFusion } from './fusion.js'
export { CHANNEL_MESSAGE, DIRECT_EXCHANGE, CAPTURED_KINDS, WIKI_PAGE } from './kinds.js'
export { toMemoryHit, scoreLabel, DEFAULT_MIN_SIMILARITY, NEURAL_MIN_SIMILARITY, defaultMinSimilarity } from './hit.js'
export type { MemoryHit } from './hit.js'
export { importId } from './import-id.js'
export { milvusQuote, checkFilter, KIND } from './filter.js'
export { MemoryInputError, EmbedderMismatchError, MemoryStoreError, MemoryUnavailableError } from './errors.js'

export function memory (init: MemoryInit): (components: MemoryComponents) => Memory {
  return (components) => new Memory(components, init)
}
