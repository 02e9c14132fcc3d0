import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { SocialFold } from '../../src/mods/social/fold.js'
import { computeTrust } from '../../src/mods/social/trust.js'
import { endorsement, event, peerIds } from '../helpers/social-events.js'
import type { EventJson } from '../../src/events/json.js'

const CAPABILITIES = ['milvus', 'python']

/** What a replica shows: its graph, and trust for each capability and over all of them. */
function view (fold: SocialFold): unknown {
  const inputs = { endorsements: fold.activeEndorsements(), votes: fold.resolvedVotes() }
  return { graph: fold.graph(), trust: [undefined, ...CAPABILITIES].map(c => computeTrust(inputs, c)) }
}

describe('the social fold', () => {
  let agents: string[]
  beforeAll(async () => {
    const peers = await peerIds(3)
    agents = peers.flatMap(p => [`a@${p}`, `b@${p}`])
  })

  it('reads forum comments and votes by their type strings: an up vote is an edge to the comment\'s author', () => {
    const [alice, bob, carol] = agents as [string, string, string]
    const fold = new SocialFold('devsupport')
    const comment = event({ type: 'forum.comment.post', channel: 'forum', source: bob, payload: { topic: 't1', body: 'set ef to 128' } })
    // the vote arrives before the comment it names
    expect(fold.add(event({ type: 'forum.vote.cast', channel: 'forum', source: alice, payload: { target: comment.id, vote: 'up' } }))).toBe(true)
    expect(fold.graph().edges).toEqual([])
    fold.add(comment)
    fold.add(event({ type: 'forum.vote.cast', channel: 'forum', source: carol, payload: { target: comment.id, vote: 'down' } }))
    const edges = fold.graph().edges
    expect(edges).toHaveLength(2)
    expect(edges).toEqual(expect.arrayContaining([
      { from: alice, to: bob, kind: 'voted_up', count: 1 },
      { from: carol, to: bob, kind: 'voted_down', count: 1 }
    ]))
    // a malformed forum payload is passed over and counted once, however often it comes
    const bad = event({ type: 'forum.vote.cast', channel: 'forum', source: alice, payload: { target: 'short', vote: 'up' } })
    expect(fold.add(bad)).toBe(false)
    expect(fold.add(bad)).toBe(false)
    expect(fold.ignored()).toEqual({ payload: 1, self_endorsement: 0 })
  })

  it('turns direct exchanges, replies and coordinator dispatches into edges', () => {
    const [user, coordinator, expert, other] = agents as [string, string, string, string]
    const fold = new SocialFold('devsupport')
    const question = event({ type: 'channel.message.post', channel: 'general', source: user, payload: { text: 'how do I tune HNSW?', mentions: [] } })
    const request = event({ type: 'direct.request.send', source: coordinator, target: expert, payload: { text: question.payload } })
    fold.add(request)
    fold.add(event({ type: 'direct.response.send', source: expert, target: coordinator, replyTo: request.id, payload: { text: 'raise ef' } }))
    fold.add(event({
      type: 'channel.message.reply',
      channel: 'general',
      source: coordinator,
      replyTo: question.id,
      payload: { text: 'Asked expert', mentions: [], metadata: { agentKind: 'coordinator', routing: [{ expert: 'b', id: expert, score: 3 }, { expert: 'x', id: other, score: 3 }], answered: [{ expert: 'b' }], missing: [] } }
    }))
    fold.add(question)
    const edges = fold.graph().edges.map(e => `${agents.indexOf(e.from)}>${agents.indexOf(e.to)} ${e.kind}`)
    expect(edges.sort()).toEqual(['1>0 replied', '1>2 asked', '1>2 routed', '1>3 routed', '2>1 answered', '2>1 routed_answered'].sort())
  })

  it('tells cached rankings when trust inputs change: endorsements, votes, the author of a voted item, but not other posts', () => {
    const [alice, bob] = agents as [string, string]
    const fold = new SocialFold('devsupport')
    const comment = event({ type: 'forum.comment.post', channel: 'forum', source: bob, payload: { topic: 't1', body: 'b' } })
    let at = fold.trustVersion
    const changed = (): boolean => { const was = at; at = fold.trustVersion; return at !== was }
    fold.add(event({ type: 'channel.message.post', channel: 'general', source: alice, payload: { text: 'hi', mentions: [] } }))
    expect(changed()).toBe(false)
    fold.add(event({ type: 'forum.vote.cast', channel: 'forum', source: alice, payload: { target: comment.id, vote: 'up' } }))
    expect(changed()).toBe(true)
    fold.add(comment)
    expect(changed()).toBe(true)
    fold.add(endorsement(alice, bob, 'milvus'))
    expect(changed()).toBe(true)
    fold.add(endorsement(alice, bob, 'milvus', false, 1))
    // an older endorsement than the one held changes nothing
    expect(changed()).toBe(false)
  })

  it('refuses an agent endorsing itself, and counts it', () => {
    const [alice] = agents as [string]
    const fold = new SocialFold('devsupport')
    expect(fold.add(endorsement(alice, alice, 'milvus'))).toBe(false)
    expect(fold.activeEndorsements()).toEqual([])
    expect(fold.ignored().self_endorsement).toBe(1)
  })

  it('any interleaving of an event set, with duplicates, gives three replicas the same graph and the same trust', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('endorse' as const), from: fc.nat(5), to: fc.nat(5), cap: fc.nat(1), remove: fc.boolean(), ts: fc.nat(3) }),
      fc.record({ k: fc.constant('comment' as const), by: fc.nat(5) }),
      fc.record({ k: fc.constant('vote' as const), by: fc.nat(5), target: fc.nat(9), vote: fc.constantFrom('up', 'down', 'none'), ts: fc.nat(3) }),
      fc.record({ k: fc.constant('reply' as const), by: fc.nat(5), parent: fc.nat(9) }),
      fc.record({ k: fc.constant('ask' as const), from: fc.nat(5), to: fc.nat(5), answered: fc.boolean() })
    )
    const order = (n: number): fc.Arbitrary<number[]> => fc.tuple(
      fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      fc.array(fc.tuple(fc.nat(n * 2), fc.nat(Math.max(0, n - 1))), { maxLength: 10 })
    ).map(([perm, dups]) => {
      const out = [...perm]
      for (const [at, which] of dups) out.splice(at % (out.length + 1), 0, which)
      return out
    })
    type Op = typeof op extends fc.Arbitrary<infer T> ? T : never
    const build = (ops: Op[]): EventJson[] => {
      const events: EventJson[] = []
      const items: string[] = []
      ops.forEach((o, i) => {
        const id = String(i).padStart(26, '0')
        const base = 1_764_000_000_000
        switch (o.k) {
          case 'endorse':
            events.push({ ...endorsement(agents[o.from]!, agents[o.to]!, CAPABILITIES[o.cap]!, o.remove, base + o.ts), id })
            break
          case 'comment':
            events.push(event({ id, type: 'forum.comment.post', channel: 'forum', source: agents[o.by]!, payload: { topic: 't', body: 'b' } }))
            items.push(id)
            break
          case 'vote':
            events.push(event({ id, type: 'forum.vote.cast', channel: 'forum', source: agents[o.by]!, timestamp: base + o.ts, payload: { target: items[o.target % Math.max(1, items.length)] ?? String(o.target).padStart(26, '9'), vote: o.vote } }))
            break
          case 'reply':
            events.push(event({ id, type: 'channel.message.reply', channel: 'general', source: agents[o.by]!, replyTo: items[o.parent % Math.max(1, items.length)] ?? 'missing', payload: { text: 'r', mentions: [] } }))
            items.push(id)
            break
          case 'ask':
            events.push(event({ id, type: 'direct.request.send', source: agents[o.from]!, target: agents[o.to]!, payload: {} }))
            if (o.answered) events.push(event({ id: `${id}r`, type: 'direct.response.send', source: agents[o.to]!, target: agents[o.from]!, replyTo: id, payload: {} }))
            break
        }
      })
      return events
    }
    const scenario = fc.array(op, { minLength: 1, maxLength: 40 }).map(build)
      .chain(events => fc.tuple(fc.constant(events), order(events.length), order(events.length), order(events.length)))
    fc.assert(fc.property(scenario, ([events, ...orders]) => {
      const once = new SocialFold('devsupport')
      for (const e of events) once.add(e)
      const expected = view(once)
      for (const picks of orders) {
        const replica = new SocialFold('devsupport')
        for (const i of picks) replica.add(events[i]!)
        expect(view(replica)).toEqual(expected)
      }
    }), { numRuns: 200 })
  })
})
