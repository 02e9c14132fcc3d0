/**
 * Memory benchmark, on the project's own dataset (config/demo/knowledge/*.jsonl: 200+
 * developer-support entries, each with a paraphrased question):
 * - retrieval: recall@1 and recall@5 of the paraphrased question finding its entry, per
 *   embedder and mode, beside a plain keyword-overlap baseline;
 * - the local embedder's speed and load time;
 * - insert throughput (batched) and search latency p50/p99 at 10k and 100k records;
 * - recall@10 of the vector index against exact search (goal >= 0.95);
 * - the relevance floor: what share of in-domain and off-topic questions keep a source.
 *
 *   npm run bench:memory               # 10k and 100k records
 *   npm run bench:memory -- --quick    # 10k records only
 */
import { readFileSync, readdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import * as lancedb from '@lancedb/lancedb'
import { LocalEmbedder } from '../../src/memory/embedders/local.js'
import { OpenAIEmbedder } from '../../src/memory/embedders/openai.js'
import { makeRecord } from '../../src/memory/record.js'
import { EmbeddedStore } from '../../src/memory/stores/embedded.js'
import { ProcessStore } from '../../src/memory/stores/process/process-store.js'
import { overlap, terms } from '../../src/text/terms.js'
import { PACKAGE_ROOT } from '../../src/version.js'
import { relevanceFloor } from './relevance-floor.js'
import { machine, percentile, printTable } from './util.js'
import type { Embedder } from '../../src/memory/embedders/types.js'
import type { MemoryRecord, SearchMode } from '../../src/memory/types.js'
import type { Figure } from './util.js'

interface Entry { id: string, text: string, question: string }

export function loadDataset (): Entry[] {
  const dir = join(PACKAGE_ROOT, 'config', 'demo', 'knowledge')
  return readdirSync(dir).filter(f => f.endsWith('.jsonl')).flatMap(f =>
    readFileSync(join(dir, f), 'utf8').split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as Entry))
}

const key = await generateKeyPair('Ed25519')
const r3 = (n: number): number => Math.round(n * 1000) / 1000

export async function records (embedder: Embedder, community: string, items: Array<{ id?: string, text: string }>, seqStart: number): Promise<MemoryRecord[]> {
  const vectors = await embedder.embed(items.map(i => i.text))
  return Promise.all(items.map(async (item, i) => ({ ...await makeRecord({ text: item.text, id: item.id }, community, seqStart + i, key), vector: vectors[i] ?? [] })))
}

async function openStore (dir: string, embedder: Embedder, threshold: number): Promise<EmbeddedStore> {
  return EmbeddedStore.open({ dir, embedder, writeWindowMs: 0, vectorIndexThreshold: threshold, optimizeEveryRows: Number.MAX_SAFE_INTEGER })
}

/** recall@1 / recall@5 of each question finding its own entry. */
async function retrieval (embedder: Embedder, data: Entry[], root: string): Promise<Figure[]> {
  const store = await openStore(join(root, `retrieval-${embedder.name.replace(/\W/g, '_')}`), embedder, 1_000_000)
  const figures: Figure[] = []
  try {
    await store.upsert(await records(embedder, 'bench', data, 1))
    for (const mode of ['vector', 'text', 'hybrid'] as SearchMode[]) {
      let at1 = 0
      let at5 = 0
      for (const entry of data) {
        const [vector] = await embedder.embed([entry.question])
        const ids = (await store.search({ mode, text: entry.question, vector, k: 5, filter: { communities: ['bench'] } })).map(h => h.record.id)
        if (ids[0] === entry.id) at1++
        if (ids.includes(entry.id)) at5++
      }
      figures.push({ bench: 'memory', name: `recall@1 ${embedder.name} ${mode}`, value: r3(at1 / data.length), unit: 'ratio', note: `${data.length} paraphrased questions` })
      figures.push({ bench: 'memory', name: `recall@5 ${embedder.name} ${mode}`, value: r3(at5 / data.length), unit: 'ratio' })
    }
  } finally {
    await store.close()
  }
  return figures
}

