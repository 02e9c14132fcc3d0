import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, expect, it } from 'vitest'
import { LocalEmbedder } from '../../src/memory/embedders/local.js'
import { EmbedderMismatchError } from '../../src/memory/errors.js'
import { EmbeddedStore } from '../../src/memory/stores/embedded.js'
import { memoryStoreContract } from '../contract/memory-store.js'
import { tempDir } from '../helpers/tmp.js'

const embedder = new LocalEmbedder()
const open = async (dir: string, vectorIndexThreshold = 10_000): Promise<EmbeddedStore> => EmbeddedStore.open({ dir, embedder, writeWindowMs: 10, vectorIndexThreshold })

memoryStoreContract('embedded (LanceDB)', async () => {
  const dir = await tempDir('oa-mem-')
  let store = await open(join(dir.path, 'memory'))
  return {
    store,
    reopen: async () => {
      await store.close()
      store = await open(join(dir.path, 'memory'))
      return store
    },
    cleanup: async () => {
      await store.close()
      await dir.cleanup()
    }
  }
})

describe('embedded store', () => {
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
})
