import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as lancedb from '@lancedb/lancedb'
import { Binary, Bool, Field, FixedSizeList, Float32, Int64, Schema, Utf8 } from 'apache-arrow'
import { ensurePrivateDir, restrictTree, writePrivateFile } from '../../files/private-files.js'
import { MemoryInputError, MemoryStoreError } from '../errors.js'
import { lanceWhere, sqlQuote } from '../filter.js'
import { reciprocalRankFusion } from '../fusion.js'
import { decodeCovers, decodeMetadata, fromColumns, toColumns } from './columns.js'
import type { CommunityStats, MemoryFilter, MemoryRecord, MemoryStore, SearchHit, SearchQuery, StoredRecord } from '../types.js'
import { embedderMismatch } from './embedder-mismatch.js'
import { wrongDimension } from './write-check.js'

export interface EmbeddedStoreInit {
  /** Folder of the store, `<dataDir>/memory`. */
  dir: string
  embedder: { name: string, dimension: number }
  /** Writes arriving within this window share one commit. */
  writeWindowMs: number
  /** Least time between two commits (default 0): sustained writes are batched up to it. */
  commitIntervalMs?: number
  /** Rows from which an HNSW vector index is built; below it search is exact. */
  vectorIndexThreshold: number
  /** Rows written between background optimizations (compaction, index updates). */
  optimizeEveryRows?: number
  /** Commits between background optimizations, whatever their size (default 200). */
  optimizeEveryCommits?: number
}

export interface StoreMeta {
  embedder: string
  dimension: number
  createdAt: string
  format: number
}

export const TABLE = 'memory'
/**
 * Search breadth of the HNSW graph, and candidates re-ranked on full vectors per result.
 * The graph compares quantized vectors; at 100k records close neighbours differ by less
 * than the quantization error, and a wide search with a 30x refine keeps recall@10 at
 * 0.98 there for about 7 ms (bench:memory; ef 500 with a 10x refine gave 0.80).
 */
const MIN_EF = 2000
const REFINE_FACTOR = 30
/** How long superseded table versions are kept on disk. */
const VERSIONS_KEPT_MS = 60_000
export const META_FILE = 'store.json'
const FORMAT = 1

export interface Row {
  id: string
  community: string
  kind: string
  agent: string
  origin: string
  seq: bigint | number
  text: string
  metadata: string
  created_at: bigint | number
  signature: Uint8Array | null
  deleted?: boolean | null
  /** JSON of the covered seq ranges, or empty. */
  covers?: string | null
  _distance?: number
  _score?: number
}

function schema (dimension: number): Schema {
  return new Schema([
    new Field('id', new Utf8(), false),
    new Field('community', new Utf8(), false),
    new Field('kind', new Utf8(), false),
    new Field('agent', new Utf8(), false),
    new Field('origin', new Utf8(), false),
    new Field('seq', new Int64(), false),
    new Field('text', new Utf8(), false),
    new Field('metadata', new Utf8(), false),
    new Field('created_at', new Int64(), false),
    new Field('signature', new Binary(), true),
    new Field('deleted', new Bool(), true),
    new Field('covers', new Utf8(), true),
    new Field('vector', new FixedSizeList(dimension, new Field('item', new Float32(), true)), false)
  ])
}

export const COLUMNS = ['id', 'community', 'kind', 'agent', 'origin', 'seq', 'text', 'metadata', 'created_at', 'signature', 'deleted', 'covers']

/** Columns added after the first format; a table without them gets them at open. */
const ADDED_COLUMNS = [{ name: 'deleted', valueSql: 'false' }, { name: 'covers', valueSql: "''" }]

/** Only records that are not tombstones. */
const LIVE = '(deleted IS NULL OR deleted = false)'

/** The key a record is stored under: one record per (community, origin, id). */
export function recordKey (r: { community: string, origin: string, id: string }): string {
  return `${r.community}\u0000${r.origin}\u0000${r.id}`
}

/** A record as a LanceDB row: seq and created_at as Int64, metadata and covers as JSON text. */
function toRow (r: MemoryRecord): Record<string, unknown> {
  const c = toColumns(r)
  return { ...c, seq: BigInt(c.seq), metadata: JSON.stringify(c.metadata), created_at: BigInt(c.created_at), signature: Buffer.from(c.signature), vector: r.vector }
}