/** The baseline: rank entries by the share of question words they contain. */
function keywordBaseline (data: Entry[]): Figure[] {
  let at1 = 0
  let at5 = 0
  for (const entry of data) {
    const q = terms(entry.question)
    const ranked = data.map(d => ({ id: d.id, score: overlap(q, d.text).score })).sort((a, b) => b.score - a.score).slice(0, 5).map(r => r.id)
    if (ranked[0] === entry.id) at1++
    if (ranked.includes(entry.id)) at5++
  }
  return [
    { bench: 'memory', name: 'recall@1 keyword-overlap baseline', value: r3(at1 / data.length), unit: 'ratio' },
    { bench: 'memory', name: 'recall@5 keyword-overlap baseline', value: r3(at5 / data.length), unit: 'ratio' }
  ]
}

export function synthetic (data: Entry[], n: number): Array<{ text: string }> {
  const words = data.flatMap(d => d.text.split(/\s+/))
  let x = 12345
  const rand = (): number => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648 }
  return Array.from({ length: n }, () => ({ text: Array.from({ length: 12 + Math.floor(rand() * 20) }, () => words[Math.floor(rand() * words.length)] ?? '').join(' ') }))
}

/** The same rows written and searched through LanceDB directly: the baseline for the store's overhead. */
async function rawBaseline (dir: string, all: MemoryRecord[], queries: number[][]): Promise<{ insertS: number, searchMs: number[] }> {
  const db = await lancedb.connect(dir)
  const rows = all.map(r => ({ id: r.id, community: r.community, kind: r.kind, agent: r.agent, origin: r.origin, seq: r.seq, text: r.text, metadata: JSON.stringify(r.metadata), created_at: r.createdAt, vector: r.vector }))
  const t0 = performance.now()
  const table = await db.createTable('raw', rows.slice(0, 1000))
  for (let i = 1000; i < rows.length; i += 1000) await table.add(rows.slice(i, i + 1000))
  const insertS = (performance.now() - t0) / 1000
  const searchMs: number[] = []
  for (const q of queries) {
    const t = performance.now()
    await table.query().nearestTo(q).distanceType('cosine').where("community IN ('bench')").select(['id', 'community', 'kind', 'agent', 'origin', 'seq', 'text', 'metadata', 'created_at', '_distance']).limit(10).toArray()
    searchMs.push(performance.now() - t)
  }
  table.close()
  return { insertS, searchMs }
}

