import { byCodeUnits } from '../runtime/code-unit-order.js'
import type { SearchHit } from './types.js'

/** The constant of reciprocal rank fusion: a hit at rank r (0-based) of a list adds 1 / (RRF_K + r + 1). */
export const RRF_K = 60

/**
 * Reciprocal rank fusion of ranked lists of keys: each key scores the sum of
 * 1 / (k + rank + 1) over the lists it appears in, best first (equal scores in the order
 * first seen). The part of `reciprocalRankFusion` that needs only the keys, so that a
 * store can fuse row numbers and read only the rows it keeps.
 *
 * @example
 * ```ts
 * fusedRanks([[7, 3, 9], [3, 8]])   // [{ key: 3, score: 1/62 + 1/61 }, { key: 7, score: 1/61 }, ...]
 * ```
 */
export function fusedRanks<K> (lists: ReadonlyArray<readonly K[]>, k = RRF_K): Array<{ key: K, score: number }> {
  const scores = new Map<K, number>()
  for (const list of lists) {
    list.forEach((key, rank) => { scores.set(key, (scores.get(key) ?? 0) + 1 / (k + rank + 1)) })
  }
  return [...scores].map(([key, score]) => ({ key, score })).sort((a, b) => b.score - a.score)
}

/**
 * Reciprocal rank fusion of several ranked lists: each record scores the sum of
 * 1 / (k + rank) over the lists it appears in. Robust to the lists' different score
 * scales (cosine similarity, BM25). Each fused hit keeps the `similarity` and `bm25`
 * that the lists it came from gave it; equal scores go by record id.
 *
 * @example
 * ```ts
 * const hybrid = reciprocalRankFusion([vectorHits, textHits], 10)
 * ```
 */
export function reciprocalRankFusion (lists: SearchHit[][], limit: number, k = RRF_K): SearchHit[] {
  const fused = new Map<string, SearchHit>()
  // two origins may hold records with the same id: they stay apart
  const keyOf = (hit: SearchHit): string => `${hit.record.community}|${hit.record.origin}|${hit.record.id}`
  for (const list of lists) {
    for (const hit of list) {
      const current = fused.get(keyOf(hit)) ?? { record: hit.record, score: 0, scoreKind: 'fused' }
      if (hit.similarity != null) current.similarity = hit.similarity
      if (hit.bm25 != null) current.bm25 = hit.bm25
      fused.set(keyOf(hit), current)
    }
  }
  return fusedRanks(lists.map(list => list.map(keyOf)), k)
    .map(({ key, score }): SearchHit => ({ ...fused.get(key) as SearchHit, score }))
    .sort((a, b) => b.score - a.score || byCodeUnits(a.record.id, b.record.id))
    .slice(0, limit)
}