/** A LanceDB row as a record without vector. */
export function fromRow (row: Row): StoredRecord {
  return fromColumns({ ...row, metadata: decodeMetadata(row.metadata), signature: row.signature ?? new Uint8Array(0) })
}

/** An open table and the reads using it: a replaced handle is closed once its reads are done. */
interface Handle {
  db: lancedb.Connection
  table: lancedb.Table
  reads: number
  retired: boolean
}

function release (handle: Handle): void {
  if (!handle.retired || handle.reads > 0 || !handle.table.isOpen()) return
  handle.table.close()
  handle.db.close()
}

interface Pending {
  records: MemoryRecord[]
  resolve: () => void
  reject: (err: Error) => void
}

/**
 * The embedded memory store: one LanceDB table on disk with a B-tree index on
 * `community`, a full-text index on `text`, and an HNSW vector index once the table is
 * large enough (exact search below). Writes within a short window are batched into one
 * commit; `upsert` resolves when that commit is on disk. Compaction and index updates
 * run in the background.
 *
 * @example
 * ```ts
 * const store = await EmbeddedStore.open({ dir: 'n1/memory', embedder: { name: 'local-hash-v2', dimension: 1024 }, writeWindowMs: 20, vectorIndexThreshold: 10_000 })
 * await store.upsert([record])
 * const hits = await store.search({ mode: 'hybrid', text: 'hnsw recall', vector, k: 5, filter: { communities: ['devsupport'] } })
 * ```
 */
export class EmbeddedStore implements MemoryStore {
  readonly kind = 'embedded'
  readonly dimension: number
  private handle: Handle
  private readonly init: EmbeddedStoreInit
  private pending: Pending[] = []
  private timer?: ReturnType<typeof setTimeout>
  private chain: Promise<void> = Promise.resolve()
  private rowsSinceOptimize = 0
  private commitsSinceOptimize = 0
  private lastCommitAt = 0
  private hasTextIndex = false
  private hasVectorIndex = false
  private partitions = 1
  /** Rows the vector index was trained on (or found with at open). */
  private indexedRows = 0
  private closed = false

  private constructor (opened: { db: lancedb.Connection, table: lancedb.Table }, init: EmbeddedStoreInit) {
    this.handle = { ...opened, reads: 0, retired: false }
    this.init = init
    this.dimension = init.embedder.dimension
  }

  static async open (init: EmbeddedStoreInit): Promise<EmbeddedStore> {
    try {
      await ensurePrivateDir(init.dir)
    } catch (err) {
      throw new MemoryStoreError(`cannot create the memory folder ${init.dir}: ${(err as Error).message}`)
    }
    await checkMeta(init)
    let opened: { db: lancedb.Connection, table: lancedb.Table }
    try {
      opened = await openTable(init.dir, init.embedder.dimension)
    } catch (err) {
      throw new MemoryStoreError(`cannot open the memory store in ${init.dir}: ${(err as Error).message}`)
    }
    const store = new EmbeddedStore(opened, init)
    try {
      await store.migrate()
    } catch (err) {
      throw new MemoryStoreError(`cannot add the tombstone columns to the memory store in ${init.dir}: ${(err as Error).message}`)
    }
    await store.ensureIndexes()
    // LanceDB writes with the process umask (the store process narrows it); files left
    // looser by an earlier process are set to 0600 here, folders to 0700
    await restrictTree(init.dir).catch((err: unknown) => { throw new MemoryStoreError(`cannot set the modes of the files in ${init.dir}: ${(err as Error).message}`) })
    return store
  }

  /** The table for writes and index work, which run one at a time in the queue. */
  private get table (): lancedb.Table {
    return this.handle.table
  }

