/**
 * Store benchmark: the embedded SQLite store, opened as a node opens it (default
 * settings), on real English sentences found on this machine (`sentences.ts`) embedded
 * with the lexical embedder (1,024 dimensions), then again with the neural model (384
 * dimensions; its vectors are kept in bench/cache, so only the first run embeds the
 * 100,000 sentences); each figure beside a baseline measured in the same run on the
 * same rows and the same file system:
 * - a durable single write (one at a time, store otherwise idle) p50/p99, beside a raw
 *   SQLite insert + fsync (WAL, synchronous FULL); 50 writers at once;
 * - insert throughput (batches of 500, vectors precomputed), beside raw SQLite inserts
 *   into a plain table;
 * - vector search p99 (k=10) at 10,000 and 100,000 records, beside raw usearch search on
 *   an index of the same settings and exact search;
 * - recall@10 of the index against exact search, by id;
 * - hybrid and text search p99 on natural-language questions (the project's dataset),
 *   beside a raw FTS5 bm25 query of every word; hybrid also on the held-out sentences.
 * `--sweep` adds the choice of index quantization and search breadth: recall@10, p99 and
 * build rate of each, on the same vectors.
 *
 *   npm run bench:store                # 10,000 and 100,000 records, both embedders
 *   npm run bench:store -- --quick     # 10,000 records
 *   npm run bench:store -- --neural    # or --lexical: one embedder
 *   npm run bench:store -- --sweep     # and the quantization / breadth table
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Index } from 'usearch'
import { MEMORY_DEFAULTS } from '../../src/memory/config.js'
import { LocalEmbedder } from '../../src/memory/embedders/lexical.js'
import { NeuralEmbedder } from '../../src/memory/embedders/neural.js'
import { DEFAULT_MODEL, modelDir, readInstalledModel } from '../../src/models/manifest.js'
import { makeRecord } from '../../src/memory/record.js'
import { INDEX_FILE, vectorOf } from '../../src/memory/stores/sqlite/schema.js'
import { cosine, norm } from '../../src/memory/stores/sqlite/cosine.js'
import { SqliteStore } from '../../src/memory/stores/sqlite/store.js'
import { VectorIndex, usearchConfig } from '../../src/memory/stores/sqlite/vector-index.js'
import { collectNow } from '../../src/runtime/idle-collector.js'
import { DatabaseSync } from '../../src/runtime/sqlite.js'
import { openEmbeddingCache } from './embedding-cache.js'
import { loadDataset } from './memory.js'
import { englishSentences } from './sentences.js'
import { machine, percentile, printTable } from './util.js'
import type { Embedder } from '../../src/memory/embedders/types.js'
import type { Quantization } from '../../src/memory/stores/sqlite/vector-index.js'
import type { MemoryRecord, SearchHit } from '../../src/memory/types.js'
import type { Figure } from './util.js'

const QUERIES = 200
const SINGLES = 1_200
const BATCH = 500
const COMMUNITY = 'bench'
const r1 = (n: number): number => Math.round(n * 10) / 10
const r3 = (n: number): number => Math.round(n * 1000) / 1000

const key = await generateKeyPair('Ed25519')

async function timed (fn: () => unknown): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

async function recordsOf (embedder: Embedder, texts: string[], seqStart: number): Promise<MemoryRecord[]> {
  const vectors = await embedder.embed(texts)
  return Promise.all(texts.map(async (text, i) => ({ ...await makeRecord({ text }, COMMUNITY, seqStart + i, key), vector: vectors[i] ?? [] })))
}

/** A plain SQLite table in the same file system, as the store's database is opened: the baseline of writes. */
class RawTable {
  readonly db: DatabaseSync
  private readonly insert

