/**
 * How a relevance floor (the agents' `minSimilarity`) splits questions the demo
 * knowledge answers from questions it does not: for each floor, the share of the
 * dataset's paraphrased questions whose best entry is at or above it (they keep a
 * source), and the share of off-topic questions whose best entry is below it (they get
 * "no knowledge"). Cosine similarity, exact, over every entry.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultMinSimilarity } from '../../src/memory/hit.js'
import { PACKAGE_ROOT } from '../../src/version.js'
import { cosine } from '../../src/memory/similarity.js'
import type { Figure } from './util.js'
import type { Embedder } from '../../src/memory/embedders/types.js'

/** Questions about none of the demo's topics (Python, vector databases, DevOps). */
export const OFF_TOPIC = [
  'what is the capital of France', 'best pizza dough hydration', 'who won the world cup in 2018', 'how do I bake sourdough bread',
  'what is the weather like in Paris tomorrow', 'recommend a good novel to read', 'how tall is mount everest', 'what is the best way to learn guitar',
  'how many calories in a banana', 'who painted the Mona Lisa', 'how do I train my dog to sit', 'what time is it in Tokyo',
  'best exercises for lower back pain', 'how do I change a car tire', 'what is the meaning of life', 'tips for growing tomatoes',
  'how long should I boil an egg', 'what is the population of Brazil', 'how do I knit a scarf', 'which wine goes with salmon',
  'how to fold a fitted sheet', 'when did the roman empire fall', 'how do I fix a leaking faucet', 'what should I pack for a beach holiday',
  'is coffee bad for you', 'python snake diet in captivity', 'how do I choose a good mattress'
]

/** The best similarity of each question to any entry. */
async function best (embedder: Embedder, entries: number[][], questions: string[]): Promise<number[]> {
  const vectors = await embedder.embed(questions)
  return vectors.map(q => Math.max(...entries.map(e => cosine(q, e))))
}

/** Off-topic questions of scripts/bench/data/routing.jsonl (no expert covers them). */
function routingOffTopic (): string[] {
  return readFileSync(join(PACKAGE_ROOT, 'scripts', 'bench', 'data', 'routing.jsonl'), 'utf8').split('\n').filter(l => l.trim() !== '')
    .map(l => JSON.parse(l) as { question: string, experts: string[] }).filter(q => q.experts.length === 0).map(q => q.question)
}

/**
 * For floors from 0.15 to 0.4: the share of in-domain questions (the demo's paraphrases
 * and the held-out ones) that keep a source, and of off-topic questions (OFF_TOPIC and
 * routing.jsonl's) that find none.
 */
export async function relevanceFloor (embedder: Embedder, data: Array<{ text: string, question: string }>, heldOut: string[] = []): Promise<Figure[]> {
  const entries = await embedder.embed(data.map(d => d.text))
  const inDomain = await best(embedder, entries, [...data.map(d => d.question), ...heldOut])
  const offTopic = await best(embedder, entries, [...OFF_TOPIC, ...routingOffTopic()])
  const r3 = (n: number): number => Math.round(n * 1000) / 1000
  const chosen = defaultMinSimilarity(embedder.name)
  return [0.15, 0.2, 0.25, 0.3, 0.35, 0.4].flatMap((floor): Figure[] => [
    { bench: 'memory', name: `relevance floor ${floor} ${embedder.name}: in-domain questions with a source`, value: r3(inDomain.filter(s => s >= floor).length / inDomain.length), unit: 'ratio', note: `${inDomain.length} questions${floor === chosen ? ', the default floor' : ''}` },
    { bench: 'memory', name: `relevance floor ${floor} ${embedder.name}: off-topic questions with none`, value: r3(offTopic.filter(s => s < floor).length / offTopic.length), unit: 'ratio', note: `${offTopic.length} questions` }
  ])
}
