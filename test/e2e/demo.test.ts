import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'

interface DemoLine {
  question: string
  reply: { source: string, replyTo: string, payload: { text: string, metadata: { routing: Array<{ expert: string }>, answered: Array<{ expert: string, mode: string, sources: Array<{ kind: string, text: string, id: string, scoreKind: string, similarity: number }> }>, reused?: { id: string, score: number }, stored?: Array<{ id: string, kind: string }> } } }
}

describe('oa-node demo, offline', () => {
  it('routes an asyncio-on-Kubernetes question to the Python and DevOps experts, answers from seeded knowledge, stores a solution, reuses it for a paraphrase, and after questions about ef answers one about HNSW M from the seeded knowledge', async () => {
    const r = await runCli(['demo', '--json',
      '--ask', 'My asyncio task hangs when I deploy it to Kubernetes',
      '--ask', 'Why does my asyncio task get stuck after deploying to Kubernetes?',
      '--ask', 'How do I tune ef for HNSW?',
      '--ask', 'What ef should I use for an HNSW search?',
      '--ask', 'How should I choose HNSW M?'], { timeoutMs: 230_000 })
    expect(r.code).toBe(0)
    const [first, second, , , m] = r.stdout.trim().split('\n').map(l => JSON.parse(l) as DemoLine)
    const meta = first!.reply.payload.metadata
    expect(first!.reply.source).toMatch(/^coordinator@/)
    expect(meta.routing.map(x => x.expert).sort()).toEqual(['devops_expert', 'python_expert'])
    expect(meta.answered.map(a => a.expert).sort()).toEqual(['devops_expert', 'python_expert'])
    for (const answer of meta.answered) {
      expect(answer.mode).toBe('retrieval')
      expect(answer.sources.some(s => s.kind === 'expert_knowledge')).toBe(true)
      for (const s of answer.sources) expect(s).toMatchObject({ scoreKind: 'fused', similarity: expect.any(Number) as unknown })
    }
    expect(first!.reply.payload.text).toContain('[retrieval-only: no language model configured]')
    expect(first!.reply.payload.text).toMatch(/asyncio|coroutine/)
    expect(meta.stored?.map(s => s.kind)).toEqual(['collaboration_history', 'problem_solutions'])
    const solution = meta.stored?.find(s => s.kind === 'problem_solutions')?.id

    const reused = second!.reply.payload.metadata.reused
    expect(reused?.id).toBe(solution)
    expect(second!.reply.payload.text).toContain('Found a stored solution')

    // after two questions about ef (posted, answered, captured), a question about M is answered from the seeded knowledge
    const mAnswer = m!.reply.payload.metadata.answered.find(a => a.expert === 'milvus_expert')
    expect(m!.reply.payload.metadata.reused).toBeUndefined()
    expect(mAnswer?.sources[0]).toMatchObject({ id: 'vdb-002', kind: 'expert_knowledge' })
    for (const s of mAnswer?.sources ?? []) expect(['expert_knowledge', 'problem_solutions']).toContain(s.kind)
    // every node process is gone: nothing is left listening for the demo
    expect(r.stderr).not.toMatch(/exited unexpectedly/)
  }, 240_000)
})
