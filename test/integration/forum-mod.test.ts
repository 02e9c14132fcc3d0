import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { channelTopic } from '../../src/wire/topics.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { partition } from '../helpers/partition.js'
import { waitFor } from '../helpers/wait.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { ForumService } from '../../src/mods/forum/index.js'
import type { SocialService } from '../../src/mods/social/service.js'

const C = 'devsupport'

const forum = (node: OaNode): ForumService => {
  const service = node.service<ForumService>('forum')
  if (service == null) throw new Error('the forum mod does not run')
  return service
}

/** Everything a reader of a node sees of the community's forum. */
const seen = (node: OaNode): string => JSON.stringify(forum(node).list(C, 'new').map(t => forum(node).show(C, t.id)))

const rule = (node: OaNode): number => node.status().rejected.byReason.rule

describe('the forum mod across three nodes', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const nodes: OaNode[] = []
  // channel history keeps two messages per channel and backfills one: the forum must not depend on it
  const layer = (bootstrap?: OaNode, communities = [C]) => ({
    communities,
    channels: { history: { maxMessagesPerChannel: 2, backfillLimit: 1 } },
    memory: { capture: { '*': [] } },
    ...(bootstrap == null ? {} : { network: { bootstrap: [tcpAddr(bootstrap)] } })
  })
  let topicId = ''
  let answerId = ''

  beforeAll(async () => {
    dir = await tempDir()
    const n1 = await startTestNode(dir.path, 'n1', layer())
    nodes.push(n1, await startTestNode(dir.path, 'n2', layer(n1)), await startTestNode(dir.path, 'n3', layer(n1)))
    const topic = channelTopic(C, 'forum')
    await waitFor('every node subscribed to the forum channel of the others', () =>
      nodes.every(n => n.libp2p.services.pubsub.getSubscribers(topic).length >= 2))
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await dir.cleanup()
  })

  it('a topic, nested comments and votes from three nodes converge to the same thread and scores everywhere; the topic is found by meaning', async () => {
    const [n1, n2, n3] = nodes as [OaNode, OaNode, OaNode]
    expect(n1.status().mods).toContain('forum')
    const topic = await forum(n1).post(C, { title: 'HNSW or IVF_FLAT for 10M vectors?', body: 'Memory is tight on our nodes.', tags: ['milvus'] })
    topicId = topic.id
    await waitFor('n2 and n3 hold the topic', () => [n2, n3].every(n => forum(n).list(C).some(t => t.id === topic.id)))
    const answer = await forum(n2).comment(C, topic.id, 'HNSW if memory allows; IVF_FLAT otherwise.')
    answerId = answer.id
    await waitFor('n3 holds the answer', () => forum(n3).show(C, topic.id).comments.some(c => c.id === answer.id))
    const reply = await forum(n3).comment(C, topic.id, 'How much memory per node?', { replyTo: answer.id })
    expect(reply.depth).toBe(2)
    await waitFor('every node holds the reply', () => nodes.every(n => forum(n).show(C, topic.id).comments[0]?.replies.some(r => r.id === reply.id) === true))
    await Promise.all([
      forum(n1).vote(C, answer.id, 'up'),
      forum(n3).vote(C, answer.id, 'up'),
      forum(n3).vote(C, topic.id, 'up'),
      forum(n2).vote(C, reply.id, 'down')
    ])
    await forum(n3).vote(C, answer.id, 'down')
    await waitFor('every node shows the same thread', () => {
      const views = nodes.map(seen)
      return views.every(v => v === views[0]) && forum(n1).show(C, topic.id).comments[0]?.replies.length === 1 && forum(n1).show(C, topic.id).comments[0]?.score === 0
    })
    const shown = forum(n2).show(C, topic.id)
    expect(shown.topic).toMatchObject({ score: 1, comments: 2 })
    expect(shown.comments[0]).toMatchObject({ id: answer.id, score: 0, up: 1, down: 1 })
    expect(shown.comments[0]?.replies[0]).toMatchObject({ id: reply.id, score: -1 })
    // the topic is a memory record of its author's node, replicated: search by meaning from another node
    await waitFor('n3 finds the topic by meaning', async () => (await forum(n3).search(C, 'which index for a large collection of vectors')).some(h => h.topic.id === topic.id))
  })

  it('the API refuses an edit or delete by anyone but the author, and a reply past five levels', async () => {
    const [n1, n2] = nodes as [OaNode, OaNode]
    await expect(forum(n2).edit(C, topicId, { title: 'mine now' })).rejects.toMatchObject({ code: 'not_author', status: 403 })
    await expect(forum(n1).delete(C, answerId)).rejects.toMatchObject({ code: 'not_author', status: 403 })
    let parent = answerId
    for (let level = 2; level <= 5; level++) parent = (await forum(n2).comment(C, topicId, `level ${level}`, { replyTo: parent })).id
    await expect(forum(n2).comment(C, topicId, 'level 6', { replyTo: parent })).rejects.toMatchObject({ code: 'too_deep' })
    expect(forum(n2).status().refusedCalls.byReason).toMatchObject({ not_author: 1, too_deep: 1 })
    const edited = await forum(n1).edit(C, topicId, { title: 'HNSW or IVF_FLAT for 10M 768-d vectors?' })
    expect(edited).toMatchObject({ title: 'HNSW or IVF_FLAT for 10M 768-d vectors?' })
    await waitFor('every node shows the author\'s edit', () => nodes.every(n => forum(n).show(C, topicId).topic.title === 'HNSW or IVF_FLAT for 10M 768-d vectors?'))
  })

  it('the topic\'s author accepts an answer: every node shows it, and the topic\'s memory record holds its text, found by meaning', async () => {
    const [n1, n2, n3] = nodes as [OaNode, OaNode, OaNode]
    await expect(forum(n2).accept(C, topicId, answerId)).rejects.toMatchObject({ code: 'not_author', status: 403 })
    const accepted = await forum(n1).accept(C, topicId, answerId)
    expect(accepted.accepted).toBe(answerId)
    await waitFor('every node shows the accepted answer', () => nodes.every(n => forum(n).show(C, topicId).topic.accepted === answerId))
    const [record] = await n1.libp2p.services.memory.get(C, [`forum:${topicId}`])
    expect(record?.text).toContain('Accepted answer: HNSW if memory allows')
    await waitFor('n3 finds the topic by its accepted answer', async () => (await forum(n3).search(C, 'use IVF_FLAT when memory is short')).some(h => h.topic.id === topicId && h.topic.accepted === answerId))
  })

  it('a forged edit by a non-author, published raw through its node\'s channels, is refused on the wire and counted', async () => {
    const [n1, n2, n3] = nodes as [OaNode, OaNode, OaNode]
    const before = nodes.map(seen)
    const rules = [rule(n1), rule(n3)]
    const forged = await n2.libp2p.services.channels.publish({ community: C, channel: 'forum', type: 'forum.topic.edit', payload: { topic: topicId, body: 'forged: use a flat index everywhere' } })
    await waitFor('n1 and n3 refused the forged edit by the forum\'s rule', () => rule(n1) === rules[0]! + 1 && rule(n3) === rules[1]! + 1)
    // its author's own node holds it but its fold refuses it, counted too
    await waitFor('n2 counted the forged edit as refused', () => forum(n2).status().refused.byReason.not_author === 1)
    expect(nodes.map(seen)).toEqual(before)
    expect(forum(n1).operations(C).some(o => o.id === forged.id)).toBe(false)
  })

  it('real votes on a forum answer move the answerer\'s trust', async () => {
    const [n1] = nodes as [OaNode, OaNode, OaNode]
    const social = n1.service<SocialService>('social')
    if (social == null) throw new Error('the social mod does not run')
    const author = forum(n1).show(C, topicId).comments[0]?.author ?? ''
    const before = social.trust(C).find(t => t.agent === author)?.votes ?? 0
    // the down vote withdrawn: one net up vote from another peer
    await forum(nodes[2]!).vote(C, answerId, 'none')
    await waitFor('the answerer\'s trust counts the net up vote', () => (social.trust(C).find(t => t.agent === author)?.votes ?? 0) > before)
    expect(social.trust(C).find(t => t.agent === author)?.score).toBeGreaterThan(0)
  })

  it('a late joiner and a restarted node see every operation, though channel history keeps two and backfills one; another community sees nothing', async () => {
    const [n1, , n3] = nodes as [OaNode, OaNode, OaNode]
    await n3.stop()
    nodes.splice(2, 1)
    const whileDown = await forum(n1).post(C, { title: 'Pods restart with OOMKilled', body: 'Since the last deploy.', tags: ['kubernetes'] })
    await forum(n1).comment(C, whileDown.id, 'Raise the memory limit first.')
    const restarted = await startTestNode(dir.path, 'n3', layer(n1))
    nodes.push(restarted)
    const late = await startTestNode(dir.path, 'n4', layer(n1))
    nodes.push(late)
    const expected = seen(n1)
    for (const node of [restarted, late]) await waitFor('the node caught up on the whole forum', () => seen(node) === expected)
    expect(forum(late).operations(C).length).toBe(forum(n1).operations(C).length)
    const elsewhere = await startTestNode(dir.path, 'n5', layer(n1, ['other']))
    nodes.push(elsewhere)
    expect(forum(elsewhere).list('other')).toEqual([])
    expect(() => forum(elsewhere).list(C)).toThrow(/has not joined/)
  })
})

