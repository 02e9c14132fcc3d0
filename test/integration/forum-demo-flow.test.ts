import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { EventJson } from '../../src/events/json.js'
import type { ForumService } from '../../src/mods/forum/index.js'
import type { SocialService } from '../../src/mods/social/service.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'devsupport'

const forum = (node: OaNode): ForumService => {
  const service = node.service<ForumService>('forum')
  if (service == null) throw new Error('the forum mod does not run')
  return service
}

describe('the coordinator\'s answers on the forum', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let n1: OaNode, n2: OaNode, n3: OaNode

  beforeAll(async () => {
    dir = await tempDir()
    n1 = await startTestNode(dir.path, 'n1', { communities: [C], agents: [{ name: 'coordinator', type: 'coordinator', community: C, options: { maxExperts: 1, deadlineMs: 8000, reuseThreshold: 1 } }] })
    const boot = { bootstrap: [tcpAddr(n1)] }
    n2 = await startTestNode(dir.path, 'n2', { communities: [C], network: boot, agents: [{ name: 'milvus_expert', type: 'expert', community: C, capabilities: ['milvus', 'hnsw'], description: 'Answers vector database questions' }] })
    n3 = await startTestNode(dir.path, 'n3', { communities: [C], network: boot })
    await waitFor('full mesh', () => [n1, n2, n3].every(n => n.libp2p.getPeers().length === 2))
    await n2.libp2p.services.memory.remember(C, { text: 'For HNSW in Milvus, raise ef above k to improve recall; M=16 is a good start.', kind: 'expert_knowledge', agent: `milvus_expert@${n2.peerId.toString()}` })
    await waitFor('the expert found', async () => (await n1.libp2p.services.discovery.findAgents({ community: C, capability: 'milvus' })).some(a => a.online), 30_000, 500)
  })

  afterAll(async () => {
    await Promise.all([n1, n2, n3].map(async n => n.stop()))
    await dir.cleanup()
  })

  it('posts the merged answer as a topic, the expert comments its answer, and a reader\'s up vote raises the expert\'s trust', async () => {
    const expertId = `milvus_expert@${n2.peerId.toString()}`
    const question = await n3.libp2p.services.channels.post({ community: C, channel: 'general', text: 'How do I tune milvus HNSW for better recall?' })
    const reply = await waitFor('the coordinator replied', () => n3.libp2p.services.channels.list(C, 'general', { limit: 100 }).find((m: EventJson) => m.replyTo === question.id && m.source.startsWith('coordinator@')), 30_000)
    const topicId = (reply.payload as { metadata?: { forumTopic?: string } }).metadata?.forumTopic
    if (topicId == null) throw new Error('the reply names no forum topic')
    const thread = await waitFor('n3 holds the topic with the expert\'s comment', () => {
      const t = forum(n3).list(C).some(x => x.id === topicId) ? forum(n3).show(C, topicId) : undefined
      return t != null && t.comments.some(c => c.author === expertId) ? t : undefined
    }, 30_000)
    expect(thread.topic).toMatchObject({ title: 'How do I tune milvus HNSW for better recall?', author: `coordinator@${n1.peerId.toString()}` })
    expect(thread.topic.tags).toEqual(expect.arrayContaining(['milvus']))
    const comment = thread.comments.find(c => c.author === expertId)
    expect(comment?.body).toContain('ef')

    const social = n1.service<SocialService>('social')
    if (social == null) throw new Error('the social mod does not run')
    const before = social.trust(C).find(t => t.agent === expertId)?.votes ?? 0
    await forum(n3).vote(C, comment?.id ?? '', 'up')
    await waitFor('the vote counts in the expert\'s trust on the coordinator\'s node', () => (social.trust(C).find(t => t.agent === expertId)?.votes ?? 0) === before + 1)
    await waitFor('n1 holds the vote in forum.db', () => forum(n1).operations(C).some(op => op.type === 'forum.vote.cast'))

    // channel history is pruned in time (and here lost): trust still reads the votes from forum.db
    await n1.stop()
    for (const suffix of ['', '-wal', '-shm']) await rm(join(dir.path, 'n1', `channels.db${suffix}`), { force: true })
    n1 = await startTestNode(dir.path, 'n1', { communities: [C] })
    expect(n1.libp2p.services.channels.list(C, 'forum', { limit: 100 })).toEqual([])
    expect(n1.service<SocialService>('social')?.trust(C).find(t => t.agent === expertId)?.votes).toBe(before + 1)
  })
})
