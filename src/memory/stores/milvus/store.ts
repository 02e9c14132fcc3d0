import { EndpointError } from '../../../endpoints/errors.js'
import { MemoryInputError, MemoryStoreError } from '../../errors.js'
import { connect } from './connect.js'
import { milvusFailure } from './failures.js'
import { milvusQuote } from '../../filter.js'
import { checkCollection, checkStatus, createCollectionRequest, fromMilvusRow, heldKey, heldRequest, hybridSearchRequest, indexRequests, milvusFilter, milvusKey, OUTPUT_FIELDS, READ_AFTER_WRITE, recordedEmbedder, textSearchRequest, toHits, toMilvusRow, vectorSearchRequest } from './requests.js'
import type { Client } from './connect.js'
import type { MilvusSettings, MilvusStatus } from './requests.js'
import type { EndpointHealth } from '../../../endpoints/health.js'
import type { CommunityStats, MemoryFilter, MemoryRecord, MemoryStore, SearchHit, SearchQuery } from '../../types.js'
import { commandLine } from '../../../cli/invocation.js'

/** Rows one query returns at most: a full Milvus refuses more (offset + limit). */
const QUERY_WINDOW = 16_384

/** Said with a failed create: a server older than 2.5 has no BM25 function or sparse index. */
const NEEDS = '(oa-node needs Milvus 2.5 or later, or milvus-lite 3: a BM25 function on an analyzed VarChar, a SPARSE_INVERTED_INDEX and hybrid search)'

/**
 * Shared memory on a Milvus server: one collection, `community` as the partition key,
 * dense vector (HNSW, IVF_FLAT or AUTOINDEX, COSINE) and BM25 on the analyzed text for
 * hybrid search. Many nodes share the collection; no replication is needed.
 *
 * @example
 * ```ts
 * const store = await MilvusStore.open(settings, { name: 'local-hash-v2', dimension: 1024 })
 * ```
 */
export class MilvusStore implements MemoryStore {
  readonly kind = 'milvus'
  readonly dimension: number
  private readonly client: Client
  private readonly settings: MilvusSettings
  private readonly queryWindow: number
  private readonly health?: EndpointHealth

  private constructor (client: Client, settings: MilvusSettings, dimension: number, queryWindow: number, health?: EndpointHealth) {
    this.client = client
    this.settings = settings
    this.dimension = dimension
    this.queryWindow = queryWindow
    this.health = health
  }

  /**
   * Opens the store: connects, then checks (or creates) the collection and its indexes.
   * `options.queryWindow`: rows per query when reading a whole community (tests make it
   * small to page); `options.health`: records outages of the server once the store is open.
   * A server that cannot be reached, is not Milvus or refuses the credentials fails with
   * an `EndpointError` naming the address and the cause, within `connectTimeoutMs` per call.
   */
  static async open (settings: MilvusSettings, embedder: { name: string, dimension: number }, options: { queryWindow?: number, health?: EndpointHealth } = {}): Promise<MilvusStore> {
    const client = await connect(settings)
    const address = settings.address ?? ''
    const name = settings.collection
    const call = async <T>(run: () => Promise<T>): Promise<T> => {
      try {
        return await run()
      } catch (err) {
        throw milvusFailure(err, { address, phase: 'connect', timeoutMs: settings.connectTimeoutMs }) ?? err
      }
    }
    try {
      const has = await call(async () => client.hasCollection({ collection_name: name }))
      checkStatus(has.status, `checking collection ${name}`)
      if (!has.value) {
        checkStatus(await call(async () => client.createCollection(createCollectionRequest(settings, embedder.name, embedder.dimension))), `creating collection ${name}`, NEEDS)
      } else {
        const described = await call(async () => client.describeCollection({ collection_name: name }))
        checkStatus(described.status, `describing collection ${name}`)
        const field = described.schema?.fields?.find(f => f.name === 'vector')
        const raw = field?.dim ?? field?.type_params?.find(p => p.key === 'dim')?.value
        const dim = raw == null ? undefined : Number(raw)
        checkCollection(recordedEmbedder(described.schema?.description ?? '', described.properties, dim), dim, embedder.name, embedder.dimension, name)
        if (described.schema?.fields?.some(f => f.name === 'key') !== true) {
          throw new MemoryStoreError(`the Milvus collection ${name} keys records by id alone (made by an earlier oa-node), so one node's record could replace another's: export each community (${commandLine('memory export <community>')}), point memory.milvus.collection at a new collection, and import them again`)
        }
      }
      // an open that stopped between creating the collection and its indexes left it without them
      for (const index of indexRequests(settings)) {
        const described = await call(async () => client.describeIndex({ collection_name: name, field_name: index.field_name }))
        if (described.index_descriptions?.some(d => d.field_name === index.field_name) === true) continue
        checkStatus(await call(async () => client.createIndex(index)), `creating index ${index.index_name}`, NEEDS)
      }
      checkStatus(await call(async () => client.loadCollection({ collection_name: name })), `loading collection ${name}`)
    } catch (err) {
      await client.closeConnection().catch(() => {})
      if (err instanceof MemoryStoreError || err instanceof EndpointError || (err as Error).name === 'EmbedderMismatchError') throw err
      throw new MemoryStoreError(`milvus at ${address}: opening collection ${name} failed: ${(err as Error).message}`)
    }
    return new MilvusStore(client, settings, embedder.dimension, Math.max(1, Math.min(options.queryWindow ?? QUERY_WINDOW, QUERY_WINDOW)), options.health)
  }

