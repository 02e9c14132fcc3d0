import type { ScoreKind, SearchHit } from './types.js'

/**
 * A search hit as the HTTP search (`GET /v1/communities/:c/memory/search`, `hits[]`) and
 * the Agent API (`this.recall()`) return it: the record's fields (no vector, no
 * signature) with its score and what the score is.
 *
 * @example
 * ```ts
 * const [hit] = await this.recall('How should I choose HNSW M?')
 * // { id: 'vdb-002', community: 'devsupport', kind: 'expert_knowledge', text: "HNSW's M is ...",
 * //   score: 0.0328, scoreKind: 'fused', similarity: 0.366, bm25: 3.68, metadata: {}, agent: 'user@12D3KooW...',
 * //   origin: '12D3KooW...', seq: 2, createdAt: 1733040000000 }
 * ```
 */
export interface MemoryHit {
  id: string
  community: string
  kind: string
  text: string
  /** Higher is better; `scoreKind` says what it is. */
  score: number
  scoreKind: ScoreKind
  /** Cosine similarity of the query and the record, when known: the number to compare with a relevance floor. */
  similarity?: number
  /** BM25 relevance, when known. */
  bm25?: number
  metadata: Record<string, unknown>
  agent: string
  origin: string
  seq: number
  createdAt: number
}

/**
 * Below this cosine similarity a recalled record is not used as a source by the built-in
 * agents (`minSimilarity` option). Measured with the local embedder on the demo
 * knowledge (config/demo/knowledge, 206 entries): 200 of its 206 paraphrased questions
 * keep a source at or above it, and 22 of 27 off-topic questions ("what is the capital
 * of France", "best pizza dough hydration") find none.
 */
export const DEFAULT_MIN_SIMILARITY = 0.2

/** The relevance floor for the neural model (measured as above, bench:memory). */
export const NEURAL_MIN_SIMILARITY = 0.3

/**
 * The relevance floor an agent uses by default under an embedder: cosines of a neural
 * model and of word hashing are not on one scale.
 *
 * @example
 * ```ts
 * defaultMinSimilarity('lexical-v2')                    // 0.2
 * defaultMinSimilarity('all-minilm-l6-v2@8199be6f699a') // 0.3
 * ```
 */
export function defaultMinSimilarity (embedder: string | undefined): number {
  return embedderKind(embedder) === 'lexical' ? DEFAULT_MIN_SIMILARITY : NEURAL_MIN_SIMILARITY
}

/**
 * The scale an embedder's cosines are on: `lexical` (word hashing: `lexical-*`, release
 * 0.1's `local-hash-*`, or no embedder known) or `neural` (a sentence-embedding model,
 * in process or behind an OpenAI-compatible endpoint). Floors and thresholds are chosen
 * per kind.
 *
 * @example
 * ```ts
 * embedderKind('lexical-v2')                      // 'lexical'
 * embedderKind('all-minilm-l6-v2@8199be6f699a')   // 'neural'
 * ```
 */
export function embedderKind (embedder: string | undefined): 'lexical' | 'neural' {
  return embedder == null || embedder.startsWith('lexical') || embedder.startsWith('local-hash') ? 'lexical' : 'neural'
}

/**
 * A store's search hit in the shape of the HTTP search and the Agent API.
 *
 * @example
 * ```ts
 * const hits = (await node.libp2p.services.memory.recall('devsupport', 'HNSW M')).map(toMemoryHit)
 * ```
 */
export function toMemoryHit (hit: SearchHit): MemoryHit {
  const r = hit.record
  return {
    id: r.id,
    community: r.community,
    kind: r.kind,
    text: r.text,
    score: hit.score,
    scoreKind: hit.scoreKind,
    ...(hit.similarity == null ? {} : { similarity: hit.similarity }),
    ...(hit.bm25 == null ? {} : { bm25: hit.bm25 }),
    metadata: r.metadata,
    agent: r.agent,
    origin: r.origin,
    seq: r.seq,
    createdAt: r.createdAt
  }
}

/**
 * A score as shown to a person, labelled by what it is: `similarity 0.69`, `bm25 7.1`,
 * `fused rank 0.0325, similarity 0.69`. Another kind is shown as `<kind> <score>`, a
 * score of no stated kind (from an older node) as `score <score>`.
 *
 * @example
 * ```ts
 * scoreLabel({ score: 0.0325, scoreKind: 'fused', similarity: 0.69 })   // 'fused rank 0.0325, similarity 0.69'
 * ```
 */
export function scoreLabel (hit: { score: number, scoreKind?: string, similarity?: number }): string {
  switch (hit.scoreKind) {
    case 'similarity': return `similarity ${hit.score.toFixed(2)}`
    case 'bm25': return `bm25 ${hit.score.toFixed(1)}`
    case 'fused': return `fused rank ${hit.score.toFixed(4)}${hit.similarity == null ? '' : `, similarity ${hit.similarity.toFixed(2)}`}`
    default: return `${hit.scoreKind ?? 'score'} ${hit.score.toFixed(hit.scoreKind == null ? 4 : 2)}`
  }
}
