import { spawn } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it, vi } from 'vitest'
import { LocalEmbedder } from '../../src/memory/embedders/local.js'
import { EmbedderMismatchError } from '../../src/memory/errors.js'
import { makeTombstone } from '../../src/memory/record.js'
import { DatabaseSync } from '../../src/runtime/sqlite.js'
import { DB_FILE, INDEX_FILE } from '../../src/memory/stores/sqlite/schema.js'
import { SqliteStore } from '../../src/memory/stores/sqlite/store.js'
import { VectorIndex } from '../../src/memory/stores/sqlite/vector-index.js'
import { checkDataDir } from '../../src/node/check-data-dir.js'
import { memoryStoreContract, onDisk, record } from '../contract/memory-store.js'
import { runCli } from '../helpers/cli.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { SqliteStoreInit } from '../../src/memory/stores/sqlite/store.js'

const embedder = new LocalEmbedder()
const open = async (dir: string, more: Partial<SqliteStoreInit> = {}): Promise<SqliteStore> => SqliteStore.open({ dir, embedder, writeWindowMs: 2, ...more })

memoryStoreContract('sqlite', onDisk(async dir => open(dir)))

/** `n` records of one community, and a target to find by meaning among them. */
async function corpus (community: string, n: number): Promise<{ rows: Awaited<ReturnType<typeof record>>[], target: Awaited<ReturnType<typeof record>> }> {
  const rows = await Promise.all(Array.from({ length: n }, async (_, i) => record(community, `note ${i} about topic ${i % 17} and detail ${i * 7}`, { kind: i % 50 === 0 ? 'rare_kind' : 'expert_knowledge' })))
  const target = await record(community, 'Set ef at least as large as k to improve HNSW recall')
  return { rows, target }
}

async function topId (store: SqliteStore, community: string, q: string, extra: { exact?: boolean, kinds?: string[] } = {}): Promise<string | undefined> {
  const [vector] = await embedder.embed([q])
  const hits = await store.search({ mode: 'vector', vector, k: 3, filter: { communities: [community], ...(extra.kinds == null ? {} : { kinds: extra.kinds }) }, ...(extra.exact == null ? {} : { exact: extra.exact }) })
  return hits[0]?.record.id
}

