import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'

function recordsIn (file: string): number {
  return readFileSync(join(import.meta.dirname, '..', '..', 'config', 'demo', 'knowledge', file), 'utf8').split('\n').filter(l => l.trim() !== '').length
}

interface DemoLine {
  question: string
  reply: { source: string, replyTo: string, payload: { text: string, metadata: { routing: Array<{ expert: string }>, answered: Array<{ expert: string, mode: string, sources: Array<{ kind: string, text: string, id: string, scoreKind: string, similarity: number }> }>, reused?: { id: string, score: number }, stored?: Array<{ id: string, kind: string }>, forumTopic?: string } } }
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
    // with --json, stdout holds one JSON line per question and nothing else; progress is on stderr
    expect(r.stdout.trim().split('\n')).toHaveLength(5)
    const progress = [
      'starting node 1/3 (coordinator)...',
      'starting node 2/3 (python_expert)...',
      'starting node 3/3 (milvus_expert, devops_expert)...',
      `importing knowledge: ${recordsIn('python.jsonl')} records into python_expert's node...`,
      `importing knowledge: ${recordsIn('vectordb.jsonl')} records into milvus_expert's node...`,
      `importing knowledge: ${recordsIn('devops.jsonl')} records into devops_expert's node...`,
      'waiting for the experts to be found through the DHT...'
    ]
    const stderrLines = r.stderr.split('\n')
    const positions = progress.map(p => stderrLines.indexOf(p))
    expect(positions.every(i => i >= 0), r.stderr).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    const ready = stderrLines.findIndex(l => /^ready in \d+\.\d s$/.test(l))
    expect(ready).toBeGreaterThan(positions.at(-1) ?? Infinity)
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
    // the merged answer is a forum topic too, on which the experts comment
    expect(meta.forumTopic).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    const solution = meta.stored?.find(s => s.kind === 'problem_solutions')?.id

    const reused = second!.reply.payload.metadata.reused
    expect(reused?.id).toBe(solution)
    expect(second!.reply.payload.text).toContain('Found a stored solution')

    // after two questions about ef (posted, answered, captured), a question about M is answered from the seeded knowledge
    const mAnswer = m!.reply.payload.metadata.answered.find(a => a.expert === 'milvus_expert')
    expect(m!.reply.payload.metadata.reused).toBeUndefined()
    expect(mAnswer?.sources[0]).toMatchObject({ id: 'vdb-002', kind: 'expert_knowledge' })
    for (const s of mAnswer?.sources ?? []) expect(['expert_knowledge', 'problem_solutions', 'forum_post']).toContain(s.kind)
    // every node process is gone: nothing is left listening for the demo
    expect(r.stderr).not.toMatch(/exited unexpectedly/)
  }, 240_000)
})
