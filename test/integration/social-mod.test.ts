import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiClient, serveApi } from '../../src/api/index.js'
import { checkDataDir } from '../../src/node/check-data-dir.js'
import { createEnvelope } from '../../src/events/envelope.js'
import { Envelope } from '../../src/wire/generated/event.js'
import { channelTopic } from '../../src/wire/topics.js'
import { createRawPeer } from '../helpers/raw-peer.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { SocialService } from '../../src/mods/social/service.js'
import type { OaNode } from '../../src/node/oa-node.js'
import type { RawPeer } from '../helpers/raw-peer.js'

const C = 'devsupport'
const OTHER = 'elsewhere'

const social = (node: OaNode): SocialService => {
  const service = node.service<SocialService>('social')
  if (service == null) throw new Error('the social mod does not run')
  return service
}
const table = (node: OaNode, capability?: string): string => JSON.stringify(social(node).trust(C, capability))

describe('the social mod on three nodes', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const nodes: OaNode[] = []
  let raw: RawPeer | undefined
  const layer = (bootstrap?: OaNode) => ({
    communities: [C, OTHER],
    memory: { capture: { '*': [] } },
    ...(bootstrap == null ? {} : { network: { bootstrap: [tcpAddr(bootstrap)] } })
  })
  const expertOf = (node: OaNode, name = 'milvus_expert'): string => `${name}@${node.peerId.toString()}`

  beforeAll(async () => {
    dir = await tempDir()
    const n1 = await startTestNode(dir.path, 'n1', layer())
    nodes.push(n1, await startTestNode(dir.path, 'n2', layer(n1)), await startTestNode(dir.path, 'n3', layer(n1)))
    const topic = channelTopic(C, 'social')
    await waitFor('every node subscribed to the social channel of the others', () =>
      nodes.every(n => n.libp2p.services.pubsub.getSubscribers(topic).length >= 2))
  })

  afterAll(async () => {
    await raw?.stop()
    await Promise.all(nodes.map(async n => n.stop()))
    await dir.cleanup()
  })

  it('endorsements from two nodes converge to one trust table on all three, and a late joiner backfills the same table', async () => {
    const [n1, n2, n3] = nodes as [OaNode, OaNode, OaNode]
    expect(n1.status().mods).toContain('social')
    const expert = expertOf(n3)
    const rival = expertOf(n3, 'rival_expert')
    await social(n1).endorse(C, expert, 'milvus')
    await social(n2).endorse(C, expert, 'Milvus', 'alice')
    await social(n2).endorse(C, rival, 'milvus', 'bob')
    // an endorsement withdrawn counts for nothing; the withdrawal replicates too
    await social(n1).endorse(C, rival, 'milvus', 'carol')
    await social(n1).unendorse(C, rival, 'milvus', 'carol')
    await waitFor('all three nodes hold the same table, with the expert first', () => {
      const first = table(n1, 'milvus')
      return nodes.every(n => table(n, 'milvus') === first) && social(n3).trust(C, 'milvus')[0]?.agent === expert && social(n3).endorsements(C).length === 3
    })
    expect(social(n1).trust(C, 'milvus').map(t => [t.agent, t.endorsers])).toEqual([[expert, 2], [rival, 1]])
    // n3 hosts the endorsed agents and endorsed nothing: its own view agrees with the others'
    expect(social(n3).graph(C).edges.filter(e => e.kind === 'endorsed').map(e => [e.from, e.to, e.capability])).toEqual([
      [`user@${n1.peerId.toString()}`, expert, 'milvus'],
      [`alice@${n2.peerId.toString()}`, expert, 'milvus'],
      [`bob@${n2.peerId.toString()}`, rival, 'milvus']
    ].sort((a, b) => a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : a[1]! < b[1]! ? -1 : 1))

    const late = await startTestNode(dir.path, 'n4', layer(n1))
    nodes.push(late)
    await waitFor('the late joiner backfilled the same trust table', () => table(late, 'milvus') === table(n1, 'milvus'))
    expect(table(late)).toBe(table(n1))
  })

  it('another community sees none of it', async () => {
    const [n1, n2] = nodes as [OaNode, OaNode]
    await social(n2).endorse(OTHER, expertOf(n1, 'other_expert'), 'python')
    await waitFor('n1 holds the endorsement in the other community', () => social(n1).trust(OTHER, 'python').length === 1)
    expect(social(n1).trust(OTHER, 'milvus')).toEqual([])
    expect(social(n1).graph(OTHER).edges.map(e => e.to)).toEqual([expertOf(n1, 'other_expert')])
    expect(social(n1).trust(C, 'python')).toEqual([])
    expect(() => social(n1).trust('nowhere', 'python')).toThrow(expect.objectContaining({ code: 'not_member', status: 404 }))
  })

  it('an agent endorsing itself is refused at the API, by the channels of its node, and on the wire, and each refusal is counted', async () => {
    const [n1, n2] = nodes as [OaNode, OaNode]
    const self = `user@${n1.peerId.toString()}`
    const before = table(n2, 'milvus')
    await expect(social(n1).endorse(C, self, 'milvus')).rejects.toMatchObject({ code: 'self_endorsement', status: 400 })
    expect((n1.status().social as { refused: { byReason: Record<string, number> } }).refused.byReason.self_endorsement).toBe(1)
    // published raw through the node's channels, past the social service: the pipeline refuses it
    const raw1 = n1.libp2p.services.channels.publish({ community: C, channel: 'social', type: 'social.endorsement.add', payload: { agent: self, capability: 'milvus' } })
    await expect(raw1).rejects.toMatchObject({ code: 'bad_payload' })
    await expect(raw1).rejects.toThrow(`social.endorsement.add: ${self} may not endorse itself`)
    await expect(social(n1).endorse(C, 'not-an-agent', 'milvus')).rejects.toMatchObject({ code: 'bad_agent' })
    await expect(social(n1).endorse(C, expertOf(n2), 'Not A Capability!')).rejects.toMatchObject({ code: 'bad_capability' })

    // signed by a peer that bypasses every check of its own: every receiver refuses it, counted as a rule rejection
    raw = await createRawPeer()
    const topic = channelTopic(C, 'social')
    await raw.join(n2, topic)
    const rejected = n2.status().rejected.byReason.rule
    const forged = await createEnvelope({ type: 'social.endorsement.add', community: C, channel: 'social', agent: 'mallory', payload: { agent: `mallory@${raw.peerId.toString()}`, capability: 'milvus' } }, raw.privateKey)
    await raw.publish(topic, Envelope.encode(forged))
    await waitFor('n2 counted the forged self-endorsement', () => n2.status().rejected.byReason.rule === rejected + 1)
    // a well-formed endorsement by the same peer is taken: only the forged one was refused
    const good = await createEnvelope({ type: 'social.endorsement.add', community: C, channel: 'social', agent: 'mallory', payload: { agent: expertOf(n1, 'honest'), capability: 'milvus' } }, raw.privateKey)
    await raw.publish(topic, Envelope.encode(good))
    await waitFor('n2 folded the good endorsement', () => social(n2).trust(C, 'milvus').some(t => t.agent === expertOf(n1, 'honest')))
    expect(social(n2).trust(C, 'milvus').some(t => t.agent === `mallory@${raw?.peerId.toString() ?? ''}`)).toBe(false)
    expect(before).not.toBe(table(n2, 'milvus'))
    expect(social(n2).graph(C).edges.some(e => e.from === e.to)).toBe(false)
  })

  it('the API answers the graph and trust, and refuses bad bodies and queries with 400 naming the problem, storing nothing', async () => {
    const [n1] = nodes as [OaNode]
    const api = await serveApi(n1, { port: 0 })
    try {
      const client = await ApiClient.fromDataDir(n1.config.dataDir)
      const base = `/v1/communities/${C}/social`
      const { trust } = await client.get<{ trust: Array<{ agent: string }> }>(`${base}/trust?capability=milvus`)
      expect(JSON.stringify(trust)).toBe(table(n1, 'milvus'))
      const held = social(n1).endorsements(C).length
      const missing = client.post(`${base}/endorsements`, { agent: expertOf(n1, 'x') })
      await expect(missing).rejects.toMatchObject({ status: 400, code: 'bad_request' })
      await expect(missing).rejects.toThrow(/capability/)
      await expect(client.post(`${base}/endorsements`, { agent: expertOf(nodes[1]!), capability: 'milvus', extra: 1 })).rejects.toMatchObject({ status: 400, code: 'bad_request' })
      await expect(client.request('DELETE', `${base}/endorsements?agent=${encodeURIComponent(expertOf(nodes[1]!))}`)).rejects.toMatchObject({ status: 400, code: 'bad_request' })
      await expect(client.get(`${base}/trust?capability=${encodeURIComponent('DROP TABLE;')}`)).rejects.toMatchObject({ status: 400, code: 'bad_capability' })
      await expect(client.get('/v1/communities/nowhere/social/graph')).rejects.toMatchObject({ status: 404, code: 'not_member' })
      const { endorsement } = await client.post<{ endorsement: { endorser: string } }>(`${base}/endorsements`, { agent: expertOf(nodes[1]!), capability: 'rag', from: 'reviewer' })
      expect(endorsement.endorser).toBe(`reviewer@${n1.peerId.toString()}`)
      expect(social(n1).endorsements(C)).toHaveLength(held + 1)
    } finally {
      await api.stop()
    }
  })

  it('in a private community a reader sees endorsements but may not make them, and only members\' agents can be endorsed', async () => {
    const [n1, n2, n3, n4] = nodes as [OaNode, OaNode, OaNode, OaNode]
    const P = 'council'
    await n1.libp2p.services.communities.create(P, 'private')
    await n2.libp2p.services.communities.join((await n1.libp2p.services.communities.invite(P, { for: n2.peerId.toString(), role: 'reader' })).invite)
    await n3.libp2p.services.communities.join((await n1.libp2p.services.communities.invite(P, { for: n3.peerId.toString(), role: 'member' })).invite)
    await waitFor('n2 and n3 are in the private community', () => n2.communities.includes(P) && n3.communities.includes(P))
    const topic = channelTopic(n1.libp2p.services.communities.wireName(P), 'social')
    await waitFor('the three members share the private social channel', () => [n1, n2, n3].every(n => n.libp2p.services.pubsub.getSubscribers(topic).length >= 2))
    const judge = expertOf(n1, 'judge')
    await social(n3).endorse(P, judge, 'law')
    await waitFor('the member\'s endorsement reaches the admin and the reader', () => [n1, n2].every(n => social(n).trust(P, 'law')[0]?.agent === judge))
    await expect(social(n2).endorse(P, judge, 'law')).rejects.toMatchObject({ code: 'read_only', status: 403 })
    await expect(social(n1).endorse(P, expertOf(n4), 'law')).rejects.toMatchObject({ code: 'not_member', status: 404 })
    expect(social(n1).endorsements(P)).toHaveLength(1)
  })

  it('direct exchanges between agents appear in the graph of both ends', async () => {
    const [n1, , n3] = nodes as [OaNode, OaNode, OaNode]
    const unhandle = n3.libp2p.services.channels.handleDirect('helper', async (req) => ({ echoed: req.payload }))
    try {
      await n1.libp2p.services.channels.request({ community: C, from: 'asker', to: `helper@${n3.peerId.toString()}`, payload: { text: 'hi' } })
      const asker = `asker@${n1.peerId.toString()}`
      const helper = `helper@${n3.peerId.toString()}`
      for (const node of [n1, n3]) {
        const edges = await waitFor('the exchange is in the graph', () => {
          const found = social(node).graph(C).edges.filter(e => e.kind === 'asked' || e.kind === 'answered')
          return found.length === 2 ? found : undefined
        })
        expect(edges).toEqual([
          { from: asker, to: helper, kind: 'asked', count: 1 },
          { from: helper, to: asker, kind: 'answered', count: 1 }
        ])
      }
      // a channel reply is an edge to the author of the message it answers
      const post = await n1.libp2p.services.channels.post({ community: C, channel: 'general', text: 'who knows HNSW?', agent: 'asker' })
      await waitFor('n3 holds the post', () => n3.libp2p.services.channels.list(C, 'general').some(m => m.id === post.id))
      await n3.libp2p.services.channels.reply({ community: C, channel: 'general', replyTo: post.id, text: 'I do', agent: 'helper' })
      await waitFor('n1 sees the reply edge', () => social(n1).graph(C).edges.some(e => e.kind === 'replied' && e.from === helper && e.to === asker))
    } finally {
      unhandle()
    }
  })
  it('a restarted node still shows the direct exchanges it took part in, kept in social.db, which oa-node check reads', async () => {
    const n1 = nodes[0]!
    const n3 = nodes[2]!
    const asked = (node: OaNode): number => social(node).graph(C).edges.filter(e => e.kind === 'asked' || e.kind === 'answered').length
    expect(asked(n1)).toBe(2)
    const endorsements = social(n1).endorsements(C).length
    await n1.stop()
    const report = await checkDataDir(n1.config.dataDir)
    expect(report.ok).toBe(true)
    expect(report.social).toMatchObject({ present: true, exchanges: 2, problems: [] })
    const again = await startTestNode(dir.path, 'n1', layer(n3))
    nodes[0] = again
    expect(asked(again)).toBe(2)
    expect(social(again).endorsements(C)).toHaveLength(endorsements)
  })
})
