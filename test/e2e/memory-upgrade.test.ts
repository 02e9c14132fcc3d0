import { existsSync } from 'node:fs'
import { chmod, cp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DatabaseSync } from '../../src/runtime/sqlite.js'
import { runCli, startNodeProcess } from '../helpers/cli.js'
import { tempDir } from '../helpers/tmp.js'

/** A data dir of release 0.1, its memory in LanceDB, and what that release exported (test/fixtures/datadir-lancedb/README.md). */
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'datadir-lancedb')
const COMMUNITIES = ['devsupport', 'ops']

async function expected (name: string): Promise<string> {
  return readFile(join(FIXTURE, 'expected', name), 'utf8')
}

describe('a data dir of release 0.1 (LanceDB memory)', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let dataDir: string
  const dd = (): string[] => ['--data-dir', dataDir]
  const start = async (): ReturnType<typeof startNodeProcess> =>
    startNodeProcess([...COMMUNITIES.flatMap(c => ['--community', c]), ...dd(), '--listen', '/ip4/127.0.0.1/tcp/0', '--api-port', '0'])
  const exportOf = async (community: string): Promise<string> => {
    const out = await runCli(['memory', 'export', community, ...dd()])
    expect(out.code, out.stderr).toBe(0)
    return out.stdout
  }
  const communities = async (): Promise<unknown> => (JSON.parse((await runCli(['memory', 'stats', '--json', ...dd()])).stdout) as { communities: unknown }).communities
  const serves = async (): Promise<void> => {
    expect(await exportOf('devsupport')).toBe(await expected('devsupport.jsonl'))
    expect(await exportOf('ops')).toBe(await expected('ops.jsonl'))
    // records, kinds, highest seq per origin and the replication ledger, as 0.1 counted them
    expect(await communities()).toEqual(JSON.parse(await expected('communities.json')))
  }

  beforeEach(async () => {
    dir = await tempDir()
    dataDir = join(dir.path, 'n1')
    await cp(join(FIXTURE, 'n1'), dataDir, { recursive: true })
    await chmod(join(dataDir, 'identity.key'), 0o600)
  })

  afterEach(async () => {
    await dir.cleanup()
  })

  it('is checked as it is, then moved into SQLite at the first start: every record, the tombstone and the seqs kept', async () => {
    const before = await runCli(['check', ...dd()])
    expect(before.code, before.stdout).toBe(0)
    expect(before.stdout).toMatch(/memory\s+ok, 5 records \(devsupport 2, ops 3\), local-hash-v2 1024-d, LanceDB store of release 0\.1: it moves into SQLite at the next start/)

    const node = await start()
    try {
      await serves()
      const stats = JSON.parse((await runCli(['memory', 'stats', '--json', ...dd()])).stdout) as { store: string }
      expect(stats.store).toBe('embedded')
      const search = await runCli(['memory', 'search', 'ops', 'go back to the previous version of my deployment', '--k', '1', '--json', ...dd()])
      expect(search.code, search.stderr).toBe(0)
      expect(JSON.parse(search.stdout.trim().split('\n')[0] ?? '{}')).toMatchObject({ id: 'rollback', metadata: { topic: 'k8s' } })
      const deleted = await runCli(['memory', 'search', 'devsupport', 'tabs versus spaces', '--mode', 'text', '--json', ...dd()])
      expect(deleted.code, deleted.stderr).toBe(0)
      expect(deleted.stdout).toBe('')
      // the node's seqs go on from where 0.1 left them (6, the tombstone): none is handed out twice
      const added = await runCli(['memory', 'add', 'devsupport', 'written after the move', '--json', ...dd()])
      expect(added.code, added.stderr).toBe(0)
      expect((JSON.parse(added.stdout) as { seq: number }).seq).toBeGreaterThan(6)
    } finally {
      expect(await node.stop()).toBe(0)
    }
    const memory = join(dataDir, 'memory')
    expect(existsSync(join(memory, 'memory.db'))).toBe(true)
    expect(existsSync(join(memory, 'migrating-from-lancedb'))).toBe(false)
    // the LanceDB files are left in place; the node no longer reads them
    expect(existsSync(join(memory, 'memory.lance'))).toBe(true)
    const after = await runCli(['check', ...dd()])
    expect(after.code, after.stdout).toBe(0)
    expect(after.stdout).toMatch(/memory\s+ok, 6 records \(devsupport 3, ops 3\), lexical-v2 1024-d\n/)
    await rm(join(memory, 'memory.lance'), { recursive: true })
    await rm(join(memory, 'store.json'))
    const again = await start()
    try {
      expect((await exportOf('devsupport')).split('\n')).toHaveLength(3)
      expect(await exportOf('ops')).toBe(await expected('ops.jsonl'))
    } finally {
      expect(await again.stop()).toBe(0)
    }
  })

  it('is moved ahead of time by oa-node memory migrate, which a running node refuses, and a second run changes nothing', async () => {
    const moved = await runCli(['memory', 'migrate', ...dd()])
    expect(moved.code, moved.stderr).toBe(0)
    expect(moved.stdout).toContain('moved 5 records (communities devsupport 2, ops 3) into the embedded store (memory/memory.db)')
    expect(moved.stdout).toContain('left in place')
    const again = await runCli(['memory', 'migrate', '--to', 'sqlite', '--json', ...dd()])
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({ records: 5, communities: { devsupport: 2, ops: 3 }, embedder: 'local-hash-v2', dimension: 1024 })
    const node = await start()
    try {
      await serves()
      const running = await runCli(['memory', 'migrate', ...dd()])
      expect(running.code).toBe(1)
      expect(running.stderr).toMatch(/in use by another oa-node \(pid \d+\)/)
    } finally {
      expect(await node.stop()).toBe(0)
    }
    expect((await runCli(['memory', 'migrate', '--to', 'milvus', ...dd()])).code).toBe(2)
    expect((await runCli(['memory', 'migrate', '--bogus', ...dd()])).code).toBe(2)
  })

  it('finishes at the next start a move that was cut short', async () => {
    const moved = await runCli(['memory', 'migrate', ...dd()])
    expect(moved.code, moved.stderr).toBe(0)
    // as if the process died mid-move: part of the rows written, the marker still there
    const db = new DatabaseSync(join(dataDir, 'memory', 'memory.db'))
    db.prepare("DELETE FROM records WHERE community = 'ops'").run()
    db.close()
    await writeFile(join(dataDir, 'memory', 'migrating-from-lancedb'), 'cut short\n')
    const node = await start()
    try {
      await serves()
    } finally {
      expect(await node.stop()).toBe(0)
    }
    expect(existsSync(join(dataDir, 'memory', 'migrating-from-lancedb'))).toBe(false)
  })
})