  /**
   * Checks that a Milvus server answers at `settings.address` with these credentials,
   * and changes nothing on it. Fails with an `EndpointError` like `open`.
   *
   * @example
   * ```ts
   * await MilvusStore.probe(config.memory.milvus) // EndpointError: cannot reach Milvus at 127.0.0.1:19530: connection refused (...)
   * ```
   */
  static async probe (settings: MilvusSettings): Promise<void> {
    const client = await connect(settings)
    try {
      const has = await client.hasCollection({ collection_name: settings.collection }).catch((err: unknown) => {
        throw milvusFailure(err, { address: settings.address ?? '', phase: 'connect', timeoutMs: settings.connectTimeoutMs }) ?? err
      })
      checkStatus(has.status, `checking collection ${settings.collection}`)
    } finally {
      await client.closeConnection().catch(() => {})
    }
  }

  /** One call to the server once the store is open: its failures become EndpointError or MemoryStoreError, and count in the server's health. */
  private async call<T> (what: string, run: (timeout: number) => Promise<T>): Promise<T> {
    const attempt = async (): Promise<T> => {
      try {
        return await run(this.settings.requestTimeoutMs)
      } catch (err) {
        if (err instanceof MemoryStoreError || err instanceof MemoryInputError) throw err
        throw milvusFailure(err, { address: this.settings.address ?? '', phase: 'request', timeoutMs: this.settings.requestTimeoutMs }) ??
          new MemoryStoreError(`milvus: ${what} failed: ${(err as Error).message}`)
      }
    }
    return this.health == null ? attempt() : this.health.track(attempt)
  }

  async upsert (records: MemoryRecord[]): Promise<void> {
    for (const r of records) {
      if (r.vector.length !== this.dimension) throw new MemoryInputError('bad_dimension', `record ${r.id} has a ${r.vector.length}-dimensional vector; this store holds ${this.dimension}`)
    }
    if (records.length === 0) return
    // one row per (community, origin, id), and the higher seq wins: a version older than the one held changes nothing
    const newest = new Map<string, MemoryRecord>()
    for (const r of records) {
      const held = newest.get(milvusKey(r))
      if (held == null || held.seq < r.seq) newest.set(milvusKey(r), r)
    }
    const held = heldRequest(this.settings, [...newest.values()])
    const heldRes = await this.call('query', async timeout => this.client.query({ ...held, timeout }))
    checkStatus(heldRes.status, 'query')
    for (const row of heldRes.data) {
      const key = heldKey(row)
      const r = newest.get(key)
      if (r != null && Number(row.seq) >= r.seq) newest.delete(key)
    }
    if (newest.size === 0) return
    const rows = [...newest.values()].map(toMilvusRow)
    const res = await this.call('upsert', async timeout => this.client.upsert({ collection_name: this.settings.collection, data: rows, timeout }))
    checkStatus(res.status, `upserting ${records.length} records`)
  }

  async search (query: SearchQuery): Promise<SearchHit[]> {
    const init = { settings: this.settings, filter: query.filter, k: Math.max(1, Math.min(query.k, 1000)) }
    const needVector = (): number[] => {
      if (query.vector == null) throw new MemoryInputError('bad_query', 'a vector search needs a query vector')
      if (query.vector.length !== this.dimension) throw new MemoryInputError('bad_dimension', `the query vector has ${query.vector.length} dimensions; this store holds ${this.dimension}`)
      return query.vector
    }
    const needText = (): string => {
      const text = query.text?.trim() ?? ''
      if (text === '') throw new MemoryInputError('bad_query', 'a text search needs query text')
      return text
    }
    let res: { status?: MilvusStatus, results: Array<Record<string, unknown>> }
    switch (query.mode) {
      case 'vector': {
        const req = vectorSearchRequest(init, needVector())
        res = await this.call('vector search', async timeout => this.client.search({ ...req, timeout }))
        break
      }
      case 'text': {
        const req = textSearchRequest(init, needText())
        res = await this.call('text search', async timeout => this.client.search({ ...req, timeout }))
        break
      }
      case 'hybrid': {
        const req = hybridSearchRequest(init, needVector(), needText())
        res = await this.call('hybrid search', async timeout => this.client.hybridSearch({ ...req, timeout }))
        break
      }
    }
    checkStatus(res.status, `${query.mode} search`)
    return toHits(res.results, query.mode)
  }