async function scale (embedder: LocalEmbedder, data: Entry[], n: number, root: string): Promise<Figure[]> {
  const store = await openStore(join(root, `scale-${n}`), embedder, Math.min(n, 10_000))
  const figures: Figure[] = []
  try {
    const items = synthetic(data, n)
    const all: MemoryRecord[] = []
    for (let i = 0; i < items.length; i += 1000) all.push(...await records(embedder, 'bench', items.slice(i, i + 1000), i + 1))
    const t0 = performance.now()
    for (let i = 0; i < all.length; i += 1000) await store.upsert(all.slice(i, i + 1000))
    const insertS = (performance.now() - t0) / 1000
    const queryVectors = await embedder.embed(data.slice(0, 100).map(d => d.question))
    const raw = await rawBaseline(join(root, `raw-${n}`), all, queryVectors)
    figures.push({ bench: 'memory', name: `insert throughput, ${n} records`, value: Math.round(n / insertS), unit: 'rec/s', note: 'batches of 1000, vectors precomputed' })
    figures.push({ bench: 'memory', name: `insert throughput, raw LanceDB, ${n} records`, value: Math.round(n / raw.insertS), unit: 'rec/s', note: 'baseline: table.add' })
    figures.push({ bench: 'memory', name: `store insert overhead vs raw LanceDB, ${n}`, value: Math.round(insertS / raw.insertS * 100) / 100, unit: 'x', note: 'upsert by id vs plain append' })
    // exact search on both sides, before the index exists: the same work, so the ratio is the store's overhead
    const exactStore: number[] = []
    for (const vector of queryVectors) {
      const t = performance.now()
      await store.search({ mode: 'vector', vector, k: 10, filter: { communities: ['bench'] }, exact: true })
      exactStore.push(performance.now() - t)
    }
    figures.push({ bench: 'memory', name: `search overhead vs raw LanceDB (exact, p50), ${n}`, value: Math.round(percentile(exactStore, 50) / percentile(raw.searchMs, 50) * 100) / 100, unit: 'x', note: `${Math.round(percentile(exactStore, 50) * 10) / 10} ms vs ${Math.round(percentile(raw.searchMs, 50) * 10) / 10} ms` })
    const t1 = performance.now()
    await store.optimize()
    const indexS = (performance.now() - t1) / 1000
    figures.push({ bench: 'memory', name: `vector index build, ${n} records`, value: Math.round(indexS * 10) / 10, unit: 's', note: 'HNSW-SQ, cosine' })
    const queries = data.slice(0, 100).map(d => d.question)
    const latency: Record<string, number[]> = { vector: [], hybrid: [], exact: [] }
    let agree = 0
    let byId = 0
    let similarity = 0
    for (const [qi, q] of queries.entries()) {
      const vector = queryVectors[qi] ?? []
      const filter = { communities: ['bench'] }
      let t = performance.now()
      const approx = await store.search({ mode: 'vector', vector, k: 10, filter })
      latency.vector?.push(performance.now() - t)
      t = performance.now()
      await store.search({ mode: 'hybrid', vector, text: q, k: 10, filter })
      latency.hybrid?.push(performance.now() - t)
      t = performance.now()
      const exact = await store.search({ mode: 'vector', vector, k: 10, filter, exact: true })
      latency.exact?.push(performance.now() - t)
      const truth = new Set(exact.map(h => h.record.id))
      // a hit counts when it is one of the exact ten, or as close as the tenth (synthetic
      // records tie: many share the tenth distance, and any of them is a right answer)
      const tenth = Math.min(...exact.map(h => h.score))
      agree += approx.filter(h => truth.has(h.record.id) || h.score >= tenth - 1e-6).length / Math.max(1, truth.size)
      byId += approx.filter(h => truth.has(h.record.id)).length / Math.max(1, truth.size)
      similarity += approx.reduce((a, h) => a + h.score, 0) / Math.max(1e-9, exact.reduce((a, h) => a + h.score, 0))
    }
    for (const [mode, values] of Object.entries(latency)) {
      figures.push({ bench: 'memory', name: `search ${mode} p50, ${n} records`, value: Math.round(percentile(values, 50) * 10) / 10, unit: 'ms', note: mode === 'exact' ? 'brute force (baseline)' : 'k=10' })
      figures.push({ bench: 'memory', name: `search ${mode} p99, ${n} records`, value: Math.round(percentile(values, 99) * 10) / 10, unit: 'ms' })
    }
    figures.push({ bench: 'memory', name: `index recall@10 vs exact, ${n} records`, value: r3(agree / queries.length), unit: 'ratio', note: 'goal >= 0.95; ties with the tenth count' })
    figures.push({ bench: 'memory', name: `index recall@10 by id only, ${n} records`, value: r3(byId / queries.length), unit: 'ratio', note: 'the same ten ids as exact search' })
    figures.push({ bench: 'memory', name: `index top-10 similarity / exact, ${n} records`, value: Math.round(similarity / queries.length * 1000) / 1000, unit: 'ratio', note: 'sum of cosine similarities' })
    const countMs: number[] = []
    for (let i = 0; i < queryVectors.length; i++) {
      const t = performance.now()
      await store.count({ communities: ['none'] })
      countMs.push(performance.now() - t)
    }
    await store.close()
    figures.push(...await processOverhead(join(root, `scale-${n}`), embedder, n, queryVectors, { search: latency.vector ?? [], count: countMs }))
  } finally {
    await store.close()
  }
  return figures
}

