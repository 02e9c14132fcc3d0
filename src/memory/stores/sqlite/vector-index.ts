import { chmodSync, existsSync, renameSync, rmSync } from 'node:fs'
import { Index, MetricKind, ScalarKind } from 'usearch'
import type { IndexConfig } from 'usearch'
import { PRIVATE_FILE_MODE } from '../../../files/private-files.js'

/**
 * How the HNSW index is built and searched, chosen on `bench:store -- --sweep`: 100,000
 * real English sentences (Markdown and comments of node_modules, Python docstrings, man
 * pages), local embedder (1,024 dimensions), 200 held-out sentences as queries, recall@10
 * by id against exact search, the 100 candidates scored exactly before the best 10 are
 * kept (as the store does); links 16, expansion_add 64; 2 shared vCPUs, 2026-12-02:
 *
 * | breadth | 64 | 128 | 256 | 384 | 512 | 1,024 | build rate |
 * | --- | --- | --- | --- | --- | --- | --- | --- |
 * | f32 | 0.898 | 0.924 | 0.947 | 0.962 | 0.963 (4.7 ms) | 0.980 (9.9 ms) | 2,300/s |
 * | f16 | 0.907 | 0.931 | 0.958 | 0.965 | 0.974 (3.9 ms) | 0.981 (9.8 ms) | 4,400/s |
 * | i8 | 0.911 | 0.924 | 0.951 | 0.964 | 0.973 (2.4 ms) | 0.981 (5.8 ms) | 5,100/s |
 *
 * (ms: graph search p99; the 384 column is from a later run, re-scoring the first 20
 * candidates, which gave the same recall as all 100 on 60 of the queries.) Built with expansion_add 32, i8 and f16 reached only 0.916 at
 * breadth 512 (for 11,000-17,000 builds/s); ranked by the index's own distances instead of
 * re-scored, i8 reached only 0.947 at breadth 1,024 and f16 0.977. Re-scored, i8 ranks as
 * well as f16 in half the memory and searches fastest, so: i8. Breadth 384 keeps recall
 * above 0.95 with a margin for about a quarter less graph search than 512.
 */
const CONNECTIVITY = 16
const EXPANSION_ADD = 64
const EXPANSION_SEARCH = 384
const QUANTIZATION: Quantization = 'i8'

/** How the index keeps each vector: float32, float16, or int8 (one byte a value). */
export type Quantization = 'f32' | 'f16' | 'i8'

/** Settings of an index other than the store's own (benchmarks compare them). */
export interface VectorIndexSettings {
  quantization?: Quantization
  /** Candidates the graph search keeps (usearch's expansion_search). */
  expansionSearch?: number
}

const SCALAR: Record<Quantization, ScalarKind> = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 }

/**
 * The usearch configuration of the store's index (or of one with other settings): what a
 * raw usearch index needs to read the saved file as the store does.
 *
 * @example
 * ```ts
 * const raw = new Index(usearchConfig(1024))
 * raw.load('n1/memory/memory.usearch')
 * ```
 */
export function usearchConfig (dimension: number, settings: VectorIndexSettings = {}): IndexConfig {
  return {
    dimensions: dimension,
    metric: MetricKind.Cos,
    quantization: SCALAR[settings.quantization ?? QUANTIZATION],
    connectivity: CONNECTIVITY,
    expansion_add: EXPANSION_ADD,
    expansion_search: settings.expansionSearch ?? EXPANSION_SEARCH,
    multi: false
  }
}

/** Keys usearch pads missing results with. */
const NO_KEY = 0xffff_ffff_ffff_ffffn

/** One neighbour found in the index: the row id and its cosine similarity to the query. */
export interface Neighbour {
  rid: number
  similarity: number
}

/**
 * The in-process HNSW index (usearch, cosine, int8 by default) over the live records, keyed by
 * their row id in the database. It is derived: saved beside the database and rebuilt
 * from it when missing or stale.
 *
 * @example
 * ```ts
 * const index = new VectorIndex(1024)
 * index.putMany([7], [vector])
 * index.search(query, 10)   // [{ rid: 7, similarity: 0.93 }]
 * ```
 */
export class VectorIndex {
  readonly dimension: number
  readonly quantization: Quantization
  readonly expansionSearch: number
  private index: Index

  constructor (dimension: number, settings: VectorIndexSettings = {}) {
    this.dimension = dimension
    this.quantization = settings.quantization ?? QUANTIZATION
    this.expansionSearch = settings.expansionSearch ?? EXPANSION_SEARCH
    this.index = this.empty()
  }

  private empty (): Index {
    return new Index(usearchConfig(this.dimension, { quantization: this.quantization, expansionSearch: this.expansionSearch }))
  }

  /**
   * How the index is built (quantization, links, expansion_add): a saved index built
   * otherwise is rebuilt rather than loaded (usearch would load it as it was built).
   */
  get layout (): string {
    return `${this.quantization}/links ${CONNECTIVITY}/expansion_add ${EXPANSION_ADD}`
  }

  /** Vectors held. */
  size (): number {
    return this.index.size()
  }

  /** Adds or replaces the vectors of rows. */
  putMany (rids: number[], vectors: Float32Array[]): void {
    for (let i = 0; i < rids.length; i++) {
      const key = BigInt(rids[i] ?? 0)
      if (this.index.contains(key) === true) this.index.remove(key)
    }
    if (rids.length === 1) this.index.add(BigInt(rids[0] ?? 0), vectors[0] ?? new Float32Array(this.dimension))
    else if (rids.length > 1) this.index.add(BigUint64Array.from(rids.map(BigInt)), vectors, 0)
  }

  /** Drops the vector of a row, if held. */
  remove (rid: number): void {
    const key = BigInt(rid)
    if (this.index.contains(key) === true) this.index.remove(key)
  }

  /** Drops everything. */
  clear (): void {
    this.index = this.empty()
  }

  /** The `limit` nearest rows, nearest first. */
  search (query: Float32Array, limit: number): Neighbour[] {
    if (this.index.size() === 0) return []
    const found = this.index.search(query, Math.max(1, Math.min(limit, this.index.size())), 1)
    const out: Neighbour[] = []
    for (let i = 0; i < found.keys.length; i++) {
      const key = found.keys[i] ?? NO_KEY
      const distance = found.distances[i] ?? Number.NaN
      if (key === NO_KEY || !Number.isFinite(distance)) continue
      out.push({ rid: Number(key), similarity: 1 - distance })
    }
    return out
  }

  /** Writes the index to `path` (through a temporary file, so a crash leaves the old one or none). */
  save (path: string): void {
    const tmp = `${path}.tmp`
    this.index.save(tmp)
    // usearch writes with the process umask: the index is private like every file of the data dir
    chmodSync(tmp, PRIVATE_FILE_MODE)
    renameSync(tmp, path)
  }

  /** Reads the index from `path`; false (and empty) when it is missing or unreadable. */
  load (path: string): boolean {
    if (!existsSync(path)) return false
    const loaded = this.empty()
    try {
      loaded.load(path)
    } catch {
      rmSync(path, { force: true })
      return false
    }
    if (loaded.dimensions() !== this.dimension) return false
    this.index = loaded
    return true
  }
}
