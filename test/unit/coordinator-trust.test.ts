import { describe, expect, it } from 'vitest'
import { rankExperts, TRUST_WEIGHT } from '../../src/agents/builtin/coordinator.js'
import type { DiscoveredAgent } from '../../src/discovery/card.js'

const card = (name: string, capabilities: string[]): DiscoveredAgent => ({
  name, id: `${name}@12D3KooWPeer`, description: 'Answers questions', community: 'devsupport', capabilities, channels: ['general'],
  peerId: '12D3KooWPeer', multiaddrs: [], protocolVersion: '1', kind: 'expert', examples: [], online: true, seenAt: 0
})

describe('rankExperts with trust', () => {
  const experts = [card('aaa', ['milvus']), card('zzz', ['milvus']), card('both', ['milvus', 'hnsw'])]

  it('without trust, equal matches go by id', () => {
    expect(rankExperts('tune milvus', experts).map(r => r.expert)).toEqual(['aaa', 'both', 'zzz'])
  })

  it('among experts that match equally, the more trusted for the matched capability comes first', () => {
    const trust = (id: string, capability: string): number => id.startsWith('zzz') && capability === 'milvus' ? 1 : id.startsWith('both') ? 0.5 : 0
    const ranked = rankExperts('tune milvus', experts, trust)
    expect(ranked.map(r => r.expert)).toEqual(['zzz', 'both', 'aaa'])
    expect(ranked[0]).toMatchObject({ match: 3, trust: 1, score: 3 + TRUST_WEIGHT })
  })

  it('trust never outweighs a capability more matched, and counts only for matched capabilities', () => {
    const trust = (id: string, capability: string): number => id.startsWith('aaa') || capability === 'hnsw' ? 1 : 0
    const ranked = rankExperts('tune milvus hnsw', experts, trust)
    expect(ranked.map(r => r.expert)).toEqual(['both', 'aaa', 'zzz'])
    expect(ranked[0]).toMatchObject({ match: 6, trust: 1 })
    // zzz matched milvus only, for which it has no trust
    expect(ranked[2]).toMatchObject({ match: 3, trust: 0, score: 3 })
  })
})