describe('the forum across a partition', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const nodes: OaNode[] = []
  const net = partition()

  beforeAll(async () => {
    dir = await tempDir()
    for (let i = 0; i < 3; i++) {
      let self = ''
      const node = await startTestNode(dir.path, `p${i}`, { communities: [C], memory: { capture: { '*': [] } }, ...(i === 0 ? {} : { network: { bootstrap: [tcpAddr(nodes[0]!)] } }) }, { connectionGater: net.gater(() => self) })
      self = node.peerId.toString()
      nodes.push(node)
    }
    await waitFor('every node on the forum channel of the others', () => nodes.every(n => n.libp2p.services.pubsub.getSubscribers(channelTopic(C, 'forum')).length === 2))
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await dir.cleanup()
  })

  it('two sides that vote, comment and edit while split converge to the same thread after healing', async () => {
    const [a, b, c] = nodes as [OaNode, OaNode, OaNode]
    const topic = await forum(a).post(C, { title: 'Which embedding model for code search?', body: 'Offline only.' })
    const answer = await forum(b).comment(C, topic.id, 'A small code model, quantized.')
    await waitFor('every node holds the answer', () => nodes.every(n => forum(n).list(C).some(t => t.id === topic.id) && forum(n).show(C, topic.id).comments.length === 1))
    net.groupOf.set(a.peerId.toString(), 0)
    for (const n of [b, c]) net.groupOf.set(n.peerId.toString(), 1)
    net.set(true)
    for (const n of [b, c]) await a.libp2p.hangUp(n.peerId)
    await waitFor('the sides apart', () => a.libp2p.getPeers().length === 0)
    // each side changes the same thread: votes both ways on the answer, a comment each, the author's edit
    await forum(a).vote(C, answer.id, 'up')
    await forum(a).edit(C, topic.id, { body: 'Offline only, on CPUs.' })
    const fromA = await forum(a).comment(C, topic.id, 'We tried MiniLM.', { replyTo: answer.id })
    await forum(c).vote(C, answer.id, 'down')
    await forum(c).vote(C, answer.id, 'up')
    const fromC = await forum(c).comment(C, topic.id, 'Check the licence first.')
    await waitFor('b holds c\'s side', () => forum(b).show(C, topic.id).comments.some(x => x.id === fromC.id))
    expect(forum(b).show(C, topic.id).comments[0]?.replies.some(r => r.id === fromA.id)).toBe(false)
    net.set(false)
    for (const n of [b, c]) await a.libp2p.dial(n.libp2p.getMultiaddrs()[0]!)
    await waitFor('all three converge after healing', () => {
      const views = nodes.map(seen)
      return views.every(v => v === views[0]) && forum(b).show(C, topic.id).comments.some(x => x.id === fromC.id) && forum(c).show(C, topic.id).comments[0]?.replies.some(r => r.id === fromA.id) === true
    }, 60_000)
    const thread = forum(b).show(C, topic.id)
    expect(thread.topic.body).toBe('Offline only, on CPUs.')
    expect(thread.comments.find(x => x.id === answer.id)).toMatchObject({ score: 2, up: 2, down: 0 })
  }, 120_000)
})
