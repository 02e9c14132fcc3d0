import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'
import type { NodeProcess } from '../helpers/cli.js'

describe('memory through the CLI', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: NodeProcess
  const dd = (): string[] => ['--data-dir', join(dir.path, 'n1')]

  beforeAll(async () => {
    dir = await tempDir()
    node = await startNodeProcess(['--community', 'devsupport', ...dd(), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0'])
  })

  afterAll(async () => {
    await node.stop()
    await dir.cleanup()
  })

  it('adds, imports (reporting bad lines by number), searches, exports and counts', async () => {
    const add = await runCli(['memory', 'add', 'devsupport', 'Set ef >= k; raise ef for recall', '--kind', 'expert_knowledge', ...dd()])
    expect(add.code).toBe(0)
    expect(add.stdout).toMatch(/^remembered \S+ \(expert_knowledge\) in devsupport/)

    const file = join(dir.path, 'knowledge.jsonl')
    await writeFile(file, [
      JSON.stringify({ text: 'kubectl rollout undo returns a deployment to its previous revision', kind: 'expert_knowledge' }),
      '{not json',
      JSON.stringify({ kind: 'expert_knowledge' }),
      JSON.stringify({ text: 'asyncio.wait_for cancels the awaited task when the timeout expires', metadata: { topic: 'python' } }),
      JSON.stringify({ text: 'bad kind here', kind: 'Bad Kind' })
    ].join('\n') + '\n')
    const imported = await runCli(['memory', 'import', 'devsupport', file, ...dd()])
    expect(imported.code).toBe(0)
    expect(imported.stdout).toContain('imported 2 records into devsupport: 2 new, 0 updated, 0 already present; rejected 3 lines')
    expect(imported.stderr).toContain(`${file}:2: not JSON`)
    expect(imported.stderr).toContain(`${file}:3: "text" is missing or not a string`)
    expect(imported.stderr).toContain(`${file}:5: "Bad Kind" is not a kind`)
    expect(imported.stderr).toMatch(/100%/)

    const search = await runCli(['memory', 'search', 'devsupport', 'how do I go back to the previous version of my deployment?', '--k', '2', '--json', ...dd()])
    expect(search.code).toBe(0)
    const hits = search.stdout.trim().split('\n').map(l => JSON.parse(l) as { id: string, text: string, kind: string, score: number, scoreKind: string, similarity: number, metadata: unknown })
    expect(hits[0]).toMatchObject({ kind: 'expert_knowledge', text: 'kubectl rollout undo returns a deployment to its previous revision', scoreKind: 'fused' })
    expect(typeof hits[0]?.score).toBe('number')
    expect(hits[0]?.similarity).toBeGreaterThan(hits[0]?.score ?? 1)

    const exported = await runCli(['memory', 'export', 'devsupport', ...dd()])
    expect(exported.code).toBe(0)
    expect(exported.stdout.trim().split('\n').map(l => (JSON.parse(l) as { text: string }).text).sort()).toEqual([
      'Set ef >= k; raise ef for recall',
      'asyncio.wait_for cancels the awaited task when the timeout expires',
      'kubectl rollout undo returns a deployment to its previous revision'
    ])

    const stats = await runCli(['memory', 'stats', '--json', ...dd()])
    const info = JSON.parse(stats.stdout) as { store: string, embedder: string, communities: Record<string, { records: number }> }
    expect(info).toMatchObject({ store: 'embedded', embedder: 'lexical-v2', communities: { devsupport: { records: 3 } } })
  })

  it('imports a file again without duplicating it, and says what was already there', async () => {
    const count = async (): Promise<number> => (JSON.parse((await runCli(['memory', 'stats', '--json', ...dd()])).stdout) as { communities: Record<string, { records: number }> }).communities.devsupport?.records ?? -1
    const before = await count()
    const file = join(dir.path, 'twice.jsonl')
    const line = JSON.stringify({ text: 'helm rollback returns a release to an earlier revision', metadata: { source: 'helm.md' } })
    await writeFile(file, [line, line, JSON.stringify({ id: 'faq-7', text: 'kubectl get events shows why a pod is pending', kind: 'expert_knowledge' })].join('\n') + '\n')
    const first = await runCli(['memory', 'import', 'devsupport', file, ...dd()])
    expect(first.code, first.stderr).toBe(0)
    // the repeated line names the record its first copy wrote
    expect(first.stdout).toContain('imported 3 records into devsupport: 2 new, 0 updated, 1 already present')
    expect(await count()).toBe(before + 2)

    const again = await runCli(['memory', 'import', 'devsupport', file, '--json', ...dd()])
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout)).toEqual({ imported: 3, new: 0, updated: 0, alreadyPresent: 3, rejected: [] })
    expect(await count()).toBe(before + 2)

    // a line whose other metadata changed updates its record; one with another source is another record
    await writeFile(file, [
      JSON.stringify({ text: 'helm rollback returns a release to an earlier revision', metadata: { source: 'helm.md', reviewed: true } }),
      JSON.stringify({ text: 'helm rollback returns a release to an earlier revision', metadata: { source: 'runbook.md' } })
    ].join('\n') + '\n')
    const changed = await runCli(['memory', 'import', 'devsupport', file, ...dd()])
    expect(changed.stdout).toContain('imported 2 records into devsupport: 1 new, 1 updated, 0 already present')
    expect(await count()).toBe(before + 3)

    // --agent writes the records as one of the node's agents: its own knowledge
    const own = join(dir.path, 'own.jsonl')
    await writeFile(own, JSON.stringify({ id: 'ops-own-1', text: 'kubectl rollout undo returns a deployment to its previous revision' }) + '\n')
    const asAgent = await runCli(['memory', 'import', 'devsupport', own, '--agent', 'devops_expert', ...dd()])
    expect(asAgent.code, asAgent.stderr).toBe(0)
    const exported = (await runCli(['memory', 'export', 'devsupport', ...dd()])).stdout.split('\n').filter(l => l.includes('ops-own-1')).map(l => JSON.parse(l) as { agent: string })
    expect(exported).toEqual([expect.objectContaining({ agent: expect.stringMatching(/^devops_expert@12D3KooW/) as unknown })])
    const foreign = await runCli(['memory', 'import', 'devsupport', own, '--agent', 'devops_expert@12D3KooWNotThisNode', ...dd()])
    expect(foreign.stderr).toMatch(/is not an agent of this node/)

    const help = await runCli(['memory', 'import', '--help'])
    expect(help.stdout).toContain('Each line of the file is one JSON object:')
    expect(help.stdout).toContain('Example line:')
    expect(help.stdout).toContain('Importing is idempotent')
  })

  it('labels each score by what it is, and names who wrote each hit', async () => {
    const q = ['memory', 'search', 'devsupport', 'rollout undo to a previous revision', '--k', '1', ...dd()]
    const vector = await runCli([...q, '--mode', 'vector'])
    expect(vector.stdout).toMatch(/^1\. \[expert_knowledge\] similarity 0\.\d\d {2}\S+ {2}by \S+\n/)
    const text = await runCli([...q, '--mode', 'text'])
    expect(text.stdout).toMatch(/^1\. \[expert_knowledge\] bm25 \d+\.\d {2}\S+ {2}by \S+\n/)
    const hybrid = await runCli(q)
    expect(hybrid.stdout).toMatch(/^1\. \[expert_knowledge\] fused rank 0\.0\d{3}, similarity 0\.\d\d {2}\S+ {2}by \S+\n/)
    // the author is this node's agent, its peer id shortened as elsewhere in the CLI
    const self = (await runCli(['id', ...dd()])).stdout.trim()
    expect(hybrid.stdout.split('\n')[0]?.endsWith(`@…${self.slice(-6)}`)).toBe(true)
  })

  it('deletes a record of this node: search and export no longer find it, and a second delete names it missing', async () => {
    const add = await runCli(['memory', 'add', 'devsupport', 'The quokka cache is flushed nightly', '--json', ...dd()])
    const { id } = JSON.parse(add.stdout) as { id: string }
    const del = await runCli(['memory', 'delete', 'devsupport', id, ...dd()])
    expect(del.code, del.stderr).toBe(0)
    expect(del.stdout).toContain(`deleted ${id} from devsupport`)
    const search = await runCli(['memory', 'search', 'devsupport', 'quokka cache', '--mode', 'text', '--json', ...dd()])
    expect(search.stdout.trim()).toBe('')
    const exported = await runCli(['memory', 'export', 'devsupport', ...dd()])
    expect(exported.stdout).not.toContain(id)
    const again = await runCli(['memory', 'delete', 'devsupport', id, ...dd()])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain(`no record ${id} in devsupport`)
  })

  it('refuses bad input with exit code 2 and a message naming it', async () => {
    const cases: Array<[string[], string]> = [
      [['memory', 'add', 'devsupport', ''], 'the text is empty'],
      [['memory', 'add', 'nope', 'x'], 'has not joined community "nope"'],
      [['memory', 'add', 'devsupport', 'x', '--metadata', '[1]'], '--metadata: must be a JSON object'],
      [['memory', 'search', 'devsupport', 'x', '--kind', 'Bad Kind'], '"Bad Kind" is not a kind'],
      [['memory', 'search', 'devsupport', 'x', '--mode', 'fuzzy'], "argument 'fuzzy' is invalid"],
      [['memory', 'import', 'devsupport', join(dir.path, 'missing.jsonl')], 'missing.jsonl: cannot read (ENOENT)']
    ]
    for (const [args, message] of cases) {
      const r = await runCli([...args, ...dd()])
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toContain(message)
    }
  })
})
