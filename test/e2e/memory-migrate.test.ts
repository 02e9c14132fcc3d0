import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

describe('memory migrate --to sqlite', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const dd = (): string[] => ['--data-dir', join(dir.path, 'n1')]
  const start = async (extra: string[] = []): ReturnType<typeof startNodeProcess> =>
    startNodeProcess(['--community', 'devsupport', '--community', 'ops', ...dd(), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0', ...extra])
  const exportOf = async (community: string): Promise<unknown[]> => {
    const out = await runCli(['memory', 'export', community, ...dd()])
    expect(out.code, out.stderr).toBe(0)
    return out.stdout.trim().split('\n').filter(l => l !== '').map(l => JSON.parse(l) as unknown)
  }
  let before: { devsupport: unknown[], ops: unknown[], stats: unknown }
  // records, kinds and highest seq per origin: the seqs must survive the move
  const statsOf = async (): Promise<unknown> => (JSON.parse((await runCli(['memory', 'stats', '--json', ...dd()])).stdout) as { communities: unknown }).communities
  let deletedId: string

  beforeAll(async () => {
    dir = await tempDir()
    const node = await start()
    try {
      const add = await runCli(['memory', 'add', 'devsupport', 'Set ef >= k; raise ef for recall', '--json', ...dd()])
      expect(add.code, add.stderr).toBe(0)
      const gone = await runCli(['memory', 'add', 'devsupport', 'a note about tabs versus spaces', '--json', ...dd()])
      deletedId = (JSON.parse(gone.stdout) as { id: string }).id
      const file = join(dir.path, 'knowledge.jsonl')
      await writeFile(file, [
        JSON.stringify({ id: 'rollback', text: 'kubectl rollout undo returns a deployment to its previous revision', metadata: { topic: 'k8s' } }),
        JSON.stringify({ text: 'asyncio.wait_for cancels the awaited task when the timeout expires' })
      ].join('\n') + '\n')
      expect((await runCli(['memory', 'import', 'ops', file, ...dd()])).code).toBe(0)
      const del = await runCli(['memory', 'delete', 'devsupport', deletedId, ...dd()])
      expect(del.code, del.stderr).toBe(0)
    } finally {
      await node.stop()
    }
    // read back by a node that opens the embedded store afresh, as the SQLite node will
    const again = await start()
    try {
      before = { devsupport: await exportOf('devsupport'), ops: await exportOf('ops'), stats: await statsOf() }
      expect(before.devsupport).toHaveLength(1)
      expect(before.ops).toHaveLength(2)
    } finally {
      await again.stop()
    }
  })

  afterAll(async () => {
    await dir.cleanup()
  })

  it('moves every record, tombstones included, and a node on the SQLite store serves them', async () => {
    const moved = await runCli(['memory', 'migrate', '--to', 'sqlite', ...dd()])
    expect(moved.code, moved.stderr).toBe(0)
    // a live record and the tombstone of the deleted one in devsupport, two in ops
    expect(moved.stdout).toContain('moved 4 records (communities devsupport 2, ops 2)')
    expect(moved.stdout).toContain('start the node with --memory sqlite (or memory.store: sqlite)')
    expect(moved.stdout).toContain('left in place')

    const check = await runCli(['check', ...dd()])
    expect(check.code, check.stdout).toBe(0)
    expect(check.stdout).toContain('sqlite store')

    const node = await start(['--memory', 'sqlite'])
    try {
      const stats = JSON.parse((await runCli(['memory', 'stats', '--json', ...dd()])).stdout) as { store: string }
      expect(stats.store).toBe('sqlite')
      expect(await exportOf('devsupport')).toEqual(before.devsupport)
      expect(await exportOf('ops')).toEqual(before.ops)
      expect(await statsOf()).toEqual(before.stats)
      const search = await runCli(['memory', 'search', 'ops', 'go back to the previous version of my deployment', '--k', '1', '--json', ...dd()])
      expect(search.code, search.stderr).toBe(0)
      expect(JSON.parse(search.stdout.trim().split('\n')[0] ?? '{}')).toMatchObject({ id: 'rollback', metadata: { topic: 'k8s' } })
      const deleted = await runCli(['memory', 'search', 'devsupport', 'tabs versus spaces', '--mode', 'text', '--json', ...dd()])
      expect(deleted.code, deleted.stderr).toBe(0)
      expect(deleted.stdout).not.toContain(deletedId)
      const running = await runCli(['memory', 'migrate', '--to', 'sqlite', ...dd()])
      expect(running.code).toBe(1)
      expect(running.stderr).toMatch(/in use by another oa-node \(pid \d+\)/)
    } finally {
      await node.stop()
    }
  })

  it('changes nothing when run again', async () => {
    const again = await runCli(['memory', 'migrate', '--to', 'sqlite', '--json', ...dd()])
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({ records: 4, communities: { devsupport: 2, ops: 2 } })
    const node = await start(['--memory', 'sqlite'])
    try {
      expect(await exportOf('devsupport')).toEqual(before.devsupport)
      expect(await exportOf('ops')).toEqual(before.ops)
    } finally {
      await node.stop()
    }
  })

  it('refuses bad flags with exit 2', async () => {
    expect((await runCli(['memory', 'migrate', '--to', 'milvus', ...dd()])).code).toBe(2)
    expect((await runCli(['memory', 'migrate', ...dd()])).code).toBe(2)
    expect((await runCli(['memory', 'migrate', '--to', 'sqlite', '--bogus', ...dd()])).code).toBe(2)
  })
})