  constructor (path: string) {
    this.db = new DatabaseSync(path)
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;')
    this.db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, text TEXT NOT NULL, vector BLOB NOT NULL); CREATE VIRTUAL TABLE fts USING fts5 (text, tokenize = \'porter unicode61 remove_diacritics 2\')')
    this.insert = this.db.prepare('INSERT INTO t (text, vector) VALUES (?, ?)')
  }

  /** One transaction of these rows (the FTS table aside). */
  write (records: MemoryRecord[]): void {
    this.db.exec('BEGIN IMMEDIATE')
    for (const r of records) this.insert.run(r.text, new Uint8Array(Float32Array.from(r.vector).buffer))
    this.db.exec('COMMIT')
  }

  /** The FTS5 table the text baseline queries, filled outside any timing. */
  index (records: MemoryRecord[]): void {
    this.db.exec('BEGIN')
    const add = this.db.prepare('INSERT INTO fts (text) VALUES (?)')
    for (const r of records) add.run(r.text)
    this.db.exec('COMMIT')
  }

  /** A bm25 query of all the words of `text`, as given. */
  bm25 (text: string, limit: number): number {
    const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])]
    return this.db.prepare('SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?').all(words.map(w => `"${w}"`).join(' OR '), limit).length
  }
}

interface Query { text: string, vector: number[] }

/** Search figures of the store at its current size, beside exact search and the raw FTS5 query. */
async function searchFigures (store: SqliteStore, raw: RawTable, queries: Query[], questions: Query[], n: number, bench: string): Promise<{ figures: Figure[], truth: string[][] }> {
  const filter = { communities: [COMMUNITY] }
  const vector: number[] = []
  const exact: number[] = []
  const hybrid: number[] = []
  const hybridSentences: number[] = []
  const text: number[] = []
  const rawText: number[] = []
  const truth: string[][] = []
  for (const q of questions) {
    await store.search({ mode: 'hybrid', text: q.text, vector: q.vector, k: 10, filter })
    hybrid.push(await timed(async () => store.search({ mode: 'hybrid', text: q.text, vector: q.vector, k: 10, filter })))
  }
  for (const q of questions) text.push(await timed(async () => store.search({ mode: 'text', text: q.text, k: 10, filter })))
  // the text half of a hybrid search asks for 30 rows
  for (const q of questions) rawText.push(await timed(() => raw.bm25(q.text, 30)))
  // each kind of search in a loop of its own: the garbage of an exact scan is not collected during the next indexed search
  const indexed: SearchHit[][] = []
  for (const q of queries) {
    await store.search({ mode: 'vector', vector: q.vector, k: 10, filter })
    let hits: SearchHit[] = []
    vector.push(await timed(async () => { hits = await store.search({ mode: 'vector', vector: q.vector, k: 10, filter }) }))
    indexed.push(hits)
  }
  for (const q of queries) hybridSentences.push(await timed(async () => store.search({ mode: 'hybrid', text: q.text, vector: q.vector, k: 10, filter })))
  let found = 0
  for (const [i, q] of queries.entries()) {
    let best: SearchHit[] = []
    exact.push(await timed(async () => { best = await store.search({ mode: 'vector', vector: q.vector, k: 10, filter, exact: true }) }))
    const ids = best.map(h => h.record.id)
    truth.push(ids)
    const got = new Set((indexed[i] ?? []).map(h => h.record.id))
    found += ids.filter(id => got.has(id)).length / Math.max(1, ids.length)
  }
  const at = `${n.toLocaleString('en')} records`
  return {
    truth,
    figures: [
      { bench, name: `vector search p50, ${at}`, value: r1(percentile(vector, 50)), unit: 'ms', note: 'k=10' },
      { bench, name: `vector search p99, ${at}`, value: r1(percentile(vector, 99)), unit: 'ms', note: 'k=10' },
      { bench, name: `  baseline: exact search p99, ${at}`, value: r1(percentile(exact, 99)), unit: 'ms', note: 'cosine over every row' },
      { bench, name: `recall@10 of the index vs exact, by id, ${at}`, value: r3(found / queries.length), unit: 'ratio', note: `${queries.length} held-out sentences` },
      { bench, name: `hybrid search p99, ${at}`, value: r1(percentile(hybrid, 99)), unit: 'ms', note: `k=10, ${questions.length} dataset questions` },
      { bench, name: `text search p99, ${at}`, value: r1(percentile(text, 99)), unit: 'ms', note: 'BM25, k=10, the same questions' },
      { bench, name: `  baseline: raw FTS5 bm25 query p99, ${at}`, value: r1(percentile(rawText, 99)), unit: 'ms', note: 'every word of the question, 30 rows' },
      { bench, name: `hybrid search p99, held-out sentences as queries, ${at}`, value: r1(percentile(hybridSentences, 99)), unit: 'ms', note: 'k=10, about 10 words each after stop words' }
    ]
  }
}

