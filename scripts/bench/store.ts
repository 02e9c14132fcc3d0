/**
 * Store benchmark: the SQLite store beside the embedded (LanceDB) store, each opened as a
 * node opens it with the default settings (`memory.store: sqlite`, and `embedded`: LanceDB
 * in its child process), in the same run on the same records:
 * - insert throughput (batches of 500, vectors precomputed);
 * - durable single-record write latency p50/p99, one at a time and with 50 writers at once;
 * - vector search p50/p99 at 10k records (k=10), the SQLite store's index recall@10 vs exact;
 * - text search p99.
 *
 *   npm run bench:store                # 10k records
 *   npm run bench:store -- --quick     # 2k records
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MEMORY_DEFAULTS } from '../../src/memory/config.js'
import { LocalEmbedder } from '../../src/memory/embedders/local.js'
import { storeAdapter } from '../../src/memory/stores/registry.js'
import { SqliteStore } from '../../src/memory/stores/sqlite/store.js'
import { loadDataset, records, synthetic } from './memory.js'
import { machine, percentile, printTable } from './util.js'
import type { MemoryRecord, MemoryStore } from '../../src/memory/types.js'
import type { Figure } from './util.js'

const r1 = (n: number): number => Math.round(n * 10) / 10

async function timed (fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

async function measure (name: string, store: MemoryStore, all: MemoryRecord[], singles: MemoryRecord[], queries: Array<{ text: string, vector: number[] }>): Promise<Figure[]> {
  const n = all.length
  const bench = `store:${name}`
  const insertMs = await timed(async () => { for (let i = 0; i < all.length; i += 500) await store.upsert(all.slice(i, i + 500)) })
  const sequential: number[] = []
  for (const r of singles.slice(0, 200)) sequential.push(await timed(async () => store.upsert([r])))
  // 50 writers at once, 20 writes each, every write awaited before that writer's next
  const loaded: number[] = []
  const rest = singles.slice(200)
  await Promise.all(Array.from({ length: 50 }, async (_, w) => {
    for (let i = 0; i < 20; i++) {
      const r = rest[w * 20 + i]
      if (r != null) loaded.push(await timed(async () => store.upsert([r])))
    }
  }))
  if (store instanceof SqliteStore) await store.indexBuilt()
  else if ('optimize' in store && typeof store.optimize === 'function') await (store.optimize as () => Promise<void>)()
  const filter = { communities: ['bench'] }
  const vector: number[] = []
  const text: number[] = []
  let agree = 0
  for (const q of queries) {
    let hits = await store.search({ mode: 'vector', vector: q.vector, k: 10, filter })
    vector.push(await timed(async () => { hits = await store.search({ mode: 'vector', vector: q.vector, k: 10, filter }) }))
    text.push(await timed(async () => store.search({ mode: 'text', text: q.text, k: 10, filter })))
    const exact = await store.search({ mode: 'vector', vector: q.vector, k: 10, filter, exact: true })
    const truth = new Set(exact.map(h => h.record.id))
    // synthetic records tie: a hit as close as the exact tenth is a right answer too
    const tenth = Math.min(...exact.map(h => h.score))
    agree += hits.filter(h => truth.has(h.record.id) || h.score >= tenth - 1e-6).length / Math.max(1, truth.size)
  }
  return [
    { bench, name: `insert throughput, ${n} records`, value: Math.round(n / (insertMs / 1000)), unit: 'rec/s', note: 'batches of 500, vectors precomputed' },
    { bench, name: 'durable single write p50', value: r1(percentile(sequential, 50)), unit: 'ms', note: 'one at a time, resolved when durable' },
    { bench, name: 'durable single write p99', value: r1(percentile(sequential, 99)), unit: 'ms' },
    { bench, name: 'durable write p99, 50 writers', value: r1(percentile(loaded, 99)), unit: 'ms', note: '1,000 writes, 50 in flight' },
    { bench, name: `vector search p50, ${n} records`, value: r1(percentile(vector, 50)), unit: 'ms', note: 'k=10' },
    { bench, name: `vector search p99, ${n} records`, value: r1(percentile(vector, 99)), unit: 'ms' },
    { bench, name: `vector recall@10 vs exact, ${n} records`, value: Math.round(agree / queries.length * 1000) / 1000, unit: 'ratio', note: 'ties with the tenth count' },
    { bench, name: `text search p99, ${n} records`, value: r1(percentile(text, 99)), unit: 'ms', note: 'BM25, k=10' }
  ]
}

/** Both stores on the same records, one after the other. */
export async function benchStore (quick: boolean): Promise<Figure[]> {
  const n = quick ? 2_000 : 10_000
  const embedder = new LocalEmbedder()
  const data = loadDataset()
  const root = await mkdtemp(join(tmpdir(), 'oa-bench-store-'))
  try {
    const items = synthetic(data, n + 1_200)
    const made: MemoryRecord[] = []
    for (let i = 0; i < items.length; i += 1000) made.push(...await records(embedder, 'bench', items.slice(i, i + 1000), i + 1))
    const all = made.slice(0, n)
    const singles = made.slice(n)
    const questions = data.slice(0, 100).map(d => d.question)
    const vectors = await embedder.embed(questions)
    const queries = questions.map((text, i) => ({ text, vector: vectors[i] ?? [] }))
    const figures: Figure[] = []
    for (const name of ['sqlite', 'embedded']) {
      const store = await storeAdapter(name).open({ dir: join(root, name), settings: MEMORY_DEFAULTS, embedder, watch: () => { throw new Error('no endpoint') } })
      try {
        figures.push(...await measure(name, store, all, singles, queries))
      } finally {
        await store.close()
      }
    }
    return figures
  } finally {
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const quick = process.argv.includes('--quick')
  process.stdout.write(`bench:store on ${machine()}${quick ? ' (quick)' : ''}, default settings (writeWindowMs ${MEMORY_DEFAULTS.writeWindowMs})\n\n`)
  printTable(await benchStore(quick))
}
