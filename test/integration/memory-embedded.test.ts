import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { generateKeyPair } from '@libp2p/crypto/keys'
import * as lancedb from '@lancedb/lancedb'
import { Binary, Field, FixedSizeList, Float32, Int64, Schema, Utf8 } from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { LocalEmbedder } from '../../src/memory/embedders/local.js'
import { EmbedderMismatchError } from '../../src/memory/errors.js'
import { makeRecord, makeTombstone, verifyRecord } from '../../src/memory/record.js'
import { EmbeddedStore } from '../../src/memory/stores/embedded.js'
import { memoryStoreContract, onDisk } from '../contract/memory-store.js'
import { tempDir } from '../helpers/tmp.js'

const embedder = new LocalEmbedder()
const open = async (dir: string, vectorIndexThreshold = 10_000): Promise<EmbeddedStore> => EmbeddedStore.open({ dir, embedder, writeWindowMs: 10, vectorIndexThreshold })

memoryStoreContract('embedded (LanceDB)', onDisk(async dir => open(dir)))

describe('embedded store', () => {
  it('opens a table of the first format (no tombstone columns), keeps its records and their signatures, and takes tombstones', async () => {
    const dir = await tempDir('oa-mem-v1-')
    try {
      const memoryDir = join(dir.path, 'memory')
      const key = await generateKeyPair('Ed25519')
      const base = await makeRecord({ id: 'old-1', text: 'written before tombstones existed' }, 'c', 1, key)
      const [vector] = await embedder.embed([base.text])
      const db = await lancedb.connect(memoryDir)
      const v1 = new Schema([
        ...['id', 'community', 'kind', 'agent', 'origin'].map(n => new Field(n, new Utf8(), false)),
        new Field('seq', new Int64(), false), new Field('text', new Utf8(), false), new Field('metadata', new Utf8(), false), new Field('created_at', new Int64(), false),
        new Field('signature', new Binary(), true), new Field('vector', new FixedSizeList(embedder.dimension, new Field('item', new Float32(), true)), false)
      ] as Field[])
      const table = await db.createEmptyTable('memory', v1)
      const { createdAt, ...fields } = base
      await table.add([{ ...fields, seq: 1n, metadata: '{}', created_at: BigInt(createdAt), signature: Buffer.from(base.signature), vector }])
      table.close()
      db.close()
      const store = await open(memoryDir)
      const [held] = await store.get(['old-1'], ['c'])
      expect(held).toMatchObject({ id: 'old-1', text: base.text, seq: 1 })
      expect(held?.deleted).toBeUndefined()
      expect(await verifyRecord(held!)).toBe(true)
      await store.upsert([{ ...await makeTombstone(held!, 2, key, [[1, 1]]), vector: vector ?? [] }])
      expect(await store.count({ communities: ['c'] })).toBe(0)
      await store.close()
    } finally {
      await dir.cleanup()
    }
  })

  it('refuses to open with another embedder and says how to migrate', async () => {
    const dir = await tempDir('oa-mem-')
    try {
      const first = await open(join(dir.path, 'memory'))
      await first.close()
      const other = EmbeddedStore.open({ dir: join(dir.path, 'memory'), embedder: { name: 'openai:text-embedding-3-small', dimension: 1536 }, writeWindowMs: 10, vectorIndexThreshold: 10_000 })
      await expect(other).rejects.toThrow(EmbedderMismatchError)
      await expect(other).rejects.toThrow(/embedded with local-hash-v2 \(1024 dimensions\).*oa-node memory export/)
    } finally {
      await dir.cleanup()
    }
  })

  it('keeps every acknowledged write when the writing process is killed mid-stream', async () => {
    const dir = await tempDir('oa-mem-crash-')
    try {
      const memoryDir = join(dir.path, 'memory')
      const writer = spawn(process.execPath, [join(import.meta.dirname, '..', 'fixtures', 'memory-writer.mjs'), memoryDir], { stdio: ['ignore', 'pipe', 'inherit'] })
      const acknowledged: string[] = []
      const enough = new Promise<void>((resolve) => {
        createInterface({ input: writer.stdout }).on('line', (line) => {
          acknowledged.push(line.trim())
          if (acknowledged.length === 60) resolve()
        })
      })
      await enough
      writer.kill('SIGKILL')
      await new Promise(resolve => writer.once('exit', resolve))
      const store = await open(memoryDir)
      try {
        const present = await store.get(acknowledged, ['crash'])
        expect(new Set(present.map(r => r.id))).toEqual(new Set(acknowledged))
        expect(await store.count({ communities: ['crash'] })).toBeGreaterThanOrEqual(acknowledged.length)
      } finally {
        await store.close()
      }
    } finally {
      await dir.cleanup()
    }
  })

  it('builds a vector index past its threshold and still finds by meaning', async () => {
    const dir = await tempDir('oa-mem-idx-')
    const store = await open(join(dir.path, 'memory'), 300)
    try {
      const { record } = await import('../contract/memory-store.js')
      const rows = await Promise.all(Array.from({ length: 320 }, async (_, i) => record('big', `note ${i} about topic ${i % 17} and detail ${i * 7}`)))
      const target = await record('big', 'Set ef at least as large as k to improve HNSW recall')
      await store.upsert([...rows, target])
      await store.optimize()
      const [vector] = await embedder.embed(['better HNSW recall'])
      const hits = await store.search({ mode: 'vector', vector, k: 3, filter: { communities: ['big'] } })
      expect(hits[0]?.record.id).toBe(target.id)
    } finally {
      await store.close()
      await dir.cleanup()
    }
  })

  it('batches sustained writes into commits spaced by the commit interval', async () => {
    const dir = await tempDir('oa-mem-commit-')
    const memoryDir = join(dir.path, 'memory')
    const store = await EmbeddedStore.open({ dir: memoryDir, embedder, writeWindowMs: 10, commitIntervalMs: 400, vectorIndexThreshold: 10_000 })
    try {
      const { record } = await import('../contract/memory-store.js')
      const versionsNow = async (): Promise<number> => {
        const db = await lancedb.connect(memoryDir)
        const table = await db.openTable('memory')
        try {
          return (await table.listVersions()).length
        } finally {
          table.close()
        }
      }
      const before = await versionsNow()
      // 40 writes, one every 25 ms: about a second of sustained writing
      const writes: Array<Promise<void>> = []
      const started = Date.now()
      for (let i = 0; i < 40; i++) {
        writes.push(store.upsert([await record('busy', `sustained write ${i}`)]))
        await new Promise(resolve => setTimeout(resolve, 25))
      }
      await Promise.all(writes)
      const elapsed = Date.now() - started
      const commits = await versionsNow() - before
      // the write window alone (10 ms) would commit most writes on their own; spaced by
      // 400 ms there is one commit per interval of writing (plus the first commit's two
      // index versions), however slow a loaded machine made the loop
      expect(commits).toBeGreaterThanOrEqual(1)
      expect(commits).toBeLessThanOrEqual(Math.ceil(elapsed / 400) + 3)
      expect(commits).toBeLessThan(20)
      expect(await store.count({ communities: ['busy'] })).toBe(40)
    } finally {
      await store.close()
      await dir.cleanup()
    }
  })

  it('serves reads while it optimizes and reopens its table, and loses no write', async () => {
    const dir = await tempDir('oa-mem-reopen-')
    const store = await EmbeddedStore.open({ dir: join(dir.path, 'memory'), embedder, writeWindowMs: 5, vectorIndexThreshold: 10_000, optimizeEveryCommits: 3 })
    try {
      const { record } = await import('../contract/memory-store.js')
      const [vector] = await embedder.embed(['write number'])
      let reads = 0
      let writing = true
      const reader = (async () => {
        // bounded: stops when the writes are done, or after 2,000 reads
        while (writing && reads < 2_000) {
          await store.search({ mode: 'hybrid', text: 'write number', vector, k: 5, filter: { communities: ['r'] } })
          await store.count({ communities: ['r'] })
          reads++
        }
      })()
      for (let i = 0; i < 30; i++) await store.upsert([await record('r', `write number ${i}`)])
      writing = false
      await reader
      expect(reads).toBeGreaterThan(0)
      expect(await store.count({ communities: ['r'] })).toBe(30)
      expect((await store.page('r', undefined, 100)).length).toBe(30)
    } finally {
      await store.close()
      await dir.cleanup()
    }
  })
})
