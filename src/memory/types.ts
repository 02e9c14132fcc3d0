/**
 * An embedding: the numbers an embedder made, or float32 values as records travel and
 * are stored (a received or stored vector stays a Float32Array, unconverted).
 */
export type Vector = number[] | Float32Array

/** A vector named by what made it and its digest, as a record's signature covers it. */
export interface SignedVector {
  /** The embedder's name, its version included (`local-hash-v2`). */
  embedder: string
  dimension: number
  /** SHA-256 of the vector as float32 little-endian bytes (32 bytes). */
  digest: Uint8Array
}

/** One thing a community remembers. */
export interface MemoryRecord {
  /** ULID, or a stable id derived from what was captured (`msg-<envelope id>`). */
  id: string
  community: string
  /**
   * What the record is (an open set of lowercase words). Written on purpose by agents and
   * users: `expert_knowledge` (the default), `problem_solutions`, `collaboration_history`,
   * `tool_output`, ... Written by capture: `channel_message` (a post), `direct_exchange`
   * (a direct request and its response); records captured by earlier versions carry
   * `message` and `collaboration_history`. Written by the wiki: `wiki_page` (a page's head); by the forum: `forum_post` (a topic).
   */
  kind: string
  /** Agent id of the author, `<name>@<peer id>`. */
  agent: string
  /** Peer id of the node that wrote it first. */
  origin: string
  /** Per-origin counter: the origin's n-th record. */
  seq: number
  text: string
  metadata: Record<string, unknown>
  /** ms since the epoch */
  createdAt: number
  /** Embedding of `text`, of the store's dimension (float32 values as they travel, or numbers as an embedder made them). */
  vector: Vector
  /**
   * Set on a tombstone: the origin deleted the record (its text is empty). Stores keep
   * tombstones so that replicas learn of the delete; reads other than sync skip them.
   */
  deleted?: boolean
  /**
   * Seqs of this origin that this version accounts for although no record holds them:
   * the earlier versions it replaces and seqs the origin skipped. Inclusive ranges,
   * `[first, last]`. Replicas count them as held, so their version vectors have no gaps.
   */
  covers?: Array<[number, number]>
  /**
   * Ed25519 signature of the origin over the record without vector and signature: over
   * `signedVector` too, where it is set.
   */
  signature: Uint8Array
  /**
   * The vector the origin embedded the text into as it wrote this version, by embedder,
   * dimension and SHA-256 digest, covered by `signature`: a receiver that gets that
   * vector beside the record checks one signature for both. Set on records written since
   * it exists, by a node whose store replicates; kept by the SQLite store.
   */
  signedVector?: SignedVector
  /**
   * The origin's Ed25519 signature of `vector` for this version of the record (see
   * src/memory/replication/vector.ts): set when the vector is the origin's own, made by
   * this node's embedder. A store that keeps it and returns it from `afterSeq` (with the
   * vector) lets this node pass the origin's vector on in catch-up; stores may ignore it.
   */
  vectorSignature?: Uint8Array
}

export type SearchMode = 'vector' | 'text' | 'hybrid'

/** Narrows a search or a delete; `communities` is always set by the memory service. */
export interface MemoryFilter {
  communities: string[]
  /** Only these kinds. */
  kinds?: string[]
  /** None of these kinds. */
  excludeKinds?: string[]
  agent?: string
  /** createdAt >= since (ms) */
  since?: number
  /** createdAt < until (ms) */
  until?: number
  ids?: string[]
}

export interface SearchQuery {
  mode: SearchMode
  /** Query text (text and hybrid modes). */
  text?: string
  /** Query embedding (vector and hybrid modes). */
  vector?: number[]
  k: number
  filter: MemoryFilter
  /** Exact (brute-force) vector search even where an index exists: the baseline for index recall. */
  exact?: boolean
}

/**
 * What a hit's `score` is: `similarity` (cosine similarity of the query and the record,
 * vector search), `bm25` (BM25 relevance, text search) or `fused` (reciprocal rank fusion
 * of both lists, hybrid search: it orders hits but is not comparable across queries).
 */
export type ScoreKind = 'similarity' | 'bm25' | 'fused'

/** A record found by a search, best first. */
export interface SearchHit {
  record: Omit<MemoryRecord, 'vector'>
  /** Higher is better; `scoreKind` says what it is. */
  score: number
  scoreKind: ScoreKind
  /** Cosine similarity of the query and the record, when known (vector search, and hybrid hits the vector search found). */
  similarity?: number
  /** BM25 relevance, when known (text search, and hybrid hits the text search found). */
  bm25?: number
}

export interface CommunityStats {
  records: number
  byKind: Record<string, number>
  byOrigin: Record<string, { records: number, highestSeq: number }>
}

/** How a write is committed. */
export interface UpsertOptions {
  /** Synced to disk before the write resolves (default true). */
  durable?: boolean
}

/**
 * Where memory records live. Two stores implement it: the embedded SQLite store and
 * Milvus; both pass the same contract test suite.
 */
export interface MemoryStore {
  /** `embedded` or `milvus` */
  readonly kind: string
  readonly dimension: number
  /**
   * Inserts records, keyed by (community, origin, id): a record replaces the one held
   * under its key only if its seq is higher, so an older version arriving late changes
   * nothing. Resolves once they are durable; with `durable: false` (records received
   * from peers, which catch-up brings again if they are lost), once they are committed,
   * safe from a crash of the process though not, on some stores, from a power cut.
   */
  upsert (records: MemoryRecord[], options?: UpsertOptions): Promise<void>
  /** Searches live records (never tombstones). */
  search (query: SearchQuery): Promise<SearchHit[]>
  /** Records with these ids, of every origin, tombstones included (`deleted` set). */
  get (ids: string[], communities: string[]): Promise<Array<Omit<MemoryRecord, 'vector'>>>
  /**
   * Removes what matches from disk, tombstones included, with no trace for replicas
   * (a delete that replicates is a tombstone written with `upsert`). Returns how many rows went.
   */
  delete (filter: MemoryFilter): Promise<number>
  /** Live records that match. */
  count (filter: MemoryFilter): Promise<number>
  /** Live records of a community. */
  stats (community: string): Promise<CommunityStats>
  /** Live records of a community ordered by id, after `afterId`, at most `limit` (export). */
  page (community: string, afterId: string | undefined, limit: number): Promise<Array<Omit<MemoryRecord, 'vector'>>>
  /** Every (origin, seq) held for a community, tombstones included, with what each covers: the replica's version. */
  versions (community: string): Promise<Array<{ origin: string, seq: number, covers?: Array<[number, number]> }>>
  /**
   * Records of one origin with seq above `afterSeq`, tombstones included, ordered by seq,
   * at most `limit` (sync). A store may return each live record's `vector` (and its
   * `vectorSignature`): catch-up then sends the vector along, and receivers with the same
   * embedder need not embed the text again.
   */
  afterSeq (community: string, origin: string, afterSeq: number, limit: number): Promise<Array<SyncedRecord>>
  close (): Promise<void>
}

/** A record as the API and agents see it (no vector). */
export type StoredRecord = Omit<MemoryRecord, 'vector'>

/** A record as `afterSeq` returns it: its vector when the store returns it. */
export type SyncedRecord = StoredRecord & { vector?: Vector }

/** Records stored, after they are durable. */
export interface RecordsAdded {
  community: string
  records: StoredRecord[]
  /** Written by this node (true) or received from a peer. */
  local: boolean
  /** This node's writes: the vector stored with each record, by seq (gossip sends it along). */
  vectors?: ReadonlyMap<number, number[]>
}
