import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLlmStub } from '../helpers/llm-stub.js'
import { startTestNode } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { AgentConfig } from '../../src/config/schema.js'
import type { EventJson } from '../../src/events/json.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'devsupport'
const KNOWLEDGE = join(import.meta.dirname, '..', '..', 'config', 'demo', 'knowledge')
const NO_KNOWLEDGE = `I have no knowledge about this in ${C}.`

interface Source { kind: string, text: string, score: number, scoreKind: string, similarity?: number, id?: string }
interface Answer { text: string, mode: string, sources: Source[] }

/** The demo's knowledge, as the demo seeds it (ids from the files). */
async function seedDemoKnowledge (node: OaNode): Promise<number> {
  let n = 0
  for (const file of ['python.jsonl', 'vectordb.jsonl', 'devops.jsonl']) {
    const lines = (await readFile(join(KNOWLEDGE, file), 'utf8')).split('\n').filter(l => l.trim() !== '')
    const inputs = lines.map(l => JSON.parse(l) as { id: string, text: string, kind: string, metadata: Record<string, unknown> })
      .map(r => ({ id: r.id, text: r.text, kind: r.kind, metadata: r.metadata }))
    const { records, rejected } = await node.libp2p.services.memory.rememberMany(C, inputs)
    expect(rejected).toEqual([])
    n += records.length
  }
  return n
}

const milvusExpert: AgentConfig = { name: 'milvus_expert', type: 'expert', community: C, capabilities: ['milvus', 'hnsw', 'vector', 'index'], description: 'Answers Milvus and vector database questions' }

async function ask (node: OaNode, agent: string, text: string): Promise<Answer> {
  const reply = await node.libp2p.services.channels.request({ community: C, from: 'user', to: `${agent}@${node.peerId.toString()}`, payload: { text } })
  return reply.payload as Answer
}

describe('an expert on the demo knowledge, after channel posts that echo a question', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: OaNode

  beforeAll(async () => {
    dir = await tempDir()
    node = await startTestNode(dir.path, 'n1', {
      communities: [C],
      agents: [
        milvusExpert,
        // the same expert, asked to draw on captured posts only, with no floor
        { name: 'posts_expert', type: 'expert', community: C, capabilities: ['posts'], options: { recallKinds: ['channel_message'], minSimilarity: 0 } }
      ]
    })
    expect(await seedDemoKnowledge(node)).toBe(206)
    const echoes = ['How do I tune ef for HNSW?', 'What ef should I use for an HNSW search?', 'Does raising ef in HNSW help recall?']
    for (const text of echoes) await node.libp2p.services.channels.post({ community: C, channel: 'general', text })
    await waitFor('the posts are captured', () => (node.libp2p.services.capture.status()?.posts ?? 0) >= echoes.length)
  })

  afterAll(async () => {
    await node.stop()
    await dir.cleanup()
  })

  it('captures posts as channel_message, apart from the seeded expert_knowledge', async () => {
    const stats = await node.libp2p.services.memory.stats(C)
    expect(stats.byKind).toEqual({ expert_knowledge: 206, channel_message: 3 })
    // without leaving them out, the posts crowd the seeded knowledge of a question about M
    const all = await node.libp2p.services.memory.recall(C, 'How should I choose HNSW M?', { k: 5 })
    expect(all.filter(h => h.record.kind === 'channel_message').length).toBeGreaterThan(0)
  })

  it('answers a question about HNSW M from the seeded knowledge, not from the posts about ef', async () => {
    const answer = await ask(node, 'milvus_expert', 'How should I choose HNSW M?')
    expect(answer.mode).toBe('retrieval')
    expect(answer.sources.length).toBeGreaterThan(0)
    expect(answer.sources.map(s => s.kind)).toEqual(answer.sources.map(() => 'expert_knowledge'))
    expect(answer.sources.map(s => s.id)).toContain('vdb-002')
    for (const s of answer.sources) {
      expect(s.scoreKind).toBe('fused')
      expect(s.similarity).toBeGreaterThanOrEqual(0.2)
    }
    expect(answer.text).toContain("HNSW's M is the number of links per node")
    expect(answer.text).not.toContain('How do I tune ef')
  })

  it('says it has no knowledge about an off-topic question, and cites nothing', async () => {
    for (const question of ['What is the capital of France?', 'best pizza dough hydration']) {
      const answer = await ask(node, 'milvus_expert', question)
      expect(answer.sources, question).toEqual([])
      expect(answer.text).toBe(`[retrieval-only: no language model configured] ${NO_KNOWLEDGE}`)
    }
  })

  it('draws on captured posts when recallKinds asks for them', async () => {
    const answer = await ask(node, 'posts_expert', 'How should I choose HNSW M?')
    expect(answer.sources.length).toBeGreaterThan(0)
    expect(new Set(answer.sources.map(s => s.kind))).toEqual(new Set(['channel_message']))
  })
})

