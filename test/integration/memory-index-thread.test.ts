import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { LocalEmbedder } from '../../src/memory/embedders/lexical.js'
import { IndexThread } from '../../src/memory/stores/sqlite/index-thread.js'
import { SqliteStore } from '../../src/memory/stores/sqlite/store.js'
import { record } from '../contract/memory-store.js'
import { tempDir } from '../helpers/tmp.js'

const embedder = new LocalEmbedder()

function unit (values: number[]): Float32Array {
  const v = Float32Array.from(values)
  const n = Math.hypot(...v)
  return v.map(x => x / n)
}

describe('the vector index thread', () => {
  it('keeps a process with nothing else to do alive until a long search answers', async () => {
    // a search that takes longer than the blocking wait continues without blocking; the
    // process, with no other handle, must wait for it rather than exit mid-search
    const dir = await tempDir('oa-index-alive-')
    const script = join(dir.path, 'search.mjs')
    const module = new URL('../../dist/src/memory/stores/sqlite/index-thread.js', import.meta.url).href
    await writeFile(script, `import { IndexThread } from ${JSON.stringify(module)}
const dimension = 64
const index = await IndexThread.start(dimension)
const rows = 40000
const rids = Array.from({ length: rows }, (_, i) => i + 1)
let seed = 7
const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 - 0.5 }
const vectors = rids.map(() => Float32Array.from({ length: dimension }, random))
for (let i = 0; i < rows; i += 5000) await index.put(rids.slice(i, i + 5000), vectors.slice(i, i + 5000))
const found = await index.search(vectors[0], 16384)
console.log(JSON.stringify({ found: found.length, first: found[0]?.rid }))
await index.close()
`)
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 120_000 })
      expect(JSON.parse(stdout.trim())).toEqual({ found: 16384, first: 1 })
    } finally {
      await dir.cleanup()
    }
  }, 150_000)

  it('adds, replaces, removes, searches, saves and loads vectors on a thread of its own', async () => {
    const dir = await tempDir('oa-index-thread-')
    const index = await IndexThread.start(4)
    try {
      await index.put([1, 2, 3], [unit([1, 0, 0, 0]), unit([0, 1, 0, 0]), unit([0, 0, 1, 0])])
      expect(index.size()).toBe(3)
      expect((await index.search(unit([0.9, 0.1, 0, 0]), 1))[0]?.rid).toBe(1)
      // a row put again is replaced, not added twice
      await index.put([1], [unit([0, 0, 0, 1])])
      expect(index.size()).toBe(3)
      expect((await index.search(unit([0, 0, 0.1, 0.9]), 1))[0]?.rid).toBe(1)
      await index.remove([2])
      expect(index.size()).toBe(2)
      expect((await index.search(unit([0, 1, 0, 0]), 3)).map(n => n.rid)).not.toContain(2)
      await index.save(join(dir.path, 'saved.usearch'))
      const again = await IndexThread.start(4)
      try {
        expect(await again.load(join(dir.path, 'saved.usearch'))).toBe(true)
        expect(again.size()).toBe(2)
        expect(await again.load(join(dir.path, 'missing.usearch'))).toBe(false)
      } finally {
        await again.close()
      }
    } finally {
      await index.close()
      await dir.cleanup()
    }
  })

  it('answers searches made together each with its own neighbours, and a search made while a large put is under way', async () => {
    const index = await IndexThread.start(4)
    try {
      await index.put([1, 2, 3, 4], [unit([1, 0, 0, 0]), unit([0, 1, 0, 0]), unit([0, 0, 1, 0]), unit([0, 0, 0, 1])])
      const axes = [unit([0.9, 0.1, 0, 0]), unit([0, 0.9, 0.1, 0]), unit([0, 0, 0.9, 0.1]), unit([0.1, 0, 0, 0.9])]
      const found = await Promise.all(axes.map(async q => index.search(q, 1)))
      expect(found.map(f => f[0]?.rid)).toEqual([1, 2, 3, 4])
      // 5,000 rows more: the search asked meanwhile is answered from what the index holds when it gets to it
      const many = Array.from({ length: 5_000 }, (_, i) => unit([Math.cos(i), Math.sin(i), 0.01, 0.01]))
      const putting = index.put(many.map((_, i) => 100 + i), many)
      const meanwhile = await index.search(unit([0, 0, 1, 0]), 1)
      expect(meanwhile[0]?.rid).toBe(3)
      await putting
      expect(index.size()).toBe(5_004)
      expect((await index.search(unit([0, 0, 0, 1]), 1))[0]?.rid).toBe(4)
    } finally {
      await index.close()
    }
  })

  it('rejects every call once closed, naming the thread', async () => {
    const index = await IndexThread.start(4)
    await index.close()
    expect(index.failed).toBe(true)
    await expect(index.search(unit([1, 0, 0, 0]), 1)).rejects.toThrow(/vector index thread is closed/)
  })

  it('a store whose index thread is gone searches exactly: the writes and searches go on, nothing is lost', async () => {
    const dir = await tempDir('oa-index-thread-')
    const store = await SqliteStore.open({ dir: join(dir.path, 'memory'), embedder, writeWindowMs: 2, exactBelow: 50 })
    const warnings: string[] = []
    const onWarning = (w: Error): void => { warnings.push(w.message) }
    process.on('warning', onWarning)
    try {
      const rows = await Promise.all(Array.from({ length: 120 }, async (_, i) => record('big', `note ${i} about topic ${i % 17}`)))
      await store.upsert(rows)
      await store.indexBuilt()
      expect(store.isIndexReady()).toBe(true)
      // the thread dies (as if it crashed): the store is told at its next call into it
      await (store as unknown as { vectors: { index: IndexThread } }).vectors.index.close()
      const target = await record('big', 'Set ef at least as large as k to improve HNSW recall')
      await store.upsert([target])
      const [vector] = await embedder.embed(['better HNSW recall'])
      const hits = await store.search({ mode: 'vector', vector, k: 3, filter: { communities: ['big'] } })
      expect(hits[0]?.record.id).toBe(target.id)
      expect(store.isIndexReady()).toBe(false)
      expect(await store.count({ communities: ['big'] })).toBe(121)
      await expect.poll(() => warnings.some(w => /memory index: .*vector searches are exact/.test(w))).toBe(true)
    } finally {
      process.off('warning', onWarning)
      await store.close()
      await dir.cleanup()
    }
  })

  it('a store no larger than exactBelow runs no index thread; grown past it, it builds one in the background and finds every row meanwhile', async () => {
    const dir = await tempDir('oa-index-thread-')
    const store = await SqliteStore.open({ dir: join(dir.path, 'memory'), embedder, writeWindowMs: 2, exactBelow: 50 })
    const threadOf = (): unknown => (store as unknown as { vectors?: unknown }).vectors
    try {
      await store.upsert(await Promise.all(Array.from({ length: 50 }, async (_, i) => record('big', `note ${i} about topic ${i % 17}`))))
      await store.indexBuilt()
      expect(threadOf()).toBeUndefined()
      expect(store.isIndexReady()).toBe(false)
      const target = await record('big', 'Set ef at least as large as k to improve HNSW recall')
      await store.upsert([target, ...await Promise.all(Array.from({ length: 10 }, async (_, i) => record('big', `later note ${i}`)))])
      const [vector] = await embedder.embed(['better HNSW recall'])
      expect((await store.search({ mode: 'vector', vector, k: 1, filter: { communities: ['big'] } }))[0]?.record.id).toBe(target.id)
      await store.indexBuilt()
      expect(threadOf()).toBeDefined()
      expect(store.isIndexReady()).toBe(true)
      expect(store.indexedRecords()).toBe(61)
      expect((await store.search({ mode: 'vector', vector, k: 1, filter: { communities: ['big'] } }))[0]?.record.id).toBe(target.id)
    } finally {
      await store.close()
      await dir.cleanup()
    }
  })
})
