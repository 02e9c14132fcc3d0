import { describe, expect, it } from 'vitest'
import { scoreLabel, toMemoryHit } from '../../src/memory/hit.js'
import { importId } from '../../src/memory/import-id.js'
import { reciprocalRankFusion } from '../../src/memory/fusion.js'
import type { SearchHit } from '../../src/memory/types.js'

const record = (id: string, origin = 'peer-a'): SearchHit['record'] => ({
  id, community: 'devsupport', kind: 'expert_knowledge', agent: `user@${origin}`, origin, seq: 1, text: `text of ${id}`, metadata: { topic: 't' }, createdAt: 1, signature: new Uint8Array([1])
})

describe('score labels', () => {
  it('say what each score is', () => {
    expect(scoreLabel({ score: 0.6912, scoreKind: 'similarity' })).toBe('similarity 0.69')
    expect(scoreLabel({ score: 7.0812, scoreKind: 'bm25' })).toBe('bm25 7.1')
    expect(scoreLabel({ score: 0.03251, scoreKind: 'fused', similarity: 0.6912 })).toBe('fused rank 0.0325, similarity 0.69')
    expect(scoreLabel({ score: 0.03251, scoreKind: 'fused' })).toBe('fused rank 0.0325')
    expect(scoreLabel({ score: 0.5, scoreKind: 'term_overlap' })).toBe('term_overlap 0.50')
    expect(scoreLabel({ score: 0.03251 })).toBe('score 0.0325')
  })
})

describe('hits in the shape of the HTTP search', () => {
  it('carry the record without signature, the score, its kind and the similarity when known', () => {
    const hit = toMemoryHit({ record: record('r1'), score: 0.03, scoreKind: 'fused', similarity: 0.4 })
    expect(hit).toEqual({ id: 'r1', community: 'devsupport', kind: 'expert_knowledge', text: 'text of r1', score: 0.03, scoreKind: 'fused', similarity: 0.4, metadata: { topic: 't' }, agent: 'user@peer-a', origin: 'peer-a', seq: 1, createdAt: 1 })
    expect(Object.keys(toMemoryHit({ record: record('r2'), score: 7, scoreKind: 'bm25', bm25: 7 }))).not.toContain('similarity')
  })

  it('keep through fusion the similarity and BM25 of each list, and records of two origins with one id apart', () => {
    const vector: SearchHit[] = [{ record: record('a'), score: 0.9, scoreKind: 'similarity', similarity: 0.9 }, { record: record('b'), score: 0.5, scoreKind: 'similarity', similarity: 0.5 }]
    const text: SearchHit[] = [{ record: record('b'), score: 6, scoreKind: 'bm25', bm25: 6 }, { record: record('a', 'peer-b'), score: 2, scoreKind: 'bm25', bm25: 2 }]
    const fused = reciprocalRankFusion([vector, text], 10)
    expect(fused.map(h => [h.record.id, h.record.origin, h.scoreKind, h.similarity, h.bm25])).toEqual([
      ['b', 'peer-a', 'fused', 0.5, 6],
      ['a', 'peer-a', 'fused', 0.9, undefined],
      ['a', 'peer-b', 'fused', undefined, 2]
    ])
    expect(fused[0]?.score).toBeCloseTo(1 / 62 + 1 / 61, 10)
  })
})

describe('import ids', () => {
  const line = { text: 'Set ef >= k', kind: 'expert_knowledge', metadata: { source: 'hnsw.md', topic: 'x' } }

  it('derive from community, kind, text and metadata.source, and nothing else', () => {
    const id = importId('devsupport', line)
    expect(id).toMatch(/^imp-[0-9a-f]{32}$/)
    expect(importId('devsupport', { ...line, metadata: { source: 'hnsw.md', topic: 'y', reviewed: true } })).toBe(id)
    expect(importId('devsupport', { text: line.text, metadata: { source: 'hnsw.md' } })).toBe(id)
    for (const other of [
      importId('other', line),
      importId('devsupport', { ...line, kind: 'problem_solutions' }),
      importId('devsupport', { ...line, text: 'Set ef >= 2k' }),
      importId('devsupport', { ...line, metadata: { source: 'faq.md' } }),
      importId('devsupport', { text: line.text })
    ]) expect(other).not.toBe(id)
  })
})