/** The same searches through the store process (the default): the cost of the IPC hop. */
async function processOverhead (dir: string, embedder: Embedder, n: number, queryVectors: number[][], inProcess: { search: number[], count: number[] }): Promise<Figure[]> {
  const store = await ProcessStore.open({ dir, embedder, writeWindowMs: 0, vectorIndexThreshold: Math.min(n, 10_000), optimizeEveryRows: Number.MAX_SAFE_INTEGER })
  try {
    const searchMs: number[] = []
    const countMs: number[] = []
    for (const vector of queryVectors) {
      let t = performance.now()
      await store.search({ mode: 'vector', vector, k: 10, filter: { communities: ['bench'] } })
      searchMs.push(performance.now() - t)
      t = performance.now()
      await store.count({ communities: ['none'] })
      countMs.push(performance.now() - t)
    }
    const search = percentile(searchMs, 50)
    const count = percentile(countMs, 50)
    const ms = (v: number): number => Math.round(v * 100) / 100
    return [
      { bench: 'memory', name: `store process: search vector p50, ${n} records`, value: Math.round(search / percentile(inProcess.search, 50) * 100) / 100, unit: 'x', note: `${ms(search)} ms vs ${ms(percentile(inProcess.search, 50))} ms with the store in the node's process` },
      { bench: 'memory', name: `store process: smallest call p50, ${n} records`, value: Math.round(count / percentile(inProcess.count, 50) * 100) / 100, unit: 'x', note: `count of an empty community, ${ms(count)} ms vs ${ms(percentile(inProcess.count, 50))} ms in process: the IPC round trip` }
    ]
  } finally {
    await store.close()
  }
}

export async function benchMemory (quick: boolean): Promise<Figure[]> {
  const data = loadDataset()
  const root = await mkdtemp(join(tmpdir(), 'oa-bench-mem-'))
  const figures: Figure[] = []
  try {
    const t0 = performance.now()
    const local = new LocalEmbedder()
    await local.embed(['warm up'])
    figures.push({ bench: 'memory', name: 'local embedder load time', value: Math.round((performance.now() - t0) * 10) / 10, unit: 'ms' })
    const texts = data.map(d => d.text)
    const t1 = performance.now()
    let n = 0
    while (performance.now() - t1 < 2000 && n < 200_000) { await local.embed(texts); n += texts.length }
    figures.push({ bench: 'memory', name: 'local embedder throughput', value: Math.round(n / ((performance.now() - t1) / 1000)), unit: 'texts/s', note: 'one core, goal >= 2000' })
    figures.push(...keywordBaseline(data))
    figures.push(...await retrieval(local, data, root))
    figures.push(...await relevanceFloor(local, data))
    if (process.env.OPENAI_BASE_URL != null || process.env.OPENAI_API_KEY != null) {
      const remote = new OpenAIEmbedder({ baseUrl: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY, model: process.env.OPENAI_EMBEDDING_MODEL ?? 'text-embedding-3-small', timeoutMs: 60_000, maxRetries: 2 })
      await remote.probe()
      figures.push(...await retrieval(remote, data, root))
      figures.push(...await relevanceFloor(remote, data))
    }
    for (const size of quick ? [10_000] : [10_000, 100_000]) figures.push(...await scale(local, data, size, root))
  } finally {
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
  return figures
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const quick = process.argv.includes('--quick')
  process.stdout.write(`bench:memory on ${machine()}${quick ? ' (quick)' : ''}\n\n`)
  printTable(await benchMemory(quick))
}
