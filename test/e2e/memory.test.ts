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
    expect(imported.stdout).toContain('imported 2 records into devsupport; rejected 3 lines')
    expect(imported.stderr).toContain(`${file}:2: not JSON`)
    expect(imported.stderr).toContain(`${file}:3: "text" is missing or not a string`)
    expect(imported.stderr).toContain(`${file}:5: "Bad Kind" is not a kind`)
    expect(imported.stderr).toMatch(/100%/)

    const search = await runCli(['memory', 'search', 'devsupport', 'how do I go back to the previous version of my deployment?', '--k', '2', '--json', ...dd()])
    expect(search.code).toBe(0)
    const hits = search.stdout.trim().split('\n').map(l => JSON.parse(l) as { id: string, text: string, kind: string, score: number, metadata: unknown })
    expect(hits[0]).toMatchObject({ kind: 'expert_knowledge', text: 'kubectl rollout undo returns a deployment to its previous revision' })
    expect(typeof hits[0]?.score).toBe('number')

    const exported = await runCli(['memory', 'export', 'devsupport', ...dd()])
    expect(exported.code).toBe(0)
    expect(exported.stdout.trim().split('\n').map(l => (JSON.parse(l) as { text: string }).text).sort()).toEqual([
      'Set ef >= k; raise ef for recall',
      'asyncio.wait_for cancels the awaited task when the timeout expires',
      'kubectl rollout undo returns a deployment to its previous revision'
    ])

    const stats = await runCli(['memory', 'stats', '--json', ...dd()])
    const info = JSON.parse(stats.stdout) as { store: string, embedder: string, communities: Record<string, { records: number }> }
    expect(info).toMatchObject({ store: 'embedded', embedder: 'local-hash-v2', communities: { devsupport: { records: 3 } } })
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
