import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LlmClient, LlmOfflineError, LlmRequestError } from '../../src/agents/index.js'
import { refusedPort } from '../helpers/endpoints.js'
import { startLlmStub } from '../helpers/llm-stub.js'
import { startTestNode } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { AgentLogEvent } from '../../src/agents/index.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'devsupport'
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'agents')

describe('LlmClient', () => {
  it('answers through an OpenAI-compatible endpoint and counts tokens', async () => {
    const stub = await startLlmStub()
    try {
      const llm = new LlmClient({ baseUrl: stub.url, model: 'stub-model', timeoutMs: 5000, maxRetries: 0 })
      expect(llm.online).toBe(true)
      expect(await llm.complete([{ role: 'user', content: 'hello there' }])).toBe('stub answer to: hello there')
      expect(stub.requests[0]?.model).toBe('stub-model')
      const usage = llm.usage()
      expect(usage.requests).toBe(1)
      expect(usage.totalTokens).toBe(usage.promptTokens + usage.completionTokens)
      expect(usage.totalTokens).toBeGreaterThan(0)
    } finally {
      await stub.stop()
    }
  })

  it('retries a 429 with backoff', async () => {
    const stub = await startLlmStub({ failFirst: 2 })
    try {
      const llm = new LlmClient({ baseUrl: stub.url, model: 'm', timeoutMs: 5000, maxRetries: 2 })
      expect(await llm.complete([{ role: 'user', content: 'q' }])).toBe('stub answer to: q')
      expect(stub.requests).toHaveLength(3)
    } finally {
      await stub.stop()
    }
  })

  it('is offline without an endpoint, and names a broken one', async () => {
    const offline = new LlmClient({ model: 'm', timeoutMs: 5000, maxRetries: 0 })
    expect(offline.online).toBe(false)
    expect(offline.describe()).toBe('offline')
    await expect(offline.complete([{ role: 'user', content: 'q' }])).rejects.toThrow(LlmOfflineError)
    const stub = await startLlmStub({ status: 401 })
    try {
      const refused = new LlmClient({ baseUrl: stub.url, apiKey: 'wrong', model: 'm', timeoutMs: 5000, maxRetries: 0 })
      await expect(refused.complete([{ role: 'user', content: 'q' }])).rejects.toThrow(LlmRequestError)
      await expect(refused.complete([{ role: 'user', content: 'q' }])).rejects.toThrow('HTTP 401')
      expect(refused.usage().failures).toBe(2)
    } finally {
      await stub.stop()
    }
    // nothing listening: one line naming the model, the endpoint and the cause
    const port = await refusedPort()
    const unreachable = new LlmClient({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', timeoutMs: 5000, maxRetries: 0 })
    await expect(unreachable.complete([{ role: 'user', content: 'q' }])).rejects.toThrow(new LlmRequestError(`m at http://127.0.0.1:${port}/v1: connection refused`))
  })
})

describe('experts with and without a language model', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let stub: Awaited<ReturnType<typeof startLlmStub>>
  const nodes: OaNode[] = []

  beforeAll(async () => {
    dir = await tempDir()
    stub = await startLlmStub()
  })

  afterAll(async () => {
    await Promise.all(nodes.map(async n => n.stop()))
    await stub.stop()
    await dir.cleanup()
  })

  const expert = { name: 'python_expert', type: 'expert' as const, community: C, capabilities: ['python'], instructions: 'You are terse.' }

  it('answers with the model when one is configured', async () => {
    const node = await startTestNode(dir.path, 'llm', { communities: [C], agents: [expert], llm: { baseUrl: stub.url, model: 'stub-model' } })
    nodes.push(node)
    const reply = await node.libp2p.services.channels.request({ community: C, from: 'user', to: `python_expert@${node.peerId.toString()}`, payload: { text: 'What is a coroutine?' } })
    // its memory holds nothing on the question: the model is asked all the same, and the answer says so
    expect(reply.payload).toMatchObject({ mode: 'llm', text: `I have no knowledge about this in ${C}.\n\nstub answer to: What is a coroutine?`, sources: [] })
    expect(stub.requests.at(-1)?.messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('You are terse.') as unknown })
    expect(node.status().llm.usage.requests).toBe(1)
  })

  it('answers retrieval-only, and says so, without a model or when the model fails', async () => {
    const offline = await startTestNode(dir.path, 'offline', { communities: [C], agents: [expert] })
    nodes.push(offline)
    await offline.libp2p.services.memory.remember(C, { kind: 'expert_knowledge', text: 'A coroutine in Python is declared with async def and awaited.' })
    const reply = await offline.libp2p.services.channels.request({ community: C, from: 'user', to: `python_expert@${offline.peerId.toString()}`, payload: { text: 'What is a Python coroutine?' } })
    expect(reply.payload).toMatchObject({ mode: 'retrieval', text: expect.stringContaining('[retrieval-only: no language model configured]') as unknown })
    expect((reply.payload as { text: string }).text).toContain('declared with async def')
    expect((reply.payload as { sources: Array<{ kind: string }> }).sources[0]).toMatchObject({ kind: 'expert_knowledge', scoreKind: 'fused' })

    const broken = await startTestNode(dir.path, 'broken', { communities: [C], agents: [expert], llm: { baseUrl: 'http://127.0.0.1:9/v1', model: 'm', maxRetries: 0 } })
    nodes.push(broken)
    const fallback = await broken.libp2p.services.channels.request({ community: C, from: 'user', to: `python_expert@${broken.peerId.toString()}`, payload: { text: 'What is a coroutine?' } })
    expect(fallback.payload).toMatchObject({ mode: 'retrieval', text: expect.stringContaining('[retrieval-only: language model unavailable:') as unknown })
  })
})