/** Raw usearch: the index file the store saved, loaded into an index of the same settings, searched as the store does (100 candidates). */
function rawIndexSearch (path: string, dimension: number, queries: Query[]): number[] {
  const index = new Index(usearchConfig(dimension))
  index.load(path)
  const times: number[] = []
  for (const q of queries) {
    const v = Float32Array.from(q.vector)
    index.search(v, 100, 1)
    const t = performance.now()
    index.search(v, 100, 1)
    times.push(performance.now() - t)
  }
  return times
}

/** Recall@10 by id (the first 20 of 100 candidates re-scored, as the store does), p99 and build rate of each quantization and search breadth, on the store's own vectors. */
function sweep (dbPath: string, dimension: number, queries: Query[], truth: string[][], bench: string): Figure[] {
  const db = new DatabaseSync(dbPath, { readOnly: true })
  const rows = db.prepare('SELECT rid, id, vector FROM records WHERE deleted = 0 ORDER BY rid').all() as Array<{ rid: number, id: string, vector: Uint8Array }>
  db.close()
  const idOf = new Map(rows.map(r => [r.rid, r.id]))
  const vectorOfRid = new Map(rows.map(r => [r.rid, vectorOf(r.vector)]))

  const figures: Figure[] = []
  const path = join(dbPath, '..', 'sweep.usearch')
  for (const quantization of ['f32', 'f16', 'i8'] as Quantization[]) {
    const built = new VectorIndex(dimension, { quantization })
    const buildMs = performance.now()
    for (let i = 0; i < rows.length; i += BATCH) {
      const chunk = rows.slice(i, i + BATCH)
      built.putMany(chunk.map(r => r.rid), chunk.map(r => vectorOf(r.vector)))
    }
    figures.push({ bench, name: `${quantization}: index build rate, ${rows.length.toLocaleString('en')} vectors`, value: Math.round(rows.length / ((performance.now() - buildMs) / 1000)), unit: 'rec/s', note: 'batches of 500' })
    built.save(path)
    for (const expansionSearch of [64, 128, 256, 384, 512, 1024]) {
      const index = new VectorIndex(dimension, { quantization, expansionSearch })
      index.load(path)
      const times: number[] = []
      let found = 0
      queries.forEach((q, i) => {
        const v = Float32Array.from(q.vector)
        const t = performance.now()
        const candidates = index.search(v, 100)
        times.push(performance.now() - t)
        // the first 20 candidates scored exactly, as the store does, before the best 10 are kept
        const got = candidates.slice(0, 20).map(c => ({ rid: c.rid, s: cosine(v, norm(v), vectorOfRid.get(c.rid) ?? new Float32Array(dimension)) }))
          .sort((a, b) => b.s - a.s).slice(0, 10).map(c => idOf.get(c.rid))
        const ids = truth[i] ?? []
        found += ids.filter(id => got.includes(id)).length / Math.max(1, ids.length)
      })
      figures.push({ bench, name: `${quantization}, breadth ${expansionSearch}: recall@10, candidates re-scored / graph search p99`, value: r3(found / queries.length), unit: 'ratio', note: `${r1(percentile(times, 99))} ms p99` })
    }
  }
  return figures
}

/**
 * The lexical embedder, or two instances of the installed neural model (one core each)
 * behind the bench's disk cache of vectors; undefined when the model is not installed.
 */
