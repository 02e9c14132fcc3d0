import type { SearchHit } from './types.js'

/**
 * Reciprocal rank fusion of several ranked lists: each record scores the sum of
 * 1 / (k + rank) over the lists it appears in. Robust to the lists' different score
 * scales (cosine similarity, BM25).
 *
 * @example
 * ```ts
 * const hybrid = reciprocalRankFusion([vectorHits, textHits], 10)
 * ```
 */
export function reciprocalRankFusion (lists: SearchHit[][], limit: number, k = 60): SearchHit[] {
  const fused = new Map<string, SearchHit>()
  for (const list of lists) {
    list.forEach((hit, rank) => {
      const score = 1 / (k + rank + 1)
      const current = fused.get(hit.record.id)
      if (current == null) fused.set(hit.record.id, { record: hit.record, score })
      else current.score += score
    })
  }
  return [...fused.values()].sort((a, b) => b.score - a.score || a.record.id.localeCompare(b.record.id)).slice(0, limit)
}