describe('user agent modules', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: OaNode
  const logs: AgentLogEvent[] = []

  beforeAll(async () => {
    dir = await tempDir()
    node = await startTestNode(dir.path, 'mods', {
      communities: [C],
      agents: [
        { name: 'echo', module: join(FIXTURES, 'echo-bot.mjs'), community: C },
        { name: 'not_agent', module: join(FIXTURES, 'not-an-agent.mjs'), community: C },
        { name: 'broken', module: join(FIXTURES, 'syntax-error.mjs'), community: C },
        { name: 'missing', module: join(FIXTURES, 'nope.mjs'), community: C }
      ]
    })
    node.libp2p.services.agents.addEventListener('log', (evt) => { logs.push(evt.detail) })
  })

  afterAll(async () => {
    await node.stop()
    await dir.cleanup()
  })

  it('loads a module agent from its path; a broken module is reported by file and the others run', () => {
    const agents = Object.fromEntries(node.status().agents.map(a => [a.name, a]))
    expect(agents.echo).toMatchObject({ state: 'running', kind: 'custom', id: `echo@${node.peerId.toString()}` })
    expect(agents.not_agent).toMatchObject({ state: 'failed', error: expect.stringContaining(`${join(FIXTURES, 'not-an-agent.mjs')} has no default export extending Agent`) as unknown })
    expect(agents.broken).toMatchObject({ state: 'failed', error: expect.stringContaining(`cannot load module ${join(FIXTURES, 'syntax-error.mjs')}`) as unknown })
    expect(agents.missing).toMatchObject({ state: 'failed', error: expect.stringContaining(join(FIXTURES, 'nope.mjs')) as unknown })
  })

  it('runs the module\'s handlers, and keeps running after one throws', async () => {
    const channels = node.libp2p.services.channels
    const ping = await channels.post({ community: C, channel: 'general', text: 'ping' })
    await waitFor('pong', () => channels.list(C, 'general').some(m => m.replyTo === ping.id && (m.payload as { text: string }).text === 'pong'))
    await channels.post({ community: C, channel: 'general', text: 'explode' })
    await waitFor('the failure is logged', () => logs.some(l => l.agent === 'echo' && l.level === 'warn' && l.message.includes('boom on purpose')))
    const again = await channels.post({ community: C, channel: 'general', text: 'ping again' })
    await waitFor('pong after the failure', () => channels.list(C, 'general').some(m => m.replyTo === again.id))
    const reply = await channels.request({ community: C, from: 'user', to: `echo@${node.peerId.toString()}`, payload: { n: 1 } })
    expect(reply.payload).toEqual({ echoed: { n: 1 }, by: `echo@${node.peerId.toString()}` })
  })
})