describe('an expert with a language model and nothing to go on', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let stub: Awaited<ReturnType<typeof startLlmStub>>
  let node: OaNode

  beforeAll(async () => {
    dir = await tempDir()
    stub = await startLlmStub()
    node = await startTestNode(dir.path, 'llm', { communities: [C], agents: [milvusExpert], llm: { baseUrl: stub.url, model: 'stub-model' } })
    await node.libp2p.services.memory.remember(C, { id: 'vdb-002', text: "HNSW's M is the number of links per node; larger M (16-64) improves recall and memory use grows with it." })
  })

  afterAll(async () => {
    await node.stop()
    await stub.stop()
    await dir.cleanup()
  })

  it('tells the model it has no sources, and says so in its answer', async () => {
    const answer = await ask(node, 'milvus_expert', 'best pizza dough hydration')
    expect(answer).toMatchObject({ mode: 'llm', sources: [] })
    expect(answer.text).toBe(`${NO_KNOWLEDGE}\n\nstub answer to: best pizza dough hydration`)
    const system = stub.requests.at(-1)?.messages[0]?.content ?? ''
    expect(system).toContain(`You have no sources: the shared memory of ${C} holds nothing relevant`)
  })

  it('gives the model its sources when it has some', async () => {
    const answer = await ask(node, 'milvus_expert', 'How should I choose HNSW M?')
    expect(answer).toMatchObject({ mode: 'llm', text: 'stub answer to: How should I choose HNSW M?' })
    expect(answer.sources.map(s => s.id)).toEqual(['vdb-002'])
    const system = stub.requests.at(-1)?.messages[0]?.content ?? ''
    expect(system).toContain("[1] (expert_knowledge) HNSW's M is the number of links per node")
  })
})

describe('a coordinator and the relevance floor', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: OaNode

  beforeAll(async () => {
    dir = await tempDir()
    node = await startTestNode(dir.path, 'co', {
      communities: [C],
      agents: [
        // reuseThreshold 0: only the relevance floor keeps an unrelated stored solution from being reused
        { name: 'coordinator', type: 'coordinator', community: C, channels: ['general'], options: { deadlineMs: 15_000, reuseThreshold: 0 } },
        milvusExpert,
        { name: 'pizza_expert', type: 'expert', community: C, capabilities: ['pizza', 'dough'], description: 'Answers pizza questions' }
      ]
    })
    await seedDemoKnowledge(node)
  })

  afterAll(async () => {
    await node.stop()
    await dir.cleanup()
  })

  interface ReplyMetadata { answered: Array<{ expert: string, sources: Source[] }>, stored: Array<{ id: string, kind: string }>, reused?: { id: string, score: number } }

  const coordinate = async (text: string): Promise<{ text: string, meta: ReplyMetadata }> => {
    const channels = node.libp2p.services.channels
    const question = await channels.post({ community: C, channel: 'general', text })
    const reply = await waitFor(`the coordinator's reply to "${text}"`, () => channels.list(C, 'general', { limit: 1000 }).find((m: EventJson) => m.replyTo === question.id && m.source.startsWith('coordinator@')), 30_000)
    const payload = reply.payload as { text: string, metadata: ReplyMetadata }
    return { text: payload.text, meta: payload.metadata }
  }

  it('stores no solution from answers without sources, stores one from answers with sources, and reuses only above the floor', async () => {
    const pizza = await coordinate('What is the best pizza dough hydration?')
    expect(pizza.meta.answered).toEqual([expect.objectContaining({ expert: 'pizza_expert', sources: [] })])
    expect(pizza.text).toContain(`[pizza_expert] [retrieval-only: no language model configured] ${NO_KNOWLEDGE}`)
    expect(pizza.meta.stored.map(s => s.kind)).toEqual(['collaboration_history'])

    const hnsw = await coordinate('How should I choose HNSW M in Milvus?')
    expect(hnsw.meta.reused).toBeUndefined()
    expect(hnsw.meta.stored.map(s => s.kind)).toEqual(['collaboration_history', 'problem_solutions'])
    const solution = hnsw.meta.stored.find(s => s.kind === 'problem_solutions')?.id

    // a question about something else is not answered from that solution, whatever reuseThreshold says
    const oven = await coordinate('What flour makes the best pizza dough?')
    expect(oven.meta.reused).toBeUndefined()
    expect(oven.meta.answered.map(a => a.expert)).toEqual(['pizza_expert'])

    // a paraphrase is
    const again = await coordinate('How do I choose the M parameter of HNSW in Milvus?')
    expect(again.meta.reused?.id).toBe(solution)
    expect(again.text).toMatch(/^Found a stored solution \(similarity 0\.\d\d, from milvus_expert\)/)
  })
})