async function benchEmbedder (kind: 'lexical' | 'neural'): Promise<Embedder | undefined> {
  if (kind === 'lexical') return new LocalEmbedder()
  const model = await readInstalledModel(modelDir(process.env.OA_MODEL_DIR), DEFAULT_MODEL)
  if (model == null) return undefined
  const cache = openEmbeddingCache([await NeuralEmbedder.load(model), await NeuralEmbedder.load(model)], join(process.cwd(), 'bench', 'cache'))
  let reported = 0
  return {
    name: cache.name,
    dimension: cache.dimension,
    embed: async (texts: string[]) => {
      const vectors = await cache.embed(texts)
      if (cache.embedded - reported >= 10_000) {
        process.stderr.write(`bench:store: ${cache.embedded.toLocaleString('en')} sentences embedded by ${cache.name} (kept in bench/cache for the next run)\n`)
        reported = cache.embedded
      }
      return vectors
    }
  }
}

/**
 * The store on 10,000 then 100,000 records of real sentences (`quick`: 10,000), with every
 * baseline; `withSweep` adds the quantization and breadth table at the largest size.
 */
export async function benchStore (quick: boolean, withSweep = false, kind: 'lexical' | 'neural' = 'lexical'): Promise<Figure[]> {
  const bench = kind === 'lexical' ? 'store' : 'store (neural)'
  const embedder = await benchEmbedder(kind)
  if (embedder == null) {
    process.stderr.write(`bench:store: no ${DEFAULT_MODEL} in ${modelDir(process.env.OA_MODEL_DIR)} (npm run models:test): the neural run is left out\n`)
    return []
  }
  const sizes = quick ? [10_000] : [10_000, 100_000]
  const largest = Math.max(...sizes)
  const { sentences, sources } = englishSentences(largest + QUERIES + SINGLES)
  if (sentences.length < largest + QUERIES + SINGLES) throw new Error(`only ${sentences.length} distinct sentences found on this machine, ${largest + QUERIES + SINGLES} needed`)
  process.stdout.write(`corpus: ${sentences.length.toLocaleString('en')} distinct sentences from ${Object.entries(sources).map(([s, n]) => `${s}: ${n} files`).join('; ')}\n\n`)
  // held-out sentences are the queries; the rest are written
  const questions = sentences.slice(0, QUERIES)
  const singles = sentences.slice(QUERIES, QUERIES + SINGLES)
  const corpus = sentences.slice(QUERIES + SINGLES)
  const queries = (await embedder.embed(questions)).map((vector, i) => ({ text: questions[i] ?? '', vector }))
  const asked = loadDataset().map(d => d.question)
  const dataset = (await embedder.embed(asked)).map((vector, i) => ({ text: asked[i] ?? '', vector }))
  const root = await mkdtemp(join(tmpdir(), 'oa-bench-store-'))
  const figures: Figure[] = []
  const raw = new RawTable(join(root, 'raw.db'))
  const store = await SqliteStore.open({ dir: join(root, 'memory'), embedder, writeWindowMs: MEMORY_DEFAULTS.writeWindowMs })
  try {
    let written = 0
    let storeMs = 0
    let indexMs = 0
    let rawMs = 0
    let seq = 1
    let truth: string[][] = []
    for (const size of sizes) {
      while (written < size) {
        // records made for 10,000 rows at a time, outside the timings
        const texts = corpus.slice(written, Math.min(size, written + 10_000))
        const batches: MemoryRecord[][] = []
        for (let i = 0; i < texts.length; i += BATCH) batches.push(await recordsOf(embedder, texts.slice(i, i + BATCH), seq + i))
        seq += texts.length
        for (const batch of batches) {
          rawMs += await timed(() => { raw.write(batch) })
          raw.index(batch)
        }
        // the writes one after the other, each resolved when durable; then the wait for the index to hold them all
        for (const batch of batches) storeMs += await timed(async () => store.upsert(batch))
        indexMs += await timed(async () => store.indexBuilt())
        written += texts.length
      }
      if (figures.length === 0) {
        figures.push(...await writeFigures(store, raw, await recordsOf(embedder, singles, 1_000_000_000), bench))
      }
      await store.indexBuilt()
      // searched as a node serves them once its writes are done: its idle collection has run (docs/operations.md)
      collectNow()
      const held = await store.count({ communities: [COMMUNITY] })
      const searched = await searchFigures(store, raw, queries, dataset, held, bench)
      figures.push(...searched.figures)
      truth = searched.truth
    }
    figures.push({ bench, name: `insert throughput, ${written.toLocaleString('en')} records`, value: Math.round(written / (storeMs / 1000)), unit: 'rec/s', note: `batches of ${BATCH} resolved when durable, vectors precomputed` })
    figures.push({ bench, name: '  baseline: raw SQLite inserts', value: Math.round(written / (rawMs / 1000)), unit: 'rec/s', note: 'plain table, no index or FTS' })
    figures.push({ bench, name: '  with the vector index caught up', value: Math.round(written / ((storeMs + indexMs) / 1000)), unit: 'rec/s', note: `the index took ${r1(indexMs / 1000)} s more after the writes` })
    await store.close()
    const rawSearch = rawIndexSearch(join(root, 'memory', INDEX_FILE), embedder.dimension, queries)
    figures.push({ bench, name: `  baseline: raw usearch search p99, ${written.toLocaleString('en')} records`, value: r1(percentile(rawSearch, 99)), unit: 'ms', note: 'the saved index, 100 candidates' })
    if (withSweep) figures.push(...sweep(join(root, 'memory', 'memory.db'), embedder.dimension, queries, truth, 'sweep'))
    return figures
  } finally {
    await store.close()
    raw.db.close()
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
}

/** Single durable writes: one at a time with nothing else pending, then 50 writers at once; the raw insert + fsync beside them. */
async function writeFigures (store: SqliteStore, raw: RawTable, singles: MemoryRecord[], bench: string): Promise<Figure[]> {
  const alone: number[] = []
  const rawAlone: number[] = []
  for (const r of singles.slice(0, 200)) {
    rawAlone.push(await timed(() => { raw.write([r]) }))
    alone.push(await timed(async () => store.upsert([r])))
    // the store is idle again before the next write: its index has followed
    await new Promise(resolve => setImmediate(resolve))
  }
  const loaded: number[] = []
  const rest = singles.slice(200)
  await Promise.all(Array.from({ length: 50 }, async (_, w) => {
    for (let i = 0; i < 20; i++) {
      const r = rest[w * 20 + i]
      if (r != null) loaded.push(await timed(async () => store.upsert([r])))
    }
  }))
  return [
    { bench, name: 'durable single write p50', value: r1(percentile(alone, 50)), unit: 'ms', note: 'one at a time, store otherwise idle' },
    { bench, name: 'durable single write p99', value: r1(percentile(alone, 99)), unit: 'ms', note: '200 writes' },
    { bench, name: '  baseline: raw SQLite insert + fsync p99', value: r1(percentile(rawAlone, 99)), unit: 'ms', note: 'WAL, synchronous FULL, same file system' },
    { bench, name: 'durable write p99, 50 writers', value: r1(percentile(loaded, 99)), unit: 'ms', note: `1,000 writes, 50 in flight, write window ${MEMORY_DEFAULTS.writeWindowMs} ms` }
  ]
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const quick = process.argv.includes('--quick')
  process.stdout.write(`bench:store on ${machine()}${quick ? ' (quick)' : ''}, default settings (writeWindowMs ${MEMORY_DEFAULTS.writeWindowMs})\n`)
  const kinds: Array<'lexical' | 'neural'> = process.argv.includes('--lexical') ? ['lexical'] : process.argv.includes('--neural') ? ['neural'] : ['lexical', 'neural']
  for (const kind of kinds) printTable(await benchStore(quick, process.argv.includes('--sweep'), kind))
}