  /** Runs `fn` after every queued write; the queue itself never rejects. */
  private enqueue<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn)
    this.chain = run.then(() => undefined, () => undefined)
    return run
  }

  /** Runs a read on the current handle; a reopen waits for it before closing that handle. */
  private async read<T> (fn: (table: lancedb.Table) => Promise<T>): Promise<T> {
    if (this.closed) throw new MemoryStoreError('the memory store is closed')
    const handle = this.handle
    handle.reads++
    try {
      return await fn(handle.table)
    } finally {
      handle.reads--
      release(handle)
    }
  }

  /**
   * Opens the table afresh and retires the old handle. LanceDB keeps native memory
   * for every commit a table handle has made; a new handle starts clean.
   */
  private async reopen (): Promise<void> {
    const old = this.handle
    this.handle = { ...await openTable(this.init.dir, this.dimension), reads: 0, retired: false }
    old.retired = true
    release(old)
  }

  /** Gives a table of the first format the columns added since (tombstones, covered seqs). */
  private async migrate (): Promise<void> {
    const fields = new Set((await this.table.schema()).fields.map(f => f.name))
    const missing = ADDED_COLUMNS.filter(c => !fields.has(c.name))
    if (missing.length > 0) await this.table.addColumns(missing)
  }

  private async ensureIndexes (): Promise<void> {
    const indices = await this.table.listIndices()
    const has = (column: string): boolean => indices.some(i => i.columns.includes(column))
    const rows = await this.table.countRows()
    if (!has('community') && rows > 0) await this.table.createIndex('community', { config: lancedb.Index.btree() })
    if (!has('text') && rows > 0) await this.table.createIndex('text', { config: lancedb.Index.fts() })
    this.hasTextIndex = has('text') || rows > 0
    this.hasVectorIndex = has('vector')
    if (this.hasVectorIndex) {
      this.indexedRows = rows
      this.partitions = Math.max(1, Math.ceil(rows / 1_000_000))
    }
    if (!this.hasVectorIndex && rows >= this.init.vectorIndexThreshold) await this.buildVectorIndex()
  }

  private async buildVectorIndex (): Promise<void> {
    // one HNSW graph per million rows: a single graph gives the best recall; more
    // partitions only bound the memory needed to train very large tables
    const rows = await this.table.countRows()
    this.partitions = Math.max(1, Math.ceil(rows / 1_000_000))
    await this.table.createIndex('vector', { config: lancedb.Index.hnswSq({ distanceType: 'cosine', numPartitions: this.partitions, m: 32, efConstruction: 400 }) })
    this.hasVectorIndex = true
    this.indexedRows = rows
  }

  upsert (records: MemoryRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new MemoryStoreError('the memory store is closed'))
    const wrong = wrongDimension(records, this.dimension)
    if (wrong != null) return Promise.reject(wrong)
    if (records.length === 0) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ records, resolve, reject })
      // an idle store commits after the write window; a busy one at most once per commit interval
      const wait = Math.max(this.init.writeWindowMs, this.lastCommitAt + (this.init.commitIntervalMs ?? 0) - Date.now())
      this.timer ??= setTimeout(() => { void this.flush() }, wait)
    })
  }

  /** Commits everything pending as one batch; never rejects (each write's promise carries its error). */
  private flush (): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return this.chain
    // spacing counts from the start of a commit: a write arriving while it runs waits for the next interval, not just the window
    this.lastCommitAt = Date.now()
    return this.enqueue(async () => {
      // one row per (community, origin, id): of two versions, the higher seq wins, here and against the table
      const byId = new Map<string, MemoryRecord>()
      for (const p of batch) {
        for (const r of p.records) {
          const held = byId.get(recordKey(r))
          if (held == null || held.seq < r.seq) byId.set(recordKey(r), r)
        }
      }
      try {
        await this.table.mergeInsert(['community', 'origin', 'id']).whenMatchedUpdateAll({ where: 'target.seq < source.seq' }).whenNotMatchedInsertAll().execute([...byId.values()].map(toRow))
        for (const p of batch) p.resolve()
      } catch (err) {
        const error = new MemoryStoreError(`writing ${byId.size} memory records failed: ${(err as Error).message}`)
        for (const p of batch) p.reject(error)
        return
      }
      this.rowsSinceOptimize += byId.size
      this.commitsSinceOptimize++
      try {
        if (!this.hasTextIndex) await this.ensureIndexes()
      } catch (err) {
        // the records are stored; a missing index is retried after the next commit
        process.emitWarning(`memory store indexing failed: ${(err as Error).message}`)
      }
      if (this.rowsSinceOptimize >= (this.init.optimizeEveryRows ?? 5_000) || this.commitsSinceOptimize >= (this.init.optimizeEveryCommits ?? 200)) await this.runOptimize()
    })
  }

  /**
   * Compacts files and brings indexes up to date; builds the vector index past the
   * threshold. Runs after pending writes, never beside them.
   */
  async optimize (): Promise<void> {
    await this.flush()
    await this.enqueue(async () => { await this.runOptimize() })
  }

  private async runOptimize (): Promise<void> {
    this.rowsSinceOptimize = 0
    this.commitsSinceOptimize = 0
    try {
      const rows = await this.table.countRows()
      // an index trained on far fewer rows than the table holds loses recall (its quantization
      // and graph fit the old rows): train it again each time the table has doubled
      if (this.hasVectorIndex ? rows >= 2 * this.indexedRows : rows >= this.init.vectorIndexThreshold) await this.buildVectorIndex()
      // every commit is a table version; keep a minute of them (enough for reads in flight), not LanceDB's default week
      await this.table.optimize({ cleanupOlderThan: new Date(Date.now() - VERSIONS_KEPT_MS) })
      await this.reopen()
    } catch (err) {
      // a failed optimization loses nothing: the next one retries
      process.emitWarning(`memory store optimize failed: ${(err as Error).message}`)
    }
  }

  /** Waits for pending writes (tests, shutdown). */
  async flushNow (): Promise<void> {
    await this.flush()
  }

  async search (query: SearchQuery): Promise<SearchHit[]> {
    return this.read(async table => this.searchIn(table, query))
  }

  private async searchIn (table: lancedb.Table, query: SearchQuery): Promise<SearchHit[]> {
    const where = `${lanceWhere(query.filter)} AND ${LIVE}`
    const k = Math.max(1, Math.min(query.k, 1000))
    const vectorHits = async (limit: number): Promise<SearchHit[]> => {
      if (query.vector == null) throw new MemoryInputError('bad_query', 'a vector search needs a query vector')
      if (query.vector.length !== this.dimension) throw new MemoryInputError('bad_dimension', `the query vector has ${query.vector.length} dimensions; this store holds ${this.dimension}`)
      let q = table.query().nearestTo(query.vector).distanceType('cosine').where(where).select([...COLUMNS, '_distance']).limit(limit)
      if (query.exact === true) q = q.bypassVectorIndex()
      else if (this.hasVectorIndex) q = q.nprobes(Math.min(this.partitions, 20)).ef(Math.max(MIN_EF, limit * REFINE_FACTOR)).refineFactor(REFINE_FACTOR)
      const rows = await q.toArray() as Row[]
      return rows.map((row): SearchHit => {
        const similarity = 1 - (row._distance ?? 1)
        return { record: fromRow(row), score: similarity, scoreKind: 'similarity', similarity }
      })
    }
    const textHits = async (limit: number): Promise<SearchHit[]> => {
      const text = query.text?.trim() ?? ''
      if (text === '') throw new MemoryInputError('bad_query', 'a text search needs query text')
      if (!this.hasTextIndex) return []
      const rows = await table.query().fullTextSearch(text).where(where).select([...COLUMNS, '_score']).limit(limit).toArray() as Row[]
      return rows.map((row): SearchHit => ({ record: fromRow(row), score: row._score ?? 0, scoreKind: 'bm25', bm25: row._score ?? 0 }))
    }
    switch (query.mode) {
      case 'vector': return vectorHits(k)
      case 'text': return textHits(k)
      case 'hybrid': {
        const depth = Math.max(k * 3, 20)
        const [v, t] = await Promise.all([vectorHits(depth), textHits(depth)])
        return reciprocalRankFusion([v, t], k)
      }
    }
  }

  async get (ids: string[], communities: string[]): Promise<StoredRecord[]> {
    if (ids.length === 0) return []
    const rows = await this.read(async table => table.query().where(lanceWhere({ communities, ids })).select(COLUMNS).toArray()) as Row[]
    return rows.map(fromRow)
  }

  async delete (filter: MemoryFilter): Promise<number> {
    if (this.closed) throw new MemoryStoreError('the memory store is closed')
    await this.flush()
    const where = lanceWhere(filter)
    return this.enqueue(async () => {
      const n = await this.table.countRows(where)
      if (n > 0) await this.table.delete(where)
      return n
    })
  }

  async count (filter: MemoryFilter): Promise<number> {
    return this.read(async table => table.countRows(`${lanceWhere(filter)} AND ${LIVE}`))
  }

  async stats (community: string): Promise<CommunityStats> {
    const rows = await this.read(async table => table.query().where(`community = ${sqlQuote(community)} AND ${LIVE}`).select(['kind', 'origin', 'seq']).toArray()) as Array<{ kind: string, origin: string, seq: bigint }>
    const stats: CommunityStats = { records: rows.length, byKind: {}, byOrigin: {} }
    for (const row of rows) {
      stats.byKind[row.kind] = (stats.byKind[row.kind] ?? 0) + 1
      const origin = stats.byOrigin[row.origin] ?? { records: 0, highestSeq: 0 }
      origin.records++
      origin.highestSeq = Math.max(origin.highestSeq, Number(row.seq))
      stats.byOrigin[row.origin] = origin
    }
    return stats
  }

  async page (community: string, afterId: string | undefined, limit: number): Promise<StoredRecord[]> {
    // LanceDB scans have no ORDER BY: read the ids, order them, then fetch one page
    const idRows = await this.read(async table => table.query().where(`community = ${sqlQuote(community)} AND ${LIVE}${afterId == null ? '' : ` AND id > ${sqlQuote(afterId)}`}`).select(['id']).toArray()) as Array<{ id: string }>
    // an id several origins wrote counts once towards the page, which then holds all of them
    const ids = [...new Set(idRows.map(r => r.id))].sort().slice(0, limit)
    const records = (await this.get(ids, [community])).filter(r => r.deleted !== true)
    return records.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0))
  }

  async versions (community: string): Promise<Array<{ origin: string, seq: number, covers?: Array<[number, number]> }>> {
    const rows = await this.read(async table => table.query().where(`community = ${sqlQuote(community)}`).select(['origin', 'seq', 'covers']).toArray()) as Array<{ origin: string, seq: bigint, covers: string | null }>
    return rows.map(r => {
      const covers = decodeCovers(r.covers)
      return { origin: r.origin, seq: Number(r.seq), ...(covers == null ? {} : { covers }) }
    })
  }

  async afterSeq (community: string, origin: string, afterSeq: number, limit: number): Promise<StoredRecord[]> {
    const where = `community = ${sqlQuote(community)} AND origin = ${sqlQuote(origin)} AND seq > ${Math.trunc(afterSeq)}`
    const keys = await this.read(async table => table.query().where(where).select(['id', 'seq']).toArray()) as Array<{ id: string, seq: bigint }>
    const ids = keys.sort((a, b) => Number(a.seq) - Number(b.seq)).slice(0, limit).map(k => k.id)
    return (await this.get(ids, [community])).filter(r => r.origin === origin && r.seq > afterSeq).sort((a, b) => a.seq - b.seq)
  }

  async close (): Promise<void> {
    if (this.closed) return
    await this.flushNow()
    this.closed = true
    this.handle.retired = true
    release(this.handle)
  }
}

async function openTable (dir: string, dimension: number): Promise<{ db: lancedb.Connection, table: lancedb.Table }> {
  const db = await lancedb.connect(dir)
  const table = (await db.tableNames()).includes(TABLE)
    ? await db.openTable(TABLE)
    : await db.createEmptyTable(TABLE, schema(dimension), { existOk: true })
  return { db, table }
}

async function checkMeta (init: EmbeddedStoreInit): Promise<void> {
  const path = join(init.dir, META_FILE)
  let meta: StoreMeta | undefined
  try {
    meta = JSON.parse(await readFile(path, 'utf8')) as StoreMeta
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new MemoryStoreError(`cannot read ${path}: ${(err as Error).message}`)
  }
  if (meta == null) {
    const fresh: StoreMeta = { embedder: init.embedder.name, dimension: init.embedder.dimension, createdAt: new Date().toISOString(), format: FORMAT }
    await writePrivateFile(path, `${JSON.stringify(fresh, null, 2)}\n`)
    return
  }
  if (meta.embedder !== init.embedder.name || meta.dimension !== init.embedder.dimension) throw embedderMismatch(init.dir, meta, init.embedder)
}