describe('a coordinator with a language model', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let stub: Awaited<ReturnType<typeof startLlmStub>>
  let node: OaNode

  beforeAll(async () => {
    dir = await tempDir()
    stub = await startLlmStub()
    node = await startTestNode(dir.path, 'merge', {
      communities: [C],
      llm: { baseUrl: stub.url, model: 'stub-model' },
      agents: [
        // every expert with any similarity is asked: this is about merging, not routing
        { name: 'coordinator', type: 'coordinator', community: C, channels: ['general'], options: { deadlineMs: 15_000, routeFloor: -1, routeMargin: 2 } },
        { name: 'python_expert', type: 'expert', community: C, capabilities: ['python', 'asyncio', 'coroutine'], description: 'Answers Python and asyncio questions' },
        { name: 'devops_expert', type: 'expert', community: C, capabilities: ['kubernetes', 'deploy', 'pod'], description: 'Answers deployment and Kubernetes questions' }
      ]
    })
    await seedDemoKnowledge(node)
  })

  afterAll(async () => {
    await node.stop()
    await stub.stop()
    await dir.cleanup()
  })

  it('has the model write the merged answer from the experts\' answers, citing the records they used by id', async () => {
    const channels = node.libp2p.services.channels
    const question = await channels.post({ community: C, channel: 'general', text: 'My asyncio task hangs when I deploy it to Kubernetes' })
    const reply = await waitFor('the coordinator\'s reply', () => channels.list(C, 'general', { limit: 1000 }).find((m: EventJson) => m.replyTo === question.id && m.source.startsWith('coordinator@')), 30_000)
    const { text, metadata } = reply.payload as { text: string, metadata: { answered: Array<{ expert: string, mode: string, sources: Source[] }>, cited?: string[] } }
    expect(metadata.answered.map(a => a.expert).sort()).toEqual(['devops_expert', 'python_expert'])
    const used = metadata.answered.flatMap(a => a.sources.map(s => s.id))
    expect(used.length).toBeGreaterThan(0)
    // the model was asked to cite, and given the ids of every record the answers used
    const merge = stub.requests.find(r => r.messages.some(m => m.role === 'user' && m.content.startsWith('Question: My asyncio task hangs')))
    expect(merge?.messages[0]?.content).toContain('Cite the memory records you use by their ids in square brackets')
    for (const id of used) expect(merge?.messages[1]?.content).toContain(`[${id}]`)
    // the stub echoes what it was given, so it cites every record; each cited id is one the answers used
    expect(metadata.cited?.length).toBeGreaterThan(0)
    for (const id of metadata.cited ?? []) expect(used).toContain(id)
    expect(text).toContain(`records cited: ${(metadata.cited ?? []).join(', ')}`)
    expect(text).toMatch(/^Asked .*\n\nstub answer to: Question: My asyncio task hangs/)
  })
})
