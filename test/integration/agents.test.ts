import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { AgentConfig } from '../../src/config/schema.js'
import type { EventJson } from '../../src/events/json.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'devsupport'

const EXPERTS: Record<string, AgentConfig> = {
  milvus: { name: 'milvus_expert', type: 'expert', community: C, capabilities: ['milvus', 'hnsw', 'vector', 'index'], description: 'Answers Milvus and vector database questions' },
  python: { name: 'python_expert', type: 'expert', community: C, capabilities: ['python', 'asyncio', 'django', 'flask'], description: 'Answers Python questions', channels: ['general', 'python_channel'], examples: ['Why does my asyncio task hang?'] },
  devops: { name: 'devops_expert', type: 'expert', community: C, capabilities: ['kubernetes', 'docker', 'deployment', 'ci'], description: 'Answers deployment and infrastructure questions', examples: ['Why does my app hang after I deploy it to Kubernetes?'] }
}

function repliesTo (node: OaNode, id: string): EventJson[] {
  return node.libp2p.services.channels.list(C, 'general', { limit: 1000 }).filter(m => m.replyTo === id)
}

describe('agents on 4 nodes with no shared agent config', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let n1: OaNode, n2: OaNode, n3: OaNode, n4: OaNode

  beforeAll(async () => {
    dir = await tempDir()
    n1 = await startTestNode(dir.path, 'n1', { communities: [C], agents: [{ name: 'coordinator', type: 'coordinator', community: C, options: { deadlineMs: 8000, reuseThreshold: 1 } }] })
    const boot = { bootstrap: [tcpAddr(n1)] }
    n2 = await startTestNode(dir.path, 'n2', { communities: [C], network: boot, agents: [EXPERTS.milvus!, { name: 'coordinator_b', type: 'coordinator', community: C, options: { reuseThreshold: 1 } }] })
    n3 = await startTestNode(dir.path, 'n3', { communities: [C], network: boot, agents: [EXPERTS.python!] })
    n4 = await startTestNode(dir.path, 'n4', { communities: [C], network: boot, agents: [EXPERTS.devops!] })
    await waitFor('full mesh', () => [n1, n2, n3, n4].every(n => n.libp2p.getPeers().length === 3))
  })

  afterAll(async () => {
    await Promise.all([n1, n2, n3, n4].filter(n => n.isStarted()).map(async n => n.stop()))
    await dir.cleanup()
  })

  it('every node finds every expert by capability through the DHT', async () => {
    const wanted: Array<[string, string]> = [['python', `python_expert@${n3.peerId.toString()}`], ['asyncio', `python_expert@${n3.peerId.toString()}`], ['kubernetes', `devops_expert@${n4.peerId.toString()}`], ['milvus', `milvus_expert@${n2.peerId.toString()}`]]
    for (const node of [n1, n2, n3, n4]) {
      for (const [capability, id] of wanted) {
        await waitFor(`${capability} found from ${node.peerId.toString().slice(-6)}`, async () =>
          (await node.libp2p.services.discovery.findAgents({ community: C, capability })).some(a => a.id === id && a.online), 30_000, 500)
      }
    }
    const all = await n1.libp2p.services.discovery.findAgents({ community: C })
    expect(all.map(a => a.name).sort()).toEqual(['coordinator', 'coordinator_b', 'devops_expert', 'milvus_expert', 'python_expert'])
    const python = all.find(a => a.name === 'python_expert')
    expect(python).toMatchObject({ kind: 'expert', community: C, peerId: n3.peerId.toString(), channels: ['general', 'python_channel'], protocolVersion: '1' })
    expect(python?.multiaddrs.length).toBeGreaterThan(0)
  })

  it('the coordinator routes a Python question to the Python expert and replies in the thread', async () => {
    const question = await n2.libp2p.services.channels.post({ community: C, channel: 'general', text: 'What does asyncio.gather do in Python?' })
    const reply = await waitFor('coordinator reply', () => repliesTo(n2, question.id).find(m => m.source === `coordinator@${n1.peerId.toString()}`), 30_000)
    const meta = (reply.payload as { metadata: { routing: Array<{ expert: string }>, answered: Array<{ expert: string, mode: string }>, missing: unknown[] } }).metadata
    expect(meta.routing.map(r => r.expert)).toEqual(['python_expert'])
    expect(meta.answered).toEqual([expect.objectContaining({ expert: 'python_expert', mode: 'retrieval' })])
    expect(meta.missing).toEqual([])
    expect(reply.thread).toBe(question.id)
    const text = (reply.payload as { text: string }).text
    expect(text).toMatch(/^Asked python_expert \(similarity 0\.\d\d; names python, asyncio\)\./)
    expect(text).toContain('[python_expert] [retrieval-only: no language model configured]')
  })

  it('routes a deployment question to the DevOps expert', async () => {
    const question = await n3.libp2p.services.channels.post({ community: C, channel: 'general', text: 'How do I roll out a deployment on Kubernetes without downtime?' })
    const reply = await waitFor('coordinator reply', () => repliesTo(n3, question.id).find(m => m.source === `coordinator@${n1.peerId.toString()}`), 30_000)
    const meta = (reply.payload as { metadata: { answered: Array<{ expert: string }> } }).metadata
    expect(meta.answered.map(a => a.expert)).toEqual(['devops_expert'])
  })

  it('two coordinators both take a user question but never answer each other', async () => {
    const question = await n4.libp2p.services.channels.post({ community: C, channel: 'general', text: 'Which HNSW index parameters matter in Milvus?' })
    await waitFor('both coordinators replied', () => repliesTo(n4, question.id).filter(m => m.source.startsWith('coordinator')).length === 2, 30_000)
    // a later question takes the same path through both coordinators: once both have
    // answered it, an answer to the other's reply would have been posted too
    const later = await n4.libp2p.services.channels.post({ community: C, channel: 'general', text: 'How many replicas does a Kubernetes deployment need?' })
    await waitFor('both coordinators answered the later question', () => repliesTo(n4, later.id).filter(m => m.source.startsWith('coordinator')).length === 2, 30_000)
    const all = n4.libp2p.services.channels.list(C, 'general', { limit: 1000 })
    const coordinatorPosts = new Set(all.filter(m => m.source.startsWith('coordinator')).map(m => m.id))
    expect(all.filter(m => m.replyTo != null && coordinatorPosts.has(m.replyTo))).toEqual([])
  })

  it('with an expert\'s node stopped, the coordinator answers with the others and names the missing one', async () => {
    await n4.stop()
    await waitFor('n4 gone', () => !n1.libp2p.getPeers().some(p => p.equals(n4.peerId)))
    const question = await n2.libp2p.services.channels.post({ community: C, channel: 'general', text: 'My asyncio task hangs when I deploy it to Kubernetes' })
    const reply = await waitFor('coordinator reply', () => repliesTo(n2, question.id).find(m => m.source === `coordinator@${n1.peerId.toString()}`), 30_000)
    const meta = (reply.payload as { metadata: { answered: Array<{ expert: string }>, missing: Array<{ expert: string, reason: string }> } }).metadata
    expect(meta.answered.map(a => a.expert)).toEqual(['python_expert'])
    expect(meta.missing.map(m => m.expert)).toEqual(['devops_expert'])
    expect((reply.payload as { text: string }).text).toMatch(/No answer from devops_expert \(/)

    const discovery = n1.libp2p.services.discovery
    expect((await discovery.findAgents({ community: C })).map(a => a.name)).not.toContain('devops_expert')
    expect((await discovery.findAgents({ community: C, includeOffline: true })).find(a => a.name === 'devops_expert')).toMatchObject({ online: false, peerId: n4.peerId.toString() })
  })
})
