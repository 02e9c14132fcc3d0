import { spawn } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it, vi } from 'vitest'
import { LocalEmbedder } from '../../src/memory/embedders/lexical.js'
import { EmbedderMismatchError } from '../../src/memory/errors.js'
import { reciprocalRankFusion } from '../../src/memory/fusion.js'
import { makeTombstone } from '../../src/memory/record.js'
import { signVector } from '../../src/memory/replication/vector.js'
import { checkSqliteStore } from '../../src/memory/stores/sqlite/check.js'
import { DatabaseSync } from '../../src/runtime/sqlite.js'
import { DB_FILE, FORMAT, INDEX_FILE } from '../../src/memory/stores/sqlite/schema.js'
import { SqliteStore } from '../../src/memory/stores/sqlite/store.js'
import { IndexThread } from '../../src/memory/stores/sqlite/index-thread.js'
import { VectorIndex } from '../../src/memory/stores/sqlite/vector-index.js'
import { checkDataDir } from '../../src/node/check-data-dir.js'
import { memoryStoreContract, onDisk, record } from '../contract/memory-store.js'
import { runCli } from '../helpers/cli.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { SqliteStoreInit } from '../../src/memory/stores/sqlite/store.js'

const embedder = new LocalEmbedder()
/** The origin of the records whose vectors these tests sign. */
const key = await generateKeyPair('Ed25519')
const open = async (dir: string, more: Partial<SqliteStoreInit> = {}): Promise<SqliteStore> => SqliteStore.open({ dir, embedder, writeWindowMs: 2, ...more })

const onDiskReturningVectors = onDisk(async dir => open(dir))
memoryStoreContract('sqlite', async () => ({ ...await onDiskReturningVectors(), returnsVectors: true }))

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

/** The `generation` of a store's database, counted up by every write transaction, read beside the store. */
function generation (memoryDir: string): number {
  const db = new DatabaseSync(join(memoryDir, DB_FILE), { readOnly: true })
  try {
    return Number((db.prepare("SELECT value FROM meta WHERE key = 'generation'").get() as { value: string }).value)
  } finally {
    db.close()
  }
}

/** A turn of the event loop: whatever was set to run at the next one has run. */
async function nextTurn (): Promise<void> {
  await new Promise(resolve => setImmediate(resolve))
}

/** A memory.db of table format 1 (no vector_signature column) holding `records`, as that release wrote it. */
async function formatOneStore (memoryDir: string, records: Array<Awaited<ReturnType<typeof record>>>): Promise<void> {
  const made = await open(memoryDir)
  await made.close()
  rmSync(join(memoryDir, DB_FILE))
  rmSync(join(memoryDir, INDEX_FILE), { force: true })
  const db = new DatabaseSync(join(memoryDir, DB_FILE))
  db.exec('PRAGMA journal_mode = WAL')
  db.exec(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'sqlite-format1.sql'), 'utf8'))
  const meta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)')
  for (const [k, v] of [['embedder', embedder.name], ['dimension', String(embedder.dimension)], ['format', '1'], ['created_at', new Date().toISOString()], ['generation', '1']]) meta.run(k ?? '', v ?? '')
  const insert = db.prepare(`INSERT INTO records (community, origin, id, kind, agent, seq, text, metadata, created_at, deleted, covers, signature, vector)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', ?, ?)`)
  for (const r of records) insert.run(r.community, r.origin, r.id, r.kind, r.agent, r.seq, r.text, JSON.stringify(r.metadata), r.createdAt, r.signature, new Uint8Array(Float32Array.from(r.vector).buffer))
  db.close()
}

