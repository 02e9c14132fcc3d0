import { MEANING_TRUST_WEIGHT } from '../../src/agents/builtin/meaning-routing.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { Routing } from '../../src/agents/builtin/coordinator.js'
import type { EventJson } from '../../src/events/json.js'
import type { SocialService } from '../../src/mods/social/service.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'devsupport'
const expert = (name: string) => ({ name, type: 'expert' as const, community: C, capabilities: ['milvus'], description: 'Answers vector database questions' })
const coordinator = (name: string) => ({ name, type: 'coordinator' as const, community: C, options: { maxExperts: 1, deadlineMs: 8000, reuseThreshold: 1 } })

const routingOf = (node: OaNode, question: string, coordinatorId: string): Routing[] | undefined => {
  const reply = node.libp2p.services.channels.list(C, 'general', { limit: 200 }).find((m: EventJson) => m.replyTo === question && m.source === coordinatorId)
  return (reply?.payload as { metadata?: { routing?: Routing[] } } | undefined)?.metadata?.routing
}

describe('the coordinator ranks experts that match equally by trust', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let n1: OaNode, n2: OaNode, n3: OaNode

  beforeAll(async () => {
    dir = await tempDir()
    n1 = await startTestNode(dir.path, 'n1', { communities: [C], agents: [coordinator('coordinator')] })
    const boot = { bootstrap: [tcpAddr(n1)] }
    n2 = await startTestNode(dir.path, 'n2', { communities: [C], network: boot, agents: [expert('aaa_expert'), expert('zzz_expert')] })
    // a node without the social mod runs a coordinator too
    n3 = await startTestNode(dir.path, 'n3', { communities: [C], network: boot, mods: { social: { enabled: false } }, agents: [coordinator('plain_coordinator')] })
    await waitFor('full mesh', () => [n1, n2, n3].every(n => n.libp2p.getPeers().length === 2))
    for (const node of [n1, n3]) {
      await waitFor('both experts found', async () => (await node.libp2p.services.discovery.findAgents({ community: C, capability: 'milvus' })).filter(a => a.online).length === 2, 30_000, 500)
    }
  })

  afterAll(async () => {
    await Promise.all([n1, n2, n3].map(async n => n.stop()))
    await dir.cleanup()
  })

  it('routes to the endorsed expert; a coordinator on a node without social still routes, by match and id', async () => {
    const zzz = `zzz_expert@${n2.peerId.toString()}`
    const aaa = `aaa_expert@${n2.peerId.toString()}`
    expect(n3.service('social')).toBeUndefined()
    const social = n1.service<SocialService>('social')!
    await social.endorse(C, zzz, 'milvus')
    await n2.service<SocialService>('social')!.endorse(C, aaa, 'milvus', 'peer_review')
    // n2 hosts both experts: its endorsement of its own agent counts for nothing
    expect(social.trust(C, 'milvus').map(t => t.agent)).toEqual([zzz])

    const question = await n2.libp2p.services.channels.post({ community: C, channel: 'general', text: 'How do I tune milvus for recall?' })
    const routed = await waitFor('the coordinator replied', () => routingOf(n2, question.id, `coordinator@${n1.peerId.toString()}`), 30_000)
    // equal cards, equal similarity: trust (up to MEANING_TRUST_WEIGHT) decides
    expect(routed).toEqual([expect.objectContaining({ id: zzz, matched: ['milvus'], trust: 1 })])
    expect(routed?.[0]?.score).toBeCloseTo((routed?.[0]?.similarity ?? 0) + MEANING_TRUST_WEIGHT, 6)

    const plain = await waitFor('the coordinator without social replied', () => routingOf(n2, question.id, `plain_coordinator@${n3.peerId.toString()}`), 30_000)
    // with no trust, ties go by agent id
    expect(plain).toEqual([expect.objectContaining({ id: aaa, matched: ['milvus'], trust: 0 })])
    expect(plain?.[0]?.score).toBe(plain?.[0]?.similarity)

    // the dispatch is in the graph of every node that holds the coordinator's reply
    await waitFor('n2 sees the dispatch', () => n2.service<SocialService>('social')!.graph(C).edges.some(e => e.kind === 'routed' && e.from === `coordinator@${n1.peerId.toString()}` && e.to === zzz))
  })
})
