import { beforeAll, describe, expect, it } from 'vitest'
import { SocialFold } from '../../src/mods/social/fold.js'
import { computeTrust } from '../../src/mods/social/trust.js'
import { endorsement, event, peerIds } from '../helpers/social-events.js'
import type { EventJson } from '../../src/events/json.js'

const trustOf = (events: EventJson[], capability?: string): ReturnType<typeof computeTrust> => {
  const fold = new SocialFold('devsupport')
  for (const e of events) fold.add(e)
  return computeTrust({ endorsements: fold.activeEndorsements(), votes: fold.resolvedVotes() }, capability)
}
const scoreOf = (ranked: ReturnType<typeof computeTrust>, agent: string): number => ranked.find(t => t.agent === agent)?.score ?? 0

describe('trust: EigenTrust over peers', () => {
  let peers: string[]
  beforeAll(async () => { peers = await peerIds(8) })

  it('a sybil ring on one peer cannot outrank an expert endorsed by distinct peers, and adds nothing to its own agent', async () => {
    const [sybil, expertPeer, a, b, c, d] = peers as [string, string, string, string, string, string]
    const ring = Array.from({ length: 8 }, (_, i) => `sybil${i}@${sybil}`)
    const expert = `milvus_expert@${expertPeer}`
    const honest = [
      endorsement(`alice@${a}`, expert, 'milvus'),
      endorsement(`bob@${b}`, expert, 'milvus'),
      endorsement(`carol@${c}`, expert, 'milvus'),
      // one outsider endorses one ring agent, so the ring has something to amplify
      endorsement(`dave@${d}`, ring[0]!, 'milvus')
    ]
    const ringEvents = ring.flatMap(from => ring.filter(to => to !== from).map(to => endorsement(from, to, 'milvus')))
    const withRing = trustOf([...honest, ...ringEvents], 'milvus')
    const without = trustOf(honest, 'milvus')
    expect(withRing[0]?.agent).toBe(expert)
    expect(scoreOf(withRing, expert)).toBeGreaterThan(scoreOf(withRing, ring[0]!))
    // 56 endorsements inside one peer weigh nothing: the ring's agent scores what the outsider gave it
    expect(scoreOf(withRing, ring[0]!)).toBe(scoreOf(without, ring[0]!))
    for (const agent of ring.slice(1)) expect(scoreOf(withRing, agent)).toBe(0)
    expect(withRing.find(t => t.agent === expert)).toMatchObject({ capability: 'milvus', relative: 1, endorsers: 3 })
  })

  it('many agents of one peer endorsing an agent count as one voter', async () => {
    const [crowd, x, y, lone] = peers as [string, string, string, string]
    const crowdPick = `x@${x}`
    const lonePick = `y@${y}`
    const ranked = trustOf([
      ...Array.from({ length: 10 }, (_, i) => endorsement(`fan${i}@${crowd}`, crowdPick, 'k8s')),
      endorsement(`solo@${lone}`, lonePick, 'k8s')
    ], 'k8s')
    expect(scoreOf(ranked, crowdPick)).toBe(scoreOf(ranked, lonePick))
    expect(ranked.find(t => t.agent === crowdPick)?.endorsers).toBe(1)
    // equal trust: the order is by agent id, the same everywhere
    expect(ranked.map(t => t.agent)).toEqual([crowdPick, lonePick].sort())
  })

  it('a node endorsing or voting up its own agents gives them nothing', async () => {
    const [self, other] = peers as [string, string]
    const mine = `mine@${self}`
    const comment = event({ type: 'forum.comment.post', channel: 'forum', source: mine, payload: { topic: 't1', body: 'use HNSW' } })
    const ranked = trustOf([
      endorsement(`boss@${self}`, mine, 'milvus'),
      comment,
      event({ type: 'forum.vote.cast', channel: 'forum', source: `boss@${self}`, payload: { target: comment.id, vote: 'up' } }),
      endorsement(`boss@${self}`, `theirs@${other}`, 'milvus')
    ], 'milvus')
    expect(ranked.map(t => t.agent)).toEqual([`theirs@${other}`])
  })

  it('an answer voted up raises its author\'s trust; the voter\'s later down vote takes it back', async () => {
    const [author, e1, e2, voter] = peers as [string, string, string, string]
    const answerer = `answerer@${author}`
    const rival = `rival@${e2}`
    const comment = event({ type: 'forum.comment.post', channel: 'forum', source: answerer, payload: { topic: 'topic-1', parent: 'x', body: 'raise ef' } })
    const base = [endorsement(`e@${e1}`, answerer, 'milvus'), endorsement(`e@${e1}`, rival, 'milvus'), comment]
    const before = trustOf(base, 'milvus')
    expect(scoreOf(before, answerer)).toBe(scoreOf(before, rival))
    const up = event({ type: 'forum.vote.cast', channel: 'forum', source: `v@${voter}`, payload: { target: comment.id, vote: 'up' }, timestamp: 1_764_100_000_000 })
    const after = trustOf([...base, up], 'milvus')
    expect(scoreOf(after, answerer)).toBeGreaterThan(scoreOf(before, answerer))
    expect(after[0]?.agent).toBe(answerer)
    expect(after[0]?.votes).toBe(1)
    const down = event({ type: 'forum.vote.cast', channel: 'forum', source: `v@${voter}`, payload: { target: comment.id, vote: 'down' }, timestamp: 1_764_100_000_001 })
    // delivered in any order, the later vote wins
    const undone = trustOf([down, ...base, up], 'milvus')
    expect(scoreOf(undone, answerer)).toBe(scoreOf(before, answerer))
  })

  it('a withdrawn endorsement no longer counts, and the latest of an endorser on one agent and capability wins', async () => {
    const [a, b] = peers as [string, string]
    const target = `t@${b}`
    expect(trustOf([endorsement(`a@${a}`, target, 'rag', false, 10), endorsement(`a@${a}`, target, 'rag', true, 11)], 'rag')).toEqual([])
    expect(trustOf([endorsement(`a@${a}`, target, 'rag', true, 10), endorsement(`a@${a}`, target, 'rag', false, 11)], 'rag').map(t => t.agent)).toEqual([target])
    // endorsements for another capability do not count for this one, but count over all
    expect(trustOf([endorsement(`a@${a}`, target, 'rag')], 'milvus')).toEqual([])
    expect(trustOf([endorsement(`a@${a}`, target, 'rag')]).map(t => t.agent)).toEqual([target])
  })

  it('trust flows on: an agent endorsed by a trusted expert outranks one endorsed by an agent nobody trusts', async () => {
    const [p1, p2, p3, p4, p5, p6] = peers as [string, string, string, string, string, string]
    const trusted = `trusted@${p1}`
    const ranked = trustOf([
      endorsement(`a@${p2}`, trusted, 'python'),
      endorsement(`b@${p3}`, trusted, 'python'),
      endorsement(trusted, `pick@${p4}`, 'python'),
      endorsement(`nobody@${p5}`, `other@${p6}`, 'python')
    ], 'python')
    expect(scoreOf(ranked, `pick@${p4}`)).toBeGreaterThan(scoreOf(ranked, `other@${p6}`))
  })
})
