import { existsSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { ensurePrivateDir } from '../../../files/private-files.js'
import { byCodeUnits } from '../../../runtime/code-unit-order.js'
import { MemoryInputError, MemoryStoreError } from '../../errors.js'
import { fusedRanks } from '../../fusion.js'
import { decodeCovers, decodeMetadata, fromColumns, toColumns } from '../columns.js'
import { embedderMismatch } from '../embedder-mismatch.js'
import { reembedDatabase } from './reembed.js'
import { sameVectors } from '../../embedders/lexical.js'
import { matchAny, queryWords } from './fts-query.js'
import { DB_FILE, FORMAT, INDEX_FILE, RECORD_COLUMNS, migrateDatabase, openDatabase, readMeta, signedVectorOfText, signedVectorText, vectorOf, writeMeta } from './schema.js'
import { cosine, norm } from './cosine.js'
import { IndexBacklog } from './index-backlog.js'
import { FilterBreadth } from './filter-breadth.js'
import { StatementCache } from './statements.js'
import { TermChooser } from './text-terms.js'
import { sqliteWhere } from './where.js'
import { wrongDimension } from '../write-check.js'
import type { Reembedder } from './reembed.js'
import type { DatabaseSync, StatementSync } from '../../../runtime/sqlite.js'
import type { IndexChange } from './index-backlog.js'
import type { IndexThread } from './index-thread.js'
import type { Neighbour } from './vector-index.js'
import type { CommunityStats, MemoryFilter, MemoryRecord, MemoryStore, SearchHit, SearchQuery, StoredRecord, SyncedRecord, UpsertOptions } from '../../types.js'
import type { SQLInputValue } from 'node:sqlite'

export interface SqliteStoreInit {
  /** Folder of the store, `<dataDir>/memory`: it holds `memory.db` and `memory.usearch`. */
  dir: string
  embedder: { name: string, dimension: number }
  /**
   * Group commit under load: after a commit that held writes of several callers, the next
   * one waits until this long after it, gathering what arrives meanwhile (0: never wait).
   * A lone write, or one arriving when the store is idle, commits at the next turn of the
   * event loop.
   */
  writeWindowMs: number
  /** Filtered rows up to which a vector search is exact rather than through the index (default 2,000). */
  exactBelow?: number
  /** Rows a text search's words may match before its more common words are left out (default 5,000; see TermChooser). */
  textMatchBudget?: number
  /** Rows added to the index per turn of the event loop while it is rebuilt (default 1,000). */
  rebuildChunk?: number
  /**
   * The embedder itself, when it runs in the process: a store made with another embedder
   * is then re-embedded with it at open (the records stay; their vectors are derived)
   * instead of refused.
   */
  reembed?: Reembedder
  /** Says what opening does that the user should know of (a re-embedding, and its progress). */
  notice?: (message: string) => void
}

/** A row as read back (vector aside). */
export interface RecordRow {
  rid: number
  community: string
  origin: string
  id: string
  kind: string
  agent: string
  seq: number
  text: string
  metadata: string
  created_at: number
  deleted: number
  covers: string
  signature: Uint8Array
}

/** A row and its score (cosine similarity, BM25 or fused; higher is better). */
interface Scored {
  rid: number
  s: number
}

interface Pending {
  records: MemoryRecord[]
  /** Synced to disk before it resolves (false: committed, left to the OS to write out). */
  durable: boolean
  resolve: () => void
  reject: (err: Error) => void
}

/**
 * Candidates fetched from the index per hit wanted (at least 100), before the filter and
 * the exact re-scoring; from the full-text table, 10 per hit. Each index candidate costs a
 * vector read: at 100,000 records a hybrid search's 30 vector hits took 6.7 ms with 300
 * candidates, 120 keep them within the 10 ms goal (bench:store).
 */
const OVERFETCH = 4
const TEXT_OVERFETCH = 10
const MIN_CANDIDATES = 100
/**
 * Candidates that pass the filter scored exactly, nearest first by the index, per hit
 * wanted (at least 20): at 100,000 records recall@10 was the same re-scoring the first 20
 * of 100 candidates as all 100, with a fifth of the vector reads.
 */
const RESCORED = 2
const MIN_RESCORED = 20
/** Ids bound in one statement. */
const ID_CHUNK = 500
const LIVE = 'deleted = 0'
const SYNCED_COLUMNS = `${RECORD_COLUMNS}, vector, vector_signature, signed_vector`

/** A row as a record without vector. */
function fromRecordRow (row: RecordRow): StoredRecord {
  return fromColumns({ ...row, metadata: decodeMetadata(row.metadata), deleted: row.deleted === 1 })
}

/**
 * The SQLite memory store: records are the truth and live in one SQLite file
 * (`<dir>/memory.db`, WAL, full sync) with an FTS5 table for BM25 text search; a write is
 * durable when its transaction commits, and writes arriving together share one
 * transaction. Vector search goes through an in-process HNSW index (usearch) kept
 * beside the database (`memory.usearch`): derived, rebuilt from the database when it is
 * missing or stale, with exact search serving meanwhile and for selective filters. The
 * index takes committed rows in the background after the writers are answered; until it
 * has, searches score those rows exactly, so a search sees every write that has resolved.
 *
 * @example
 * ```ts
 * const store = await SqliteStore.open({ dir: 'n1/memory', embedder: { name: 'local-hash-v2', dimension: 1024 }, writeWindowMs: 2 })
 * await store.upsert([record])
 * const hits = await store.search({ mode: 'hybrid', text: 'hnsw recall', vector, k: 5, filter: { communities: ['devsupport'] } })
 * ```
 */
export class SqliteStore implements MemoryStore {
  readonly kind = 'embedded'
  readonly dimension: number
  private readonly db: DatabaseSync
  private readonly init: SqliteStoreInit
  private readonly statements: StatementCache
  private readonly breadth: FilterBreadth
  private readonly terms: TermChooser
  private readonly upsertRow: StatementSync
  private readonly bumpGeneration: StatementSync
  private pending: Pending[] = []
  /** The database's sync mode now (openDatabase sets FULL). */
  private synchronous: 'FULL' | 'NORMAL' = 'FULL'
  private timer?: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate>
  /** When the last commit ended (performance.now()), and how many callers it answered. */
  private lastCommitAt = -Infinity
  private lastCommitCallers = 0
  /** The index thread and the committed rows it has not taken yet, once the store is large enough for an index. */
  private vectors?: { index: IndexThread, backlog: IndexBacklog }
  private indexStarting?: Promise<void>
  /** The index thread failed: searches stay exact until the store is opened again. */
  private indexBroken = false
  /** The index holds every live row: searches may use it. */
  private indexReady = false
  private rebuilding?: Promise<void>
  private closed = false

  private constructor (db: DatabaseSync, init: SqliteStoreInit) {
    this.db = db
    this.init = init
    this.dimension = init.embedder.dimension
    this.statements = new StatementCache(db)
    this.breadth = new FilterBreadth(this.statements, LIVE)
    this.terms = new TermChooser(db, init.textMatchBudget)
    this.upsertRow = db.prepare(`INSERT INTO records (community, origin, id, kind, agent, seq, text, metadata, created_at, deleted, covers, signature, vector, vector_signature, signed_vector)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (community, origin, id) DO UPDATE SET kind = excluded.kind, agent = excluded.agent, seq = excluded.seq, text = excluded.text, metadata = excluded.metadata,
        created_at = excluded.created_at, deleted = excluded.deleted, covers = excluded.covers, signature = excluded.signature, vector = excluded.vector,
        vector_signature = excluded.vector_signature, signed_vector = excluded.signed_vector
      WHERE excluded.seq > records.seq
      RETURNING rid, deleted`)
    this.bumpGeneration = db.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
  }

  /**
   * Opens the store in `init.dir`, creating it when new; refuses a store made with
   * another embedder. A database of an earlier table format is brought up to date in
   * place. The vector index is loaded when it matches the database, and rebuilt in the
   * background otherwise.
   */
  static async open (init: SqliteStoreInit): Promise<SqliteStore> {
    try {
      await ensurePrivateDir(init.dir)
    } catch (err) {
      throw new MemoryStoreError(`cannot create the memory folder ${init.dir}: ${(err as Error).message}`)
    }
    const path = join(init.dir, DB_FILE)
    let db: DatabaseSync
    try {
      db = openDatabase(path)
      const check = db.prepare('PRAGMA quick_check').get() as { quick_check?: string } | undefined
      if (check?.quick_check !== 'ok') throw new Error(`integrity check failed: ${check?.quick_check ?? 'no answer'}`)
    } catch (err) {
      throw new MemoryStoreError(`cannot open the memory store ${path}: ${(err as Error).message}`)
    }
    const embedder = readMeta(db, 'embedder')
    if (embedder == null) {
      db.exec('BEGIN')
      writeMeta(db, 'embedder', init.embedder.name)
      writeMeta(db, 'dimension', String(init.embedder.dimension))
      writeMeta(db, 'format', String(FORMAT))
      writeMeta(db, 'created_at', new Date().toISOString())
      writeMeta(db, 'generation', '0')
      db.exec('COMMIT')
    } else {
      const dimension = Number(readMeta(db, 'dimension'))
      const halfDone = readMeta(db, 'reembed_to') != null
      const same = sameVectors(embedder, init.embedder.name) && dimension === init.embedder.dimension && !halfDone
      if (!same && init.reembed == null) {
        db.close()
        throw embedderMismatch(init.dir, { embedder, dimension }, init.embedder)
      }
      try {
        migrateDatabase(db, path)
      } catch (err) {
        db.close()
        throw new MemoryStoreError(`cannot open the memory store ${path}: ${(err as Error).message}`)
      }
      // the vectors of release 0.1's name for an embedder of now: only the name changes
      if (same && embedder !== init.embedder.name) writeMeta(db, 'embedder', init.embedder.name)
      if (!same && init.reembed != null) {
        const to = init.reembed
        init.notice?.(`memory: ${init.dir} was embedded with ${embedder}; re-embedding its records with ${to.name} (once; the records are kept)`)
        const began = performance.now()
        let reported = began
        try {
          const n = await reembedDatabase(db, init.dir, to, (done, total) => {
            if (performance.now() - reported < 2_000) return
            reported = performance.now()
            init.notice?.(`memory: re-embedded ${done} of ${total} records`)
          })
          init.notice?.(`memory: re-embedded ${n} records with ${to.name} in ${((performance.now() - began) / 1000).toFixed(1)} s`)
        } catch (err) {
          db.close()
          throw new MemoryStoreError(`cannot re-embed the memory store ${path} with ${to.name}: ${(err as Error).message} (the records are kept; the next start resumes)`)
        }
      }
    }
    // the native index library is loaded only by a node that chose this store, in the index's
    // own thread, once the store holds enough records for an index to help
    try {
      createRequire(import.meta.url).resolve('usearch')
    } catch (err) {
      db.close()
      throw new MemoryStoreError(`memory.store sqlite needs the npm package usearch, which cannot be found: ${(err as Error).message}`)
    }
    const store = new SqliteStore(db, init)
    await store.openIndex()
    return store
  }

  private get indexPath (): string {
    return join(this.init.dir, INDEX_FILE)
  }

  private get exactBelow (): number {
    return this.init.exactBelow ?? 2_000
  }

  private generation (): string {
    return readMeta(this.db, 'generation') ?? '0'
  }

  private liveRows (): number {
    return (this.statements.get(`SELECT COUNT(*) AS n FROM records WHERE ${LIVE}`).get() as { n: number }).n
  }

  /**
   * At open: the index is loaded when it was saved at the database's current generation
   * and built as this release builds it, rebuilt otherwise, and not made at all while
   * the store holds no more rows than a search scores exactly (`exactBelow`).
   */
  private async openIndex (): Promise<void> {
    const savedAt = readMeta(this.db, 'index_generation')
    const saved = savedAt != null && savedAt !== '' && savedAt === this.generation() && existsSync(this.indexPath)
    if (!saved && this.liveRows() <= this.exactBelow) return
    await this.startIndex(saved, false)
  }

  /** Starts the index thread (once), and loads the saved index or rebuilds it from the rows. */
  private async startIndex (saved: boolean, grown: boolean): Promise<void> {
    if (this.vectors != null || this.indexBroken || this.closed) return
    this.indexStarting ??= (async () => {
      const { IndexThread } = await import('./index-thread.js')
      const index = await IndexThread.start(this.dimension)
      if (this.closed && !grown) {
        await index.close()
        return
      }
      this.vectors = { index, backlog: new IndexBacklog(index, (err) => { this.indexFailed(err) }) }
      if (saved && readMeta(this.db, 'index_layout') === index.layout && await index.load(this.indexPath) && index.size() === this.liveRows()) {
        this.indexReady = true
        return
      }
      await index.clear()
      this.rebuilding = this.rebuild(index, grown).catch((err: unknown) => { this.indexFailed(err as Error) })
    })().catch((err: unknown) => { this.indexFailed(err as Error) })
    await this.indexStarting
  }

  /** The store has grown past what a search scores exactly: the index is made in the background. */
  private growIndex (): void {
    if (this.vectors != null || this.indexStarting != null || this.indexBroken || this.liveRows() <= this.exactBelow) return
    void this.startIndex(false, true)
  }

  /** The index thread failed: searches are exact from now on, and the next open rebuilds the index. */
  private indexFailed (err: Error): void {
    if (this.closed || this.indexBroken) return
    this.indexBroken = true
    this.indexReady = false
    this.rebuilding = undefined
    this.vectors?.backlog.clear()
    process.emitWarning(`memory index: ${err.message}; vector searches are exact until the node restarts`)
  }

  /**
   * Builds the index from the rows committed before it started, a chunk at a time (later
   * rows reach it through the backlog); searches are exact until it is done. A rebuild at
   * open is given up when the store closes (the next open starts over); one started as
   * the store grew past `exactBelow` is short and finishes, so that its index is saved.
   */
  private async rebuild (index: IndexThread, finishOnClose: boolean): Promise<void> {
    // a stale file on disk must not be taken for current if this process dies before the rebuild ends
    writeMeta(this.db, 'index_generation', '')
    rmSync(this.indexPath, { force: true })
    const chunk = this.init.rebuildChunk ?? 1_000
    const last = (this.db.prepare('SELECT MAX(rid) AS last FROM records').get() as { last: number | null }).last ?? 0
    const select = this.db.prepare(`SELECT rid, vector FROM records WHERE ${LIVE} AND rid > ? AND rid <= ? ORDER BY rid LIMIT ?`)
    let after = 0
    for (;;) {
      if (this.closed && !finishOnClose) return
      const rows = select.all(after, last, chunk) as Array<{ rid: number, vector: Uint8Array }>
      if (rows.length === 0) break
      after = rows.at(-1)?.rid ?? after
      await index.put(rows.map(r => r.rid), rows.map(r => vectorOf(r.vector)))
    }
    if (this.closed && !finishOnClose) return
    this.indexReady = true
    this.rebuilding = undefined
    if (!this.closed) await this.saveIndex()
  }

  /** Saves the index and the generation it matches. */
  private async saveIndex (): Promise<void> {
    const vectors = this.vectors
    if (vectors == null) return
    try {
      // the file is stamped with the generation at which it held every committed row: the
      // save is asked for while nothing committed waits (later puts queue behind it)
      for (let tries = 0; tries < 5 && vectors.backlog.size > 0; tries++) await vectors.backlog.takeAll()
      if (vectors.backlog.size > 0 || vectors.index.failed) return
      const generation = this.generation()
      await vectors.index.save(this.indexPath)
      writeMeta(this.db, 'index_layout', vectors.index.layout)
      writeMeta(this.db, 'index_generation', generation)
    } catch (err) {
      // the index is derived: a failed save only means a rebuild at the next open
      process.emitWarning(`memory index save failed: ${(err as Error).message}`)
    }
  }

  /** Resolves once the vector index (when the store is large enough to have one) serves searches and holds every write that resolved before (tests, benchmarks). */
  async indexBuilt (): Promise<void> {
    await this.indexStarting
    await this.rebuilding
    await this.vectors?.backlog.empty()
  }

  /** Records the vector index holds (every live record once it is built and has caught up; none while the store is small). */
  indexedRecords (): number {
    return this.vectors?.index.size() ?? 0
  }

  /** True once the vector index holds every live record. */
  isIndexReady (): boolean {
    return this.indexReady
  }

  upsert (records: MemoryRecord[], options: UpsertOptions = {}): Promise<void> {
    if (this.closed) return Promise.reject(new MemoryStoreError('the memory store is closed'))
    const wrong = wrongDimension(records, this.dimension)
    if (wrong != null) return Promise.reject(wrong)
    if (records.length === 0) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ records, durable: options.durable !== false, resolve, reject })
      this.scheduleCommit()
    })
  }

  /**
   * Commits at the next turn of the event loop (writes of the same turn share it), or,
   * right after a commit that answered several callers, once the write window since it
   * has passed: under load each fsync, which holds the event loop, carries more writes.
   */
  private scheduleCommit (): void {
    if (this.timer != null) return
    const busy = this.init.writeWindowMs > 0 && this.lastCommitCallers > 1
    const wait = busy ? this.lastCommitAt + this.init.writeWindowMs - performance.now() : 0
    this.timer = wait >= 1 ? setTimeout(() => { this.flush() }, wait) : setImmediate(() => { this.flush() })
  }

  /** Commits everything pending as one transaction; each write's promise carries its outcome. */
  private flush (): void {
    if (this.timer != null) {
      clearTimeout(this.timer as ReturnType<typeof setTimeout>)
      clearImmediate(this.timer as ReturnType<typeof setImmediate>)
    }
    this.timer = undefined
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) {
      this.lastCommitCallers = 0
      return
    }
    const changed: IndexChange[] = []
    let rows = 0
    try {
      // a commit that holds a durable write syncs the WAL to disk (FULL); one of received
      // records only (NORMAL) survives a crash of the process, and a power cut may take
      // its last commits back, which the next catch-up brings again
      this.setSynchronous(batch.some(p => p.durable) ? 'FULL' : 'NORMAL')
      this.db.exec('BEGIN IMMEDIATE')
      try {
        for (const p of batch) {
          for (const r of p.records) {
            rows++
            const c = toColumns(r)
            // kept by the index backlog: a vector of its own, not the caller's (a received
            // record's Float32Array was made for it by the decoder and is taken as it is)
            const vector = r.vector instanceof Float32Array && r.vector.byteOffset === 0 && r.vector.byteLength === r.vector.buffer.byteLength ? r.vector : Float32Array.from(r.vector)
            const row = this.upsertRow.get(c.community, c.origin, c.id, c.kind, c.agent, c.seq, c.text, JSON.stringify(c.metadata), c.created_at, c.deleted ? 1 : 0, c.covers, c.signature,
              new Uint8Array(vector.buffer), r.vectorSignature ?? null, signedVectorText(r.signedVector)) as { rid: number, deleted: number } | undefined
            if (row != null) changed.push({ rid: row.rid, deleted: row.deleted === 1, vector })
          }
        }
        this.bumpGeneration.run()
        this.db.exec('COMMIT')
      } catch (err) {
        if (this.db.isTransaction) this.db.exec('ROLLBACK')
        throw err
      }
    } catch (err) {
      const error = new MemoryStoreError(`writing ${rows} memory records failed: ${(err as Error).message}`)
      for (const p of batch) p.reject(error)
      return
    }
    this.lastCommitAt = performance.now()
    this.lastCommitCallers = batch.length
    // the writers are answered first; the index follows in the background
    if (this.vectors != null) {
      if (!this.indexBroken) this.vectors.backlog.add(changed)
    } else {
      this.growIndex()
    }
    for (const p of batch) p.resolve()
  }

  /** Commits pending writes now (tests, shutdown). */
  async flushNow (): Promise<void> {
    this.flush()
  }

  /** Whether the last commit was synced to disk before its writers were answered (tests). */
  get lastCommitSynced (): boolean {
    return this.synchronous === 'FULL'
  }

  private setSynchronous (mode: 'FULL' | 'NORMAL'): void {
    if (this.synchronous === mode) return
    this.db.exec(`PRAGMA synchronous = ${mode}`)
    this.synchronous = mode
  }

  private assertOpen (): void {
    if (this.closed) throw new MemoryStoreError('the memory store is closed')
  }

  private rows (sql: string, params: SQLInputValue[]): RecordRow[] {
    return this.statements.get(sql).all(...params) as unknown as RecordRow[]
  }

  async search (query: SearchQuery): Promise<SearchHit[]> {
    this.assertOpen()
    const where = sqliteWhere(query.filter, 'r')
    const k = Math.max(1, Math.min(query.k, 1000))
    const byVector = async (limit: number): Promise<Scored[]> => {
      if (query.vector == null) throw new MemoryInputError('bad_query', 'a vector search needs a query vector')
      if (query.vector.length !== this.dimension) throw new MemoryInputError('bad_dimension', `the query vector has ${query.vector.length} dimensions; this store holds ${this.dimension}`)
      return this.vectorSearch(Float32Array.from(query.vector), where, limit, query.exact === true)
    }
    const byText = (limit: number): Scored[] => {
      const text = query.text?.trim() ?? ''
      if (text === '') throw new MemoryInputError('bad_query', 'a text search needs query text')
      const words = this.terms.choose(queryWords(text))
      return words.length === 0 ? [] : this.textSearch(matchAny(words), where, limit)
    }
    switch (query.mode) {
      case 'vector': return this.hitsOf(await byVector(k), s => ({ score: s, scoreKind: 'similarity', similarity: s }))
      case 'text': return this.hitsOf(byText(k), s => ({ score: s, scoreKind: 'bm25', bm25: s }))
      case 'hybrid': {
        const depth = Math.max(k * 3, 20)
        // the index thread searches while this thread reads the full-text table
        const vectorRanked = byVector(depth)
        let textRanked: Scored[]
        try {
          textRanked = byText(depth)
        } catch (err) {
          vectorRanked.catch(() => {})
          throw err
        }
        return this.fuse(await vectorRanked, textRanked, k)
      }
    }
  }

  /**
   * Hybrid search's fusion on row numbers (reciprocal rank fusion, equal scores by record
   * id as `reciprocalRankFusion` orders them): only the `k` rows kept are read whole, not
   * the 2 x depth of both lists.
   */
  private fuse (vector: Scored[], text: Scored[], k: number): SearchHit[] {
    const similarity = new Map(vector.map(v => [v.rid, v.s]))
    const bm25 = new Map(text.map(t => [t.rid, t.s]))
    const idOf = this.statements.get('SELECT id FROM records WHERE rid = ?')
    const fused = fusedRanks([vector.map(v => v.rid), text.map(t => t.rid)]).map(f => ({ ...f, id: (idOf.get(f.key) as { id: string } | undefined)?.id ?? '' }))
    fused.sort((a, b) => b.score - a.score || byCodeUnits(a.id, b.id))
    return this.hitsOf(fused.slice(0, k).map(f => ({ rid: f.key, s: f.score })), (s, rid) => {
      const v = similarity.get(rid)
      const t = bm25.get(rid)
      return { score: s, scoreKind: 'fused', ...(v == null ? {} : { similarity: v }), ...(t == null ? {} : { bm25: t }) }
    })
  }

  /**
   * BM25 search, best first (`s` the BM25 score, higher is better): the best-ranked rows of
   * the full-text table first, each kept if it passes the filter; a search over every
   * match joined with the filter when too few of those pass.
   */
  private textSearch (match: string, where: { sql: string, params: SQLInputValue[] }, limit: number): Scored[] {
    const wanted = Math.max(MIN_CANDIDATES, limit * TEXT_OVERFETCH)
    const best = this.statements.get('SELECT rowid AS rid, bm25(records_fts) AS rank FROM records_fts WHERE records_fts MATCH ? ORDER BY rank LIMIT ?').all(match, wanted) as Array<{ rid: number, rank: number }>
    const passes = this.statements.get(`SELECT 1 AS ok FROM records r WHERE r.rid = ? AND r.${LIVE} AND ${where.sql}`)
    const kept: Scored[] = []
    for (const { rid, rank } of best) {
      if (passes.get(rid, ...where.params) != null) kept.push({ rid, s: -rank })
      if (kept.length === limit) return kept
    }
    if (best.length < wanted) return kept
    return this.statements.get(`SELECT r.rid AS rid, -bm25(records_fts) AS s
      FROM records_fts JOIN records r ON r.rid = records_fts.rowid
      WHERE records_fts MATCH ? AND r.${LIVE} AND ${where.sql} ORDER BY bm25(records_fts) LIMIT ?`).all(match, ...where.params, limit) as unknown as Scored[]
  }

  /**
   * Vector search: through the index when it is ready and the filter is broad; exact
   * cosine over the filtered rows otherwise (and when the index found too few rows that
   * pass the filter). Through the index, its candidates and the committed rows it has not
   * taken yet are scored exactly against their stored vectors, and the best that pass the
   * filter are read whole: the index only chooses which rows to look at.
   */
  private async vectorSearch (query: Float32Array, where: { sql: string, params: SQLInputValue[] }, limit: number, exact: boolean): Promise<Scored[]> {
    const exactBelow = this.exactBelow
    const vectors = this.vectors
    const useIndex = vectors != null && !exact && this.indexReady && vectors.index.size() + vectors.backlog.size > exactBelow && this.breadth.broad(where, exactBelow)
    const qn = norm(query)
    if (useIndex) {
      let candidates: Neighbour[] = []
      try {
        candidates = await vectors.index.search(query, Math.max(MIN_CANDIDATES, limit * OVERFETCH))
      } catch (err) {
        this.indexFailed(err as Error)
      }
      const vectorIfPasses = this.statements.get(`SELECT r.vector AS vector FROM records r WHERE r.rid = ? AND r.${LIVE} AND ${where.sql}`)
      const passes = this.statements.get(`SELECT 1 AS ok FROM records r WHERE r.rid = ? AND r.${LIVE} AND ${where.sql}`)
      const scored: Array<{ rid: number, s: number }> = []
      const rescored = Math.max(MIN_RESCORED, limit * RESCORED)
      for (const c of candidates) {
        if (scored.length === rescored) break
        // a row of the backlog is scored below, in its committed version
        if (vectors.backlog.has(c.rid)) continue
        const row = vectorIfPasses.get(c.rid, ...where.params) as { vector: Uint8Array } | undefined
        if (row != null) scored.push({ rid: c.rid, s: cosine(query, qn, vectorOf(row.vector)) })
      }
      const unindexed: Array<{ rid: number, s: number }> = []
      for (const c of vectors.backlog.live()) unindexed.push({ rid: c.rid, s: cosine(query, qn, c.vector) })
      unindexed.sort((a, b) => b.s - a.s)
      let kept = 0
      for (const u of unindexed) {
        if (kept === limit) break
        if (passes.get(u.rid, ...where.params) != null) {
          scored.push(u)
          kept++
        }
      }
      if (scored.length >= limit || candidates.length >= vectors.index.size()) return scored.sort((a, b) => b.s - a.s).slice(0, limit)
    }
    // exact: cosine over every filtered live row, then the best rows read whole
    const best: Array<{ rid: number, s: number }> = []
    for (const row of this.statements.get(`SELECT r.rid AS rid, r.vector AS vector FROM records r WHERE r.${LIVE} AND ${where.sql}`).iterate(...where.params) as Iterable<{ rid: number, vector: Uint8Array }>) {
      const s = cosine(query, qn, vectorOf(row.vector))
      if (best.length < limit) {
        best.push({ rid: row.rid, s })
        if (best.length === limit) best.sort((a, b) => b.s - a.s)
      } else if (s > (best.at(-1)?.s ?? -Infinity)) {
        best[best.length - 1] = { rid: row.rid, s }
        best.sort((a, b) => b.s - a.s)
      }
    }
    return best.sort((a, b) => b.s - a.s)
  }

  /** Scored rows as hits, in the order given, each row read by its rowid (one deleted meanwhile is left out). */
  private hitsOf (scored: Scored[], scoring: (s: number, rid: number) => Omit<SearchHit, 'record'>): SearchHit[] {
    const byRid = this.statements.get(`SELECT ${RECORD_COLUMNS} FROM records WHERE rid = ?`)
    return scored.flatMap(({ rid, s }): SearchHit[] => {
      const row = byRid.get(rid) as RecordRow | undefined
      return row == null ? [] : [{ record: fromRecordRow(row), ...scoring(s, rid) }]
    })
  }

  async get (ids: string[], communities: string[]): Promise<StoredRecord[]> {
    this.assertOpen()
    const out: StoredRecord[] = []
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const where = sqliteWhere({ communities, ids: ids.slice(i, i + ID_CHUNK) })
      out.push(...this.rows(`SELECT ${RECORD_COLUMNS} FROM records WHERE ${where.sql}`, where.params).map(fromRecordRow))
    }
    return out
  }

  async delete (filter: MemoryFilter): Promise<number> {
    this.assertOpen()
    const where = sqliteWhere(filter)
    this.flush()
    this.setSynchronous('FULL')
    this.db.exec('BEGIN IMMEDIATE')
    let gone: Array<{ rid: number }>
    try {
      gone = this.statements.get(`DELETE FROM records WHERE ${where.sql} RETURNING rid`).all(...where.params) as Array<{ rid: number }>
      this.bumpGeneration.run()
      this.db.exec('COMMIT')
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK')
      throw new MemoryStoreError(`deleting memory records failed: ${(err as Error).message}`)
    }
    this.breadth.clear()
    // gone from the backlog too, so that nothing deleted here comes back into the index
    const vectors = this.vectors
    if (vectors != null) {
      for (const { rid } of gone) vectors.backlog.drop(rid)
      if (!this.indexBroken) await vectors.index.remove(gone.map(g => g.rid)).catch((err: unknown) => { this.indexFailed(err as Error) })
    }
    return gone.length
  }

  async count (filter: MemoryFilter): Promise<number> {
    this.assertOpen()
    const where = sqliteWhere(filter)
    return (this.statements.get(`SELECT COUNT(*) AS n FROM records WHERE ${LIVE} AND ${where.sql}`).get(...where.params) as { n: number }).n
  }

  async stats (community: string): Promise<CommunityStats> {
    this.assertOpen()
    const stats: CommunityStats = { records: 0, byKind: {}, byOrigin: {} }
    for (const row of this.statements.get(`SELECT kind, COUNT(*) AS n FROM records WHERE community = ? AND ${LIVE} GROUP BY kind`).all(community) as Array<{ kind: string, n: number }>) {
      stats.byKind[row.kind] = row.n
      stats.records += row.n
    }
    for (const row of this.statements.get(`SELECT origin, COUNT(*) AS n, MAX(seq) AS top FROM records WHERE community = ? AND ${LIVE} GROUP BY origin`).all(community) as Array<{ origin: string, n: number, top: number }>) {
      stats.byOrigin[row.origin] = { records: row.n, highestSeq: row.top }
    }
    return stats
  }

  async page (community: string, afterId: string | undefined, limit: number): Promise<StoredRecord[]> {
    this.assertOpen()
    // an id several origins wrote counts once towards the page, which then holds all of them
    const rows = this.rows(`SELECT ${RECORD_COLUMNS} FROM records WHERE community = ? AND ${LIVE} AND id IN (
        SELECT DISTINCT id FROM records WHERE community = ? AND ${LIVE} AND id > ? ORDER BY id LIMIT ?
      ) ORDER BY id, origin`, [community, community, afterId ?? '', Math.max(0, Math.trunc(limit))])
    return rows.map(fromRecordRow)
  }

  async versions (community: string): Promise<Array<{ origin: string, seq: number, covers?: Array<[number, number]> }>> {
    this.assertOpen()
    const rows = this.statements.get('SELECT origin, seq, covers FROM records WHERE community = ?').all(community) as Array<{ origin: string, seq: number, covers: string }>
    return rows.map(r => {
      const covers = decodeCovers(r.covers)
      return { origin: r.origin, seq: r.seq, ...(covers == null ? {} : { covers }) }
    })
  }

  /** Records of one origin after a seq, each live one with its vector, and the origin's signature of it when one was written. */
  async afterSeq (community: string, origin: string, afterSeq: number, limit: number): Promise<SyncedRecord[]> {
    this.assertOpen()
    const rows = this.statements.get(`SELECT ${SYNCED_COLUMNS} FROM records WHERE community = ? AND origin = ? AND seq > ? ORDER BY seq LIMIT ?`)
      .all(community, origin, Math.trunc(afterSeq), Math.max(0, Math.trunc(limit))) as unknown as Array<RecordRow & { vector: Uint8Array, vector_signature: Uint8Array | null, signed_vector: string | null }>
    return rows.map((row): SyncedRecord => {
      const record = fromRecordRow(row)
      if (record.deleted === true) return record
      const signature = row.vector_signature == null ? {} : { vectorSignature: row.vector_signature }
      const signedVector = signedVectorOfText(row.signed_vector)
      return { ...record, vector: vectorOf(row.vector), ...signature, ...(signedVector == null ? {} : { signedVector }) }
    })
  }

  /** Commits pending writes, saves the index when it is complete, and closes the database. */
  async close (): Promise<void> {
    if (this.closed) return
    this.flush()
    this.closed = true
    await this.indexStarting
    await this.rebuilding
    if (this.indexReady) await this.saveIndex()
    this.db.close()
    await this.vectors?.index.close()
  }
}
