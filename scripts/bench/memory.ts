/**
 * Memory benchmark, on the project's own dataset (config/demo/knowledge/*.jsonl: 200+
 * developer-support entries, each with a paraphrased question):
 * - retrieval: recall@1 and recall@5 of the paraphrased question finding its entry, per
 *   embedder and mode, beside a plain keyword-overlap baseline;
 * - the local embedder's speed and load time;
 * - the relevance floor: what share of in-domain and off-topic questions keep a source.
 * The store's speed at 10k and 100k records, and its index recall, are bench:store.
 *
 *   npm run bench:memory
 */
import { readFileSync, readdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { LocalEmbedder } from '../../src/memory/embedders/lexical.js'
import { OpenAIEmbedder } from '../../src/memory/embedders/openai.js'
import { makeRecord } from '../../src/memory/record.js'
import { SqliteStore } from '../../src/memory/stores/sqlite/store.js'
import { overlap, terms } from '../../src/text/terms.js'
import { PACKAGE_ROOT } from '../../src/version.js'
import { relevanceFloor } from './relevance-floor.js'
import { machine, printTable } from './util.js'
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

async function openStore (dir: string, embedder: Embedder): Promise<SqliteStore> {
  return SqliteStore.open({ dir, embedder, writeWindowMs: 0 })
}

/** recall@1 / recall@5 of each question finding its own entry. */
async function retrieval (embedder: Embedder, data: Entry[], root: string): Promise<Figure[]> {
  const store = await openStore(join(root, `retrieval-${embedder.name.replace(/\W/g, '_')}`), embedder)
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

export async function benchMemory (): Promise<Figure[]> {
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
  } finally {
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
  return figures
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  process.stdout.write(`bench:memory on ${machine()}\n\n`)
  printTable(await benchMemory())
}
