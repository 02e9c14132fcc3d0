import type { Embedder } from './embedders/types.js'
import type { SearchHit } from './types.js'

/**
 * Cosine similarity of two vectors (0 when either is all zeros).
 *
 * @example
 * ```ts
 * cosine([1, 0], [1, 1])   // 0.707...
 * ```
 */
export function cosine (x: number[], y: number[]): number {
  let dot = 0
  let nx = 0
  let ny = 0
  for (let i = 0; i < x.length; i++) {
    dot += (x[i] ?? 0) * (y[i] ?? 0)
    nx += (x[i] ?? 0) ** 2
    ny += (y[i] ?? 0) ** 2
  }
  return nx === 0 || ny === 0 ? 0 : dot / Math.sqrt(nx * ny)
}

/**
 * Gives each hit that has none its cosine similarity to the query vector: the store
 * embedded each text with this embedder, so embedding it again gives the same vector.
 *
 * @example
 * ```ts
 * await fillSimilarity(hits, queryVector, embedder)   // every hit now has `similarity`
 * ```
 */
export async function fillSimilarity (hits: SearchHit[], vector: number[], embedder: Embedder): Promise<void> {
  const missing = hits.filter(h => h.similarity == null)
  if (missing.length === 0) return
  const vectors = await embedder.embed(missing.map(h => h.record.text))
  missing.forEach((h, i) => { h.similarity = cosine(vector, vectors[i] ?? []) })
}