describe('sqlite store', () => {
  it('commits a lone write at once, without waiting for the write window; writes arriving together share one transaction', async () => {
    const dir = await tempDir('oa-sqlite-')
    const memoryDir = join(dir.path, 'memory')
    // a window of ten minutes: a write that waited for it would outlast the test
    const store = await open(memoryDir, { writeWindowMs: 600_000 })
    try {
      const before = generation(memoryDir)
      for (let i = 0; i < 3; i++) await store.upsert([await record('solo', `write ${i}, one at a time`)])
      expect(generation(memoryDir)).toBe(before + 3)
      const group = await Promise.all(Array.from({ length: 20 }, async (_, i) => record('solo', `write ${i} of a group`)))
      await Promise.all(group.map(async r => store.upsert([r])))
      expect(generation(memoryDir)).toBe(before + 4)
      expect(await store.count({ communities: ['solo'] })).toBe(23)
      // right after a commit that answered several callers, the next write waits for the window
      const late = store.upsert([await record('solo', 'a write while the store is busy')])
      await nextTurn()
      await nextTurn()
      expect(generation(memoryDir)).toBe(before + 4)
      await store.flushNow()
      await late
      expect(generation(memoryDir)).toBe(before + 5)
    } finally {
      await store.close()
      await dir.cleanup()
    }
  })

  it('answers a write before its vector index takes the record; a search right after finds it, and the index takes it in the background', async () => {
    const dir = await tempDir('oa-sqlite-')
    const store = await open(join(dir.path, 'memory'), { exactBelow: 50 })
    const put = vi.spyOn(IndexThread.prototype, 'put')
    const search = vi.spyOn(IndexThread.prototype, 'search')
    try {
      const { rows, target } = await corpus('big', 300)
      await store.upsert(rows)
      await store.indexBuilt()
      expect(store.indexedRecords()).toBe(300)
      put.mockClear()
      await store.upsert([target])
      expect(put).not.toHaveBeenCalled()
      expect(await topId(store, 'big', 'Set ef at least as large as k to improve HNSW recall')).toBe(target.id)
      expect(search).toHaveBeenCalledTimes(1)
      await waitFor('the index takes the record', () => store.indexedRecords() === 301)
      expect(put).toHaveBeenCalledTimes(1)
      expect(await topId(store, 'big', 'Set ef at least as large as k to improve HNSW recall')).toBe(target.id)
      expect(search).toHaveBeenCalledTimes(2)
    } finally {
      put.mockRestore()
      search.mockRestore()
      await store.close()
      await dir.cleanup()
    }
  })

  it('leaves English stop words out of a text query, and searches a query made only of them with its words as given', async () => {
    const dir = await tempDir('oa-sqlite-')
    const store = await open(join(dir.path, 'memory'))
    try {
      const migrations = await record('words', 'Django migrations are created with makemigrations and applied with migrate.')
      const filler = await record('words', 'This is the one that is in the middle of it all.')
      await store.upsert([migrations, filler])
      const text = async (q: string): Promise<string[]> => (await store.search({ mode: 'text', text: q, k: 10, filter: { communities: ['words'] } })).map(h => h.record.id)
      expect(await text('what is the command for the migrations of a project')).toEqual([migrations.id])
      expect(await text('is it the one')).toEqual([filler.id])
    } finally {
      await store.close()
      await dir.cleanup()
    }
  })


  it('fuses hybrid search on rows as reciprocalRankFusion fuses hits, each hit keeping its similarity and BM25', async () => {
    const dir = await tempDir('oa-sqlite-')
    const store = await open(join(dir.path, 'memory'))
    try {
      const { rows, target } = await corpus('fuse', 120)
      await store.upsert([...rows, target])
      const q = 'improve HNSW recall with ef topic 3'
      const [vector] = await embedder.embed([q])
      const filter = { communities: ['fuse'] }
      const byVector = await store.search({ mode: 'vector', vector, k: 60, filter })
      const byText = await store.search({ mode: 'text', text: q, k: 60, filter })
      // k = 5 fuses the first 20 of each list
      const expected = reciprocalRankFusion([byVector.slice(0, 20), byText.slice(0, 20)], 5)
      const hybrid = await store.search({ mode: 'hybrid', vector, text: q, k: 5, filter })
      expect(hybrid.map(h => h.record.id)).toEqual(expected.map(h => h.record.id))
      expect(hybrid.map(h => h.score)).toEqual(expected.map(h => h.score))
      for (const hit of hybrid) {
        expect(hit.scoreKind).toBe('fused')
        expect(hit.similarity).toBe(byVector.find(v => v.record.id === hit.record.id)?.similarity)
        expect(hit.bm25).toBe(byText.find(t => t.record.id === hit.record.id)?.bm25)
      }
      expect(hybrid[0]?.record.id).toBe(target.id)
    } finally {
      await store.close()
      await dir.cleanup()
    }
  })
  it('leaves out a query word so common that rarer words of the query already fill the match budget, and keeps the rarest word always', async () => {
    const dir = await tempDir('oa-sqlite-')
    const store = await open(join(dir.path, 'memory'), { textMatchBudget: 10 })
    try {
      const common = await Promise.all(Array.from({ length: 30 }, async (_, i) => record('budget', `the deployment service number ${i} restarted`)))
      const rare = await record('budget', 'the zebra service restarted')
      await store.upsert([...common, rare])
      const text = async (q: string): Promise<string[]> => (await store.search({ mode: 'text', text: q, k: 10, filter: { communities: ['budget'] } })).map(h => h.record.id)
      expect(await text('zebra service')).toEqual([rare.id])
      const onlyCommon = await text('which service restarted')
      expect(onlyCommon.length).toBe(10)
      expect(await text('unheard-of words')).toEqual([])
    } finally {
      await store.close()
      await dir.cleanup()
    }
  })

  it('brings a database of table format 1 up to date in place at open, losing nothing; oa-node check reads it before and after', async () => {
    const dir = await tempDir('oa-sqlite-format-')
    const memoryDir = join(dir.path, 'memory')
    try {
      const old = await Promise.all(Array.from({ length: 5 }, async (_, i) => record('old', `note ${i} written by the release of format 1`)))
      await formatOneStore(memoryDir, old)
      const before = await checkSqliteStore(memoryDir)
      expect(before).toMatchObject({ present: true, records: 5, communities: { old: 5 }, problems: [] })
      const store = await open(memoryDir)
      try {
        expect((await store.get(old.map(r => r.id), ['old'])).map(r => r.text).sort()).toEqual(old.map(r => r.text).sort())
        const synced = await store.afterSeq('old', old[0]?.origin ?? '', 0, 10)
        expect(synced.map(r => r.id)).toEqual(old.map(r => r.id))
        expect(Array.from(synced[0]?.vector ?? [])).toEqual(Array.from(Float32Array.from(old[0]?.vector ?? [])))
        expect(synced.every(r => r.vectorSignature == null)).toBe(true)
        const fresh = await record('old', 'a note written after the move to format 2', {}, key)
        const carried = await signVector(key, fresh, embedder, fresh.vector)
        await store.upsert([{ ...fresh, vectorSignature: carried.signature }])
        expect((await store.afterSeq('old', fresh.origin, fresh.seq - 1, 10))[0]?.vectorSignature).toEqual(carried.signature)
        await store.indexBuilt()
        expect(await topId(store, 'old', 'note 3 written by the release of format 1')).toBe(old[3]?.id)
      } finally {
        await store.close()
      }
      const db = new DatabaseSync(join(memoryDir, DB_FILE), { readOnly: true })
      expect((db.prepare("SELECT value FROM meta WHERE key = 'format'").get() as { value: string }).value).toBe(String(FORMAT))
      db.close()
      expect(await checkSqliteStore(memoryDir)).toMatchObject({ records: 6, problems: [] })
    } finally {
      await dir.cleanup()
    }
  })

  it('refuses to open a database of a later table format, and oa-node check names it', async () => {
    const dir = await tempDir('oa-sqlite-format-')
    const memoryDir = join(dir.path, 'memory')
    try {
      await (await open(memoryDir)).close()
      const db = new DatabaseSync(join(memoryDir, DB_FILE))
      db.prepare("UPDATE meta SET value = ? WHERE key = 'format'").run(String(FORMAT + 1))
      db.close()
      await expect(open(memoryDir)).rejects.toThrow(`has table format ${FORMAT + 1}, made by a newer release`)
      expect((await checkSqliteStore(memoryDir)).problems).toEqual([expect.stringContaining(`has table format ${FORMAT + 1}, made by a newer release`)])
    } finally {
      await dir.cleanup()
    }
  })

  it('oa-node check names a vector whose kept signature does not match it', async () => {
    const dir = await tempDir('oa-sqlite-check-')
    const memoryDir = join(dir.path, 'memory')
    try {
      const store = await open(memoryDir)
      const r = await record('signed', 'a record whose vector the origin signed', {}, key)
      await store.upsert([{ ...r, vectorSignature: (await signVector(key, r, embedder, r.vector)).signature }])
      await store.close()
      expect((await checkSqliteStore(memoryDir)).problems).toEqual([])
      const db = new DatabaseSync(join(memoryDir, DB_FILE))
      const altered = Float32Array.from(r.vector.map((x, i) => i === 0 ? x + 0.5 : x))
      db.prepare('UPDATE records SET vector = ? WHERE id = ?').run(new Uint8Array(altered.buffer), r.id)
      db.close()
      expect((await checkSqliteStore(memoryDir)).problems).toEqual([expect.stringContaining(`record ${r.id}: bad vector signature`)])
    } finally {
      await dir.cleanup()
    }
  })

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
    const search = vi.spyOn(IndexThread.prototype, 'search')
    try {
      const { rows, target } = await corpus('big', 300)
      await store.upsert([...rows, target])
      // the store has just grown past exactBelow: its index is built in the background
      await store.indexBuilt()
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
      const first = await open(memoryDir, { exactBelow: 50 })
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

  it('rebuilds a saved index that was built otherwise (another quantization) rather than loading it', async () => {
    const dir = await tempDir('oa-sqlite-')
    const memoryDir = join(dir.path, 'memory')
    try {
      const { rows, target } = await corpus('big', 300)
      const first = await open(memoryDir, { exactBelow: 50 })
      await first.upsert([...rows, target])
      await first.close()
      const db = new DatabaseSync(join(memoryDir, DB_FILE))
      const layout = (db.prepare("SELECT value FROM meta WHERE key = 'index_layout'").get() as { value: string }).value
      expect(layout).toBe(new VectorIndex(embedder.dimension).layout)
      db.prepare("UPDATE meta SET value = 'f32/links 16/expansion_add 128' WHERE key = 'index_layout'").run()
      db.close()
      const again = await open(memoryDir, { exactBelow: 50 })
      try {
        expect(again.isIndexReady()).toBe(false)
        await again.indexBuilt()
        expect(again.indexedRecords()).toBe(301)
        expect(await topId(again, 'big', 'Set ef at least as large as k to improve HNSW recall')).toBe(target.id)
      } finally {
        await again.close()
      }
      const after = new DatabaseSync(join(memoryDir, DB_FILE), { readOnly: true })
      expect((after.prepare("SELECT value FROM meta WHERE key = 'index_layout'").get() as { value: string }).value).toBe(layout)
      after.close()
    } finally {
      await dir.cleanup()
    }
  })

  it('rebuilds a stale index (the database changed after it was saved) and never returns a row the database lost', async () => {
    const dir = await tempDir('oa-sqlite-')
    const memoryDir = join(dir.path, 'memory')
    try {
      const { rows, target } = await corpus('big', 300)
      const first = await open(memoryDir, { exactBelow: 50 })
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
      const [before] = await embedder.embed([target.text])
      expect((await store.search({ mode: 'vector', vector: before, k: 5, filter: { communities: ['big'] } })).map(h => h.record.id)).not.toContain(target.id)
      await store.indexBuilt()
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
      await expect(other).rejects.toThrow(/embedded with lexical-v2 \(1024 dimensions\).*oa-node memory export/)
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
      expect(sound.memory).toMatchObject({ store: 'sqlite', present: true, records: 3, communities: { devsupport: 3 }, embedder: 'lexical-v2', dimension: 1024, problems: [] })
      expect(sound.ok).toBe(true)
      const cli = await runCli(['check', '--data-dir', dataDir])
      expect(cli.code).toBe(0)
      expect(cli.stdout).toMatch(/memory\s+ok, 3 records \(devsupport 3\), lexical-v2 1024-d\n/)
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
