import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_MODEL, MANIFEST_FILE, modelDir } from '../../src/models/manifest.js'
import { runCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

/** The demo as a user runs it with the neural model installed (npm run models:test). */
const NEURAL = { OA_EMBEDDER: 'auto' }

function recordsIn (file: string): number {
  return readFileSync(join(import.meta.dirname, '..', '..', 'config', 'demo', 'knowledge', file), 'utf8').split('\n').filter(l => l.trim() !== '').length
}

interface DemoLine {
  question: string
  reply: { source: string, replyTo: string, payload: { text: string, metadata: { routing: Array<{ expert: string }>, answered: Array<{ expert: string, mode: string, sources: Array<{ kind: string, text: string, id: string, scoreKind: string, similarity: number }> }>, reused?: { id: string, score: number }, stored?: Array<{ id: string, kind: string }>, forumTopic?: string } } }
}

describe('oa-node demo, offline, with the neural model', () => {
  beforeAll(() => {
    const manifest = join(modelDir(), DEFAULT_MODEL, MANIFEST_FILE)
    if (!existsSync(manifest)) throw new Error(`the demo's tests need the embedding model ${DEFAULT_MODEL} in ${modelDir()}: run npm run models:test`)
  })

  it('routes by meaning, answers from each expert\'s own knowledge, stores a solution, reuses it for a paraphrase but not for a look-alike, and answers a question about HNSW M from the seeded knowledge after two about ef', async () => {
    const r = await runCli(['demo', '--json',
      '--ask', 'My asyncio task hangs when I deploy it to Kubernetes',
      '--ask', 'Why does my asyncio task get stuck after deploying to Kubernetes?',
      '--ask', 'How do I tune ef for HNSW?',
      '--ask', 'What ef should I use for an HNSW search?',
      '--ask', 'How should I choose HNSW M?',
      '--ask', 'My asyncio task crashes when I deploy it to Kubernetes',
      '--ask', 'event loop blocked under gunicorn',
      '--ask', 'What is the best pizza dough hydration?'], { timeoutMs: 230_000, env: NEURAL })
    expect(r.code, r.stderr).toBe(0)
    // with --json, stdout holds one JSON line per question and nothing else; progress is on stderr
    expect(r.stdout.trim().split('\n')).toHaveLength(8)
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
    const [first, second, , , m, crashes, gunicorn, pizza] = r.stdout.trim().split('\n').map(l => JSON.parse(l) as DemoLine)
    const meta = first!.reply.payload.metadata
    expect(first!.reply.source).toMatch(/^coordinator@/)
    expect(meta.routing.map(x => x.expert).sort()).toEqual(['devops_expert', 'python_expert'])
    expect(meta.answered.map(a => a.expert).sort()).toEqual(['devops_expert', 'python_expert'])
    // each expert answers from its own knowledge (scope own): Python records for one, DevOps records for the other
    const domain: Record<string, RegExp> = { python_expert: /^py-/, devops_expert: /^ops-/, milvus_expert: /^vdb-/ }
    for (const answer of meta.answered) {
      expect(answer.mode).toBe('retrieval')
      expect(answer.sources.length).toBeGreaterThan(0)
      for (const s of answer.sources) {
        expect(s).toMatchObject({ kind: 'expert_knowledge', scoreKind: 'fused', similarity: expect.any(Number) as unknown })
        expect(s.id).toMatch(domain[answer.expert] ?? /^$/)
      }
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
    for (const s of mAnswer?.sources ?? []) expect(s.kind).toBe('expert_knowledge')

    // a look-alike (crashes, not hangs) is another problem: the experts are asked again
    expect(crashes!.reply.payload.metadata.reused).toBeUndefined()
    expect(crashes!.reply.payload.metadata.answered.length).toBeGreaterThan(0)
    // no capability names gunicorn or the event loop: the meaning of the question finds the Python expert alone
    expect(gunicorn!.reply.payload.metadata.routing.map(x => x.expert)).toEqual(['python_expert'])
    // a question no expert covers gets the honest answer, and no expert is asked
    expect(pizza!.reply.payload.metadata.routing).toEqual([])
    expect(pizza!.reply.payload.text).toMatch(/^No expert in devsupport matches this question/)
    // every node process is gone: nothing is left listening for the demo
    expect(r.stderr).not.toMatch(/exited unexpectedly/)
  }, 240_000)

  it('keeps its nodes and memory in --data-dir between runs: the second run reuses the first run\'s solution, and not for a look-alike', async () => {
    // the embedded store, whose memory lives in the data dir (on Milvus it lives in Milvus whatever the dir)
    const env = { ...NEURAL, MILVUS_ADDRESS: '' }
    const dir = await tempDir()
    try {
      const question = 'How do I choose between HNSW and IVF_FLAT for ten million vectors?'
      const first = await runCli(['demo', '--json', '--data-dir', dir.path, '--ask', question], { timeoutMs: 120_000, env })
      expect(first.code, first.stderr).toBe(0)
      const asked = JSON.parse(first.stdout.trim()) as DemoLine
      expect(asked.reply.payload.metadata.reused).toBeUndefined()
      const solution = asked.reply.payload.metadata.stored?.find(s => s.kind === 'problem_solutions')?.id
      expect(solution, JSON.stringify(asked.reply.payload.metadata)).toBeDefined()

      const second = await runCli(['demo', '--json', '--data-dir', dir.path, '--ask', question, '--ask', 'How do I choose between HNSW and DiskANN for ten million vectors?'], { timeoutMs: 120_000, env })
      expect(second.code, second.stderr).toBe(0)
      const [again, other] = second.stdout.trim().split('\n').map(l => JSON.parse(l) as DemoLine)
      expect(again!.reply.payload.metadata.reused?.id).toBe(solution)
      expect(other!.reply.payload.metadata.reused).toBeUndefined()
    } finally {
      await dir.cleanup()
    }
  }, 240_000)
})
