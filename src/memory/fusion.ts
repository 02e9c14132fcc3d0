import type { SearchHit } from './types.js'

/**
 * Reciprocal rank fusion of several ranked lists: each record scores the sum of
 * 1 / (k + rank) over the lists it appears in. Robust to the lists' different score
 * scales (cosine similarity, BM25). Each fused hit keeps the `similarity` and `bm25`
 * that the lists it came from gave it.
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
      // two origins may hold records with the same id: they stay apart
      const key = `${hit.record.community}|${hit.record.origin}|${hit.record.id}`
      const current = fused.get(key) ?? { record: hit.record, score: 0, scoreKind: 'fused' }
      current.score += score
      if (hit.similarity != null) current.similarity = hit.similarity
      if (hit.bm25 != null) current.bm25 = hit.bm25
      fused.set(key, current)
    })
  }
  return [...fused.values()].sort((a, b) => b.score - a.score || a.record.id.localeCompare(b.record.id)).slice(0, limit)
}