  private async rows (filter: MemoryFilter, fields = OUTPUT_FIELDS, consistency = this.settings.consistencyLevel): Promise<Array<Record<string, unknown>>> {
    return this.allRows(milvusFilter(filter), fields, consistency)
  }

  /**
   * Every row matching `expr`, so no community is cut at the query window. Query results
   * come in no guaranteed order (milvus-lite's are not by key), so a full window is read
   * again split by the next hex digit of the key (a sha256), until each part fits.
   */
  private async allRows (expr: string, fields: string[], consistency: string, prefix = ''): Promise<Array<Record<string, unknown>>> {
    const filter = prefix === '' ? expr : `(${expr}) and key like "${prefix}%"`
    const res = await this.call('query', async timeout => this.client.query({ collection_name: this.settings.collection, filter, output_fields: fields, limit: this.queryWindow, consistency_level: consistency, timeout }))
    checkStatus(res.status, 'query')
    if (res.data.length < this.queryWindow || prefix.length >= 64) return res.data
    const out: Array<Record<string, unknown>> = []
    for (const digit of '0123456789abcdef') out.push(...await this.allRows(expr, fields, consistency, prefix + digit))
    return out
  }

  async get (ids: string[], communities: string[]): Promise<Array<Omit<MemoryRecord, 'vector'>>> {
    if (ids.length === 0) return []
    // read back right after a write (the ownership check before a delete, a write confirmed): Strong
    return (await this.rows({ communities, ids }, OUTPUT_FIELDS, READ_AFTER_WRITE)).map(fromMilvusRow)
  }

  async delete (filter: MemoryFilter): Promise<number> {
    const expr = milvusFilter(filter)
    const res = await this.call('delete', async timeout => this.client.delete({ collection_name: this.settings.collection, filter: expr, timeout }))
    checkStatus(res.status, 'delete')
    return Number(res.delete_cnt ?? 0)
  }

  async count (filter: MemoryFilter): Promise<number> {
    const expr = milvusFilter(filter, { live: true })
    const res = await this.call('count', async timeout => this.client.query({ collection_name: this.settings.collection, filter: expr, output_fields: ['count(*)'], consistency_level: this.settings.consistencyLevel, timeout }))
    checkStatus(res.status, 'count')
    return Number(res.data[0]?.['count(*)'] ?? 0)
  }

  async stats (community: string): Promise<CommunityStats> {
    const rows = (await this.rows({ communities: [community] }, ['kind', 'origin', 'seq', 'deleted'])).filter(r => r.deleted !== true)
    const stats: CommunityStats = { records: await this.count({ communities: [community] }), byKind: {}, byOrigin: {} }
    for (const row of rows) {
      const kind = String(row.kind)
      const origin = String(row.origin)
      stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1
      const o = stats.byOrigin[origin] ?? { records: 0, highestSeq: 0 }
      o.records++
      o.highestSeq = Math.max(o.highestSeq, Number(row.seq))
      stats.byOrigin[origin] = o
    }
    return stats
  }

  async page (community: string, afterId: string | undefined, limit: number): Promise<Array<Omit<MemoryRecord, 'vector'>>> {
    const rows = await this.allRows(`${milvusFilter({ communities: [community] }, { live: true })}${afterId == null ? '' : ` and id > ${milvusQuote(afterId)}`}`, ['id'], this.settings.consistencyLevel)
    const ids = [...new Set(rows.map(r => String(r.id)))].sort().slice(0, limit)
    return (await this.get(ids, [community])).filter(r => r.deleted !== true).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0))
  }

  async versions (community: string): Promise<Array<{ origin: string, seq: number, covers?: Array<[number, number]> }>> {
    return (await this.rows({ communities: [community] }, ['origin', 'seq', 'covers'])).map(r => ({
      origin: String(r.origin),
      seq: Number(r.seq),
      ...(typeof r.covers === 'string' && r.covers !== '' ? { covers: JSON.parse(r.covers) as Array<[number, number]> } : {})
    }))
  }

  async afterSeq (community: string, origin: string, afterSeq: number, limit: number): Promise<Array<Omit<MemoryRecord, 'vector'>>> {
    const rows = await this.allRows(`${milvusFilter({ communities: [community] })} and origin == ${milvusQuote(origin)} and seq > ${Math.trunc(afterSeq)}`, OUTPUT_FIELDS, this.settings.consistencyLevel)
    return rows.map(fromMilvusRow).sort((a, b) => a.seq - b.seq).slice(0, limit)
  }

  async close (): Promise<void> {
    await this.client.closeConnection().catch(() => {})
  }
}
