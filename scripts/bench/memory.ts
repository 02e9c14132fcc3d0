/**
 * Memory benchmark, on the project's own dataset (config/demo/knowledge/*.jsonl: 200+
 * developer-support entries, each with a paraphrased question) and the held-out sets of
 * scripts/bench/data:
 * - retrieval: recall@1, recall@5 and MRR of the demo's questions and of held-out ones,
 *   per embedder (lexical, lexical without its concept groups, the neural
 *   model when installed) and mode, beside BM25 alone and a keyword-overlap baseline;
 * - the embedders' speed and load time;
 * - routing and reuse by meaning (meaning.ts);
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
import { LexicalEmbedder } from '../../src/memory/embedders/lexical.js'
import { NeuralEmbedder } from '../../src/memory/embedders/neural.js'
import { DEFAULT_MODEL, modelDir, readInstalledModel } from '../../src/models/manifest.js'
import { benchReuse, benchRouting } from './meaning.js'
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

interface Query { question: string, answers: string[] }

/** Held-out questions (scripts/bench/data/retrieval-heldout.jsonl), written apart from the knowledge: no embedder was tuned on them (the relevance floors were chosen with them among the in-domain questions). */
export function loadHeldOut (): Query[] {
  return readFileSync(join(PACKAGE_ROOT, 'scripts', 'bench', 'data', 'retrieval-heldout.jsonl'), 'utf8').split('\n').filter(l => l.trim() !== '')
    .map(l => JSON.parse(l) as Query)
}

/** recall@1, recall@5 and MRR (over the first 10) of each question finding an entry that answers it, per mode; text mode is BM25 alone. */
async function retrieval (embedder: Embedder, data: Entry[], sets: Array<[string, Query[]]>, root: string, modes: SearchMode[]): Promise<Figure[]> {
  const store = await openStore(join(root, `retrieval-${embedder.name.replace(/\W/g, '_')}`), embedder)
  const figures: Figure[] = []
  try {
    await store.upsert(await records(embedder, 'bench', data, 1))
    for (const [set, queries] of sets) {
      const vectors = await embedder.embed(queries.map(q => q.question))
      for (const mode of modes) {
        let at1 = 0
        let at5 = 0
        let rr = 0
        for (const [i, query] of queries.entries()) {
          const ids = (await store.search({ mode, text: query.question, vector: vectors[i], k: 10, filter: { communities: ['bench'] } })).map(h => h.record.id)
          const rank = ids.findIndex(id => query.answers.includes(id))
          if (rank === 0) at1++
          if (rank >= 0 && rank < 5) at5++
          if (rank >= 0) rr += 1 / (rank + 1)
        }
        const who = mode === 'text' ? 'BM25 (text mode)' : `${embedder.name} ${mode}`
        figures.push({ bench: 'memory', name: `${set}: recall@1 ${who}`, value: r3(at1 / queries.length), unit: 'ratio', note: `recall@5 ${r3(at5 / queries.length)}, MRR ${r3(rr / queries.length)}, ${queries.length} questions` })
      }
    }
  } finally {
    await store.close()
  }
  return figures
}

/** Load time, and texts per second (one core) over each set of texts, of an embedder. */
async function speed (name: string, load: () => Promise<Embedder>, sets: Array<[string, string[]]>, goal: string): Promise<{ embedder: Embedder, figures: Figure[] }> {
  const t0 = performance.now()
  const embedder = await load()
  await embedder.embed(['warm up'])
  const loadMs = Math.round((performance.now() - t0) * 10) / 10
  const figures: Figure[] = [{ bench: 'memory', name: `${name} load time`, value: loadMs, unit: 'ms' }]
  for (const [what, texts] of sets) {
    const t1 = performance.now()
    let n = 0
    while (performance.now() - t1 < 3000 && n < 200_000) { await embedder.embed(texts); n += texts.length }
    figures.push({ bench: 'memory', name: `${name} throughput, ${what}`, value: Math.round(n / ((performance.now() - t1) / 1000)), unit: 'texts/s', note: `one core, ${goal}` })
  }
  return { embedder, figures }
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
  const sets: Array<[string, Query[]]> = [
    ['demo questions', data.map(d => ({ question: d.question, answers: [d.id] }))],
    ['held-out questions', loadHeldOut()]
  ]
  const root = await mkdtemp(join(tmpdir(), 'oa-bench-mem-'))
  const figures: Figure[] = []
  try {
    const texts: Array<[string, string[]]> = [['short texts (the demo questions)', data.map(d => d.question)], ['knowledge texts', data.map(d => d.text)]]
    const lexical = await speed('lexical embedder', async () => new LexicalEmbedder(), texts, 'goal >= 2000')
    figures.push(...lexical.figures)
    const embedders: Embedder[] = [lexical.embedder, new LexicalEmbedder({ concepts: false })]
    const model = await readInstalledModel(modelDir(process.env.OA_MODEL_DIR), DEFAULT_MODEL)
    if (model != null) {
      const neural = await speed(`neural embedder (${model.manifest.name})`, async () => NeuralEmbedder.load(model), texts, 'goal >= 200 short texts/s, load < 1 s')
      figures.push(...neural.figures)
      embedders.push(neural.embedder)
    } else {
      process.stderr.write(`bench:memory: no ${DEFAULT_MODEL} in ${modelDir(process.env.OA_MODEL_DIR)} (npm run models:test): the neural embedder is left out\n`)
    }
    figures.push(...keywordBaseline(data))
    for (const [i, embedder] of embedders.entries()) {
      figures.push(...await retrieval(embedder, data, sets, root, i === 0 ? ['text', 'vector', 'hybrid'] : ['vector', 'hybrid']))
      figures.push(...await relevanceFloor(embedder, data, loadHeldOut().map(q => q.question)))
    }
    const meaningful = embedders.filter(e => e.name !== 'lexical-v2-words')
    figures.push(...await benchRouting(meaningful))
    figures.push(...await benchReuse(meaningful))
    if (process.env.OPENAI_BASE_URL != null || process.env.OPENAI_API_KEY != null) {
      const remote = new OpenAIEmbedder({ baseUrl: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY, model: process.env.OPENAI_EMBEDDING_MODEL ?? 'text-embedding-3-small', timeoutMs: 60_000, maxRetries: 2 })
      await remote.probe()
      figures.push(...await retrieval(remote, data, sets, root, ['vector', 'hybrid']))
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