describe('sqlite store', () => {
  it('keeps its records and its vector index across a reopen: the saved index serves at once', async () => {
    const dir = await tempDir('oa-sqlite-')
    const memoryDir = join(dir.path, 'memory')
    try {
      const { rows, target } = await corpus('big', 300)
      const first = await open(memoryDir, { exactBelow: 50 })
      await first.upsert([...rows, target])
      await first.close()
      expect(existsSync(join(memoryDir, DB_FILE))).toBe(true)
      expect(existsSync(join(memoryDir, INDEX_FILE))).toBe(true)
      const again = await open(memoryDir, { exactBelow: 50 })
      try {
        expect(again.isIndexReady()).toBe(true)
        expect(await again.count({ communities: ['big'] })).toBe(301)
        expect(await topId(again, 'big', 'better HNSW recall')).toBe(target.id)
      } finally {
        await again.close()
      }
    } finally {
      await dir.cleanup()
    }
  })

  it('searches through the HNSW index when the filter is broad, and exactly when it is selective', async () => {
    const dir = await tempDir('oa-sqlite-')
    const store = await open(join(dir.path, 'memory'), { exactBelow: 50 })
    const search = vi.spyOn(VectorIndex.prototype, 'search')
    try {
      const { rows, target } = await corpus('big', 300)
      await store.upsert([...rows, target])
      expect(await topId(store, 'big', 'better HNSW recall')).toBe(target.id)
      expect(search).toHaveBeenCalledTimes(1)
      expect(await topId(store, 'big', 'better HNSW recall', { exact: true })).toBe(target.id)
      const rare = rows.filter(r => r.kind === 'rare_kind').map(r => r.id)
      expect(rare.length).toBe(6)
      expect(rare).toContain(await topId(store, 'big', 'topic', { kinds: ['rare_kind'] }))
      expect(search).toHaveBeenCalledTimes(1)
    } finally {
      search.mockRestore()
      await store.close()
      await dir.cleanup()
    }
  })

  it('rebuilds a deleted index from the database, answering exactly meanwhile', async () => {
    const dir = await tempDir('oa-sqlite-')
    const memoryDir = join(dir.path, 'memory')
    try {
      const { rows, target } = await corpus('big', 300)
      const first = await open(memoryDir)
      await first.upsert([...rows, target])
      await first.close()
      rmSync(join(memoryDir, INDEX_FILE))
      const again = await open(memoryDir, { exactBelow: 50, rebuildChunk: 10 })
      try {
        expect(again.isIndexReady()).toBe(false)
        expect(await topId(again, 'big', 'better HNSW recall')).toBe(target.id)
        await again.indexBuilt()
        expect(again.isIndexReady()).toBe(true)
        expect(existsSync(join(memoryDir, INDEX_FILE))).toBe(true)
        expect(await topId(again, 'big', 'better HNSW recall')).toBe(target.id)
      } finally {
        await again.close()
      }
    } finally {
      await dir.cleanup()
    }
  })

  it('rebuilds a stale index (the database changed after it was saved) and never returns a row the database lost', async () => {
    const dir = await tempDir('oa-sqlite-')
    const memoryDir = join(dir.path, 'memory')
    try {
      const { rows, target } = await corpus('big', 300)
      const first = await open(memoryDir)
      await first.upsert([...rows, target])
      await first.close()
      // another writer removes the target row after the index was saved
      const db = new DatabaseSync(join(memoryDir, DB_FILE))
      db.prepare('DELETE FROM records WHERE id = ?').run(target.id)
      db.exec("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
      db.close()
      const again = await open(memoryDir, { exactBelow: 50 })
      try {
        expect(again.isIndexReady()).toBe(false)
        await again.indexBuilt()
        expect(await topId(again, 'big', 'Set ef at least as large as k to improve HNSW recall')).not.toBe(target.id)
        expect(await again.count({ communities: ['big'] })).toBe(300)
      } finally {
        await again.close()
      }
    } finally {
      await dir.cleanup()
    }
  })

  it('keeps a record deleted in the same batch out of the index: searches through it never return the tombstone', async () => {
    const dir = await tempDir('oa-sqlite-')
    const store = await open(join(dir.path, 'memory'), { exactBelow: 50 })
    try {
      const { rows } = await corpus('big', 300)
      await store.upsert(rows)
      const key = await generateKeyPair('Ed25519')
      const target = await record('big', 'Set ef at least as large as k to improve HNSW recall', {}, key)
      const tombstone = { ...await makeTombstone(target, target.seq + 1, key, [[target.seq, target.seq]]), vector: target.vector }
      await Promise.all([store.upsert([target]), store.upsert([tombstone])])
      expect(await store.count({ communities: ['big'] })).toBe(300)
      expect(store.indexedRecords()).toBe(300)
      const [vector] = await embedder.embed([target.text])
      const hits = await store.search({ mode: 'vector', vector, k: 5, filter: { communities: ['big'] } })
      expect(hits.length).toBe(5)
      expect(hits.map(h => h.record.id)).not.toContain(target.id)
    } finally {
      await store.close()
      await dir.cleanup()
    }
  })

  it('refuses to open with another embedder and says how to migrate', async () => {
    const dir = await tempDir('oa-sqlite-')
    try {
      const first = await open(join(dir.path, 'memory'))
      await first.close()
      const other = SqliteStore.open({ dir: join(dir.path, 'memory'), embedder: { name: 'openai:text-embedding-3-small', dimension: 1536 }, writeWindowMs: 2 })
      await expect(other).rejects.toThrow(EmbedderMismatchError)
      await expect(other).rejects.toThrow(/embedded with local-hash-v2 \(1024 dimensions\).*oa-node memory export/)
    } finally {
      await dir.cleanup()
    }
  })

  it('keeps every acknowledged write when the writing process is killed mid-stream, and its search works after', async () => {
    const dir = await tempDir('oa-sqlite-crash-')
    try {
      const memoryDir = join(dir.path, 'memory')
      const writer = spawn(process.execPath, [join(import.meta.dirname, '..', 'fixtures', 'sqlite-writer.mjs'), memoryDir], { stdio: ['ignore', 'pipe', 'inherit'] })
      const acknowledged: string[] = []
      const enough = new Promise<void>((resolve, reject) => {
        writer.once('exit', code => { reject(new Error(`the writer exited (${code}) after ${acknowledged.length} writes`)) })
        createInterface({ input: writer.stdout }).on('line', (line) => {
          acknowledged.push(line.trim())
          if (acknowledged.length === 60) resolve()
        })
      })
      await enough
      const exited = new Promise(resolve => writer.once('exit', resolve))
      writer.kill('SIGKILL')
      await exited
      const store = await open(memoryDir)
      try {
        const present = await store.get(acknowledged, ['crash'])
        expect(new Set(present.map(r => r.id))).toEqual(new Set(acknowledged))
        expect(await store.count({ communities: ['crash'] })).toBeGreaterThanOrEqual(acknowledged.length)
        await store.indexBuilt()
        const [vector] = await embedder.embed(['record number 7 written before the crash'])
        const hits = await store.search({ mode: 'hybrid', text: 'record number 7', vector, k: 3, filter: { communities: ['crash'] } })
        expect(hits.length).toBe(3)
      } finally {
        await store.close()
      }
    } finally {
      await dir.cleanup()
    }
  })

  it('is the default store, and oa-node check reads it: sound, then a tampered record and a damaged vector named', async () => {
    const dir = await tempDir('oa-sqlite-check-')
    try {
      const node = await startTestNode(dir.path, 'n', { communities: ['devsupport'], memory: { capture: { '*': [] } } })
      for (let i = 0; i < 3; i++) await node.libp2p.services.memory.remember('devsupport', { text: `note ${i} about hnsw ef and recall`, id: `note-${i}` })
      await node.libp2p.services.memory.delete('devsupport', 'note-1')
      await node.stop()
      const dataDir = join(dir.path, 'n')
      const memoryDir = join(dataDir, 'memory')
      expect(existsSync(join(memoryDir, DB_FILE))).toBe(true)
      expect(existsSync(join(memoryDir, 'store.json'))).toBe(false)
      const sound = await checkDataDir(dataDir)
      expect(sound.memory).toMatchObject({ store: 'sqlite', present: true, records: 3, communities: { devsupport: 3 }, embedder: 'local-hash-v2', dimension: 1024, problems: [] })
      expect(sound.ok).toBe(true)
      const cli = await runCli(['check', '--data-dir', dataDir])
      expect(cli.code).toBe(0)
      expect(cli.stdout).toMatch(/memory\s+ok, 3 records \(devsupport 3\), local-hash-v2 1024-d\n/)
      const db = new DatabaseSync(join(memoryDir, DB_FILE))
      db.prepare("UPDATE records SET text = 'rewritten' WHERE id = 'note-2'").run()
      db.prepare("UPDATE records SET vector = x'00' WHERE id = 'note-0'").run()
      db.close()
      const damaged = await checkDataDir(dataDir)
      expect(damaged.ok).toBe(false)
      expect(damaged.memory.problems).toEqual([expect.stringContaining('record note-0: vector has no dimensions'), expect.stringContaining('record note-2: bad signature')])
      const text = await runCli(['check', '--data-dir', dataDir])
      expect(text.code).toBe(1)
      expect(text.stdout).toMatch(/memory\s+DAMAGED, 3 records/)
    } finally {
      await dir.cleanup()
    }
  })

  it('replicates between two nodes on the embedded store: records, then a delete', async () => {
    const dir = await tempDir('oa-sqlite-repl-')
    const layer = { communities: ['devsupport'], memory: { syncIntervalMs: 1500, capture: { '*': [] } } }
    const a = await startTestNode(dir.path, 'a', layer)
    const b = await startTestNode(dir.path, 'b', { ...layer, network: { bootstrap: [tcpAddr(a)] } })
    try {
      for (let i = 0; i < 5; i++) await a.libp2p.services.memory.remember('devsupport', { text: `note ${i} about hnsw ef and recall`, id: `note-${i}` })
      const held = async (): Promise<string[]> => (await b.libp2p.services.memory.page('devsupport', undefined, 100)).map(r => r.id)
      await waitFor('b holds the 5 records', async () => (await held()).length === 5)
      expect(await held()).toEqual(['note-0', 'note-1', 'note-2', 'note-3', 'note-4'])
      await a.libp2p.services.memory.delete('devsupport', 'note-3')
      await waitFor('b drops the deleted record', async () => (await held()).length === 4)
      expect(await held()).not.toContain('note-3')
    } finally {
      await b.stop()
      await a.stop()
      await dir.cleanup()
    }
  })
})
