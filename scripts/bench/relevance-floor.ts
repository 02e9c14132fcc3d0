/**
 * How a relevance floor (the agents' `minSimilarity`) splits questions the demo
 * knowledge answers from questions it does not: for each floor, the share of the
 * dataset's paraphrased questions whose best entry is at or above it (they keep a
 * source), and the share of off-topic questions whose best entry is below it (they get
 * "no knowledge"). Cosine similarity, exact, over every entry.
 */
import { DEFAULT_MIN_SIMILARITY } from '../../src/memory/hit.js'
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

export async function relevanceFloor (embedder: Embedder, data: Array<{ text: string, question: string }>): Promise<Figure[]> {
  const entries = await embedder.embed(data.map(d => d.text))
  const inDomain = await best(embedder, entries, data.map(d => d.question))
  const offTopic = await best(embedder, entries, OFF_TOPIC)
  const r3 = (n: number): number => Math.round(n * 1000) / 1000
  return [0.15, DEFAULT_MIN_SIMILARITY, 0.25].flatMap((floor): Figure[] => [
    { bench: 'memory', name: `relevance floor ${floor} ${embedder.name}: in-domain questions with a source`, value: r3(inDomain.filter(s => s >= floor).length / inDomain.length), unit: 'ratio', note: `${inDomain.length} paraphrased questions${floor === DEFAULT_MIN_SIMILARITY ? ', the default floor' : ''}` },
    { bench: 'memory', name: `relevance floor ${floor} ${embedder.name}: off-topic questions with none`, value: r3(offTopic.filter(s => s < floor).length / offTopic.length), unit: 'ratio', note: `${offTopic.length} questions` }
  ])
}
