import { LocalEmbedder } from '../../src/memory/embedders/lexical.js'
import { sqliteAdapter } from '../../src/memory/stores/sqlite/adapter.js'
import type { Embedder } from '../../src/memory/embedders/types.js'
import type { StoreAdapter } from '../../src/memory/stores/adapter.js'
import type { MemoryRecord, MemoryStore, SignedVector, SyncedRecord, UpsertOptions } from '../../src/memory/types.js'

/** What a kept-vectors store holds beside its records: each record's vector and vector signature. */
export interface KeptVector {
  seq: number
  vector: number[]
  vectorSignature?: Uint8Array
  signedVector?: SignedVector
}

/** A store that returns vectors from `afterSeq`, and what it kept. */
export type KeepingStore = MemoryStore & { kept: Map<string, KeptVector> }

/**
 * Wraps a store so that `afterSeq` returns each record's vector and vector signature
 * from what was upserted, kept in memory by community, origin and id (the embedded store
 * returns its own; this lets a test read what a node kept, or serve it `tamper`ed: each
 * vector changed, its signature kept, as a member serving altered vectors would).
 *
 * @example
 * ```ts
 * const node = await startTestNode(root, 'a', layer, { memoryStoreAdapter: keptVectorsAdapter() })
 * ```
 */
export function keepingVectors (store: MemoryStore, options: { tamper?: boolean } = {}): KeepingStore {
  const kept = new Map<string, KeptVector>()
  const key = (community: string, origin: string, id: string): string => `${community}|${origin}|${id}`
  const upsert = async (records: MemoryRecord[], options?: UpsertOptions): Promise<void> => {
    await store.upsert(records, options)
    for (const r of records) {
      const k = key(r.community, r.origin, r.id)
      if ((kept.get(k)?.seq ?? 0) >= r.seq) continue
      kept.set(k, { seq: r.seq, vector: [...r.vector], ...(r.vectorSignature == null ? {} : { vectorSignature: r.vectorSignature }), ...(r.signedVector == null ? {} : { signedVector: r.signedVector }) })
    }
  }
  const afterSeq = async (community: string, origin: string, after: number, limit: number): Promise<SyncedRecord[]> => {
    const page = await store.afterSeq(community, origin, after, limit)
    return page.map(r => {
      const k = kept.get(key(r.community, r.origin, r.id))
      if (k == null || k.seq !== r.seq || r.deleted === true) return r
      const vector = options.tamper === true ? k.vector.map((x, i) => i === 0 ? x + 0.5 : x) : k.vector
      return { ...r, vector, ...(k.vectorSignature == null ? {} : { vectorSignature: k.vectorSignature }) }
    })
  }
  return new Proxy(store, {
    get (target, prop) {
      if (prop === 'upsert') return upsert
      if (prop === 'afterSeq') return afterSeq
      if (prop === 'kept') return kept
      const value = Reflect.get(target, prop, target) as unknown
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    }
  }) as KeepingStore
}

/**
 * A store adapter (SQLite unless `base` is given) whose stores keep vectors (`keepingVectors`); `opened` collects them.
 *
 * @example
 * ```ts
 * const stores: KeepingStore[] = []
 * await startTestNode(root, 'a', layer, { memoryStoreAdapter: keptVectorsAdapter(stores) })
 * ```
 */
export function keptVectorsAdapter (opened: KeepingStore[] = [], options: { tamper?: boolean, base?: StoreAdapter } = {}): StoreAdapter {
  const base = options.base ?? sqliteAdapter
  return {
    name: `${base.name}-kept-vectors`,
    replicated: true,
    open: async (ctx) => {
      const store = keepingVectors(await base.open(ctx), options)
      opened.push(store)
      return store
    }
  }
}

/**
 * The local embedder under a name of choice, counting the texts it embeds.
 *
 * @example
 * ```ts
 * const embedder = new CountingEmbedder()
 * await startTestNode(root, 'b', layer, { memoryEmbedder: embedder })
 * embedder.texts.includes('a gossiped note')   // false when the origin's vector was used
 * ```
 */
export class CountingEmbedder implements Embedder {
  readonly name: string
  readonly dimension: number
  readonly texts: string[] = []
  private readonly inner: LocalEmbedder

  constructor (name = 'local-hash-v2', dimension = 1024) {
    this.inner = new LocalEmbedder(dimension)
    this.name = name
    this.dimension = dimension
  }

  async embed (texts: string[]): Promise<number[][]> {
    this.texts.push(...texts)
    return this.inner.embed(texts)
  }
}
