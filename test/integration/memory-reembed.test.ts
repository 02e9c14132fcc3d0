import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LexicalEmbedder } from '../../src/memory/embedders/lexical.js'
import { NeuralEmbedder } from '../../src/memory/embedders/neural.js'
import { makeRecord } from '../../src/memory/record.js'
import { DB_FILE, readMeta } from '../../src/memory/stores/sqlite/schema.js'
import { SqliteStore } from '../../src/memory/stores/sqlite/store.js'
import { DatabaseSync } from '../../src/runtime/sqlite.js'
import { PACKAGE_ROOT } from '../../src/version.js'
import { testModel } from '../helpers/model.js'
import { tempDir } from '../helpers/tmp.js'
import type { Reembedder } from '../../src/memory/stores/sqlite/reembed.js'
import type { MemoryRecord } from '../../src/memory/types.js'

const C = 'devsupport'
const knowledge = ['python.jsonl', 'devops.jsonl'].flatMap(f => readFileSync(join(PACKAGE_ROOT, 'config', 'demo', 'knowledge', f), 'utf8').split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as { id: string, text: string }))

async function lexicalStore (dir: string): Promise<number> {
  const lexical = new LexicalEmbedder()
  const key = await generateKeyPair('Ed25519')
  const vectors = await lexical.embed(knowledge.map(k => k.text))
  const records: MemoryRecord[] = await Promise.all(knowledge.map(async (k, i) => ({ ...await makeRecord({ text: k.text, id: k.id, kind: 'expert_knowledge' }, C, i + 1, key), vector: vectors[i] ?? [] })))
  const store = await SqliteStore.open({ dir, embedder: lexical, writeWindowMs: 0 })
  await store.upsert(records)
  await store.close()
  return records.length
}

/** The neural embedder, counting the texts it embeds and failing on its n-th call when asked: a start cut short. */
function counting (inner: NeuralEmbedder, failOnCall?: number): Reembedder & { texts: number } {
  let calls = 0
  const wrapper = {
    name: inner.name,
    dimension: inner.dimension,
    texts: 0,
    embed: async (texts: string[]) => {
      if (++calls === failOnCall) throw new Error('the process was stopped')
      wrapper.texts += texts.length
      return inner.embed(texts)
    }
  }
  return wrapper
}

describe('a store embedded with another embedder, opened with the neural one', () => {
  let neural: NeuralEmbedder
  beforeAll(async () => { neural = await NeuralEmbedder.load(await testModel()) })
  afterAll(async () => { await neural.close() })

  it('is re-embedded at open: every record kept, searches go by meaning, and the next open does nothing more', async () => {
    const dir = await tempDir()
    try {
      const n = await lexicalStore(dir.path)
      const notices: string[] = []
      const reembed = counting(neural)
      const store = await SqliteStore.open({ dir: dir.path, embedder: neural, writeWindowMs: 0, reembed, notice: (m) => { notices.push(m) } })
      try {
        expect(reembed.texts).toBe(n)
        expect(notices[0]).toContain('was embedded with lexical-v2; re-embedding its records with all-minilm-l6-v2@')
        expect(notices.at(-1)).toMatch(new RegExp(`re-embedded ${n} records with all-minilm-l6-v2@`))
        expect(await store.count({ communities: [C] })).toBe(n)
        const [query] = await neural.embed(['my coroutine never finishes once it runs in a pod'])
        const hits = await store.search({ mode: 'vector', vector: query, k: 5, filter: { communities: [C] } })
        expect(hits.length).toBe(5)
        expect(hits[0]?.similarity ?? 0).toBeGreaterThan(0.3)
      } finally {
        await store.close()
      }
      const db = new DatabaseSync(join(dir.path, DB_FILE))
      expect(readMeta(db, 'embedder')).toBe(neural.name)
      expect(readMeta(db, 'dimension')).toBe('384')
      expect(readMeta(db, 'reembed_to')).toBeUndefined()
      db.close()
      const again = counting(neural)
      const reopened = await SqliteStore.open({ dir: dir.path, embedder: neural, writeWindowMs: 0, reembed: again })
      expect(again.texts).toBe(0)
      await reopened.close()
    } finally {
      await dir.cleanup()
    }
  })

  it('cut short, refuses to open saying the next start resumes, and the next start embeds only the rest', async () => {
    const dir = await tempDir()
    try {
      const n = await lexicalStore(dir.path)
      const first = counting(neural, 2)
      await expect(SqliteStore.open({ dir: dir.path, embedder: neural, writeWindowMs: 0, reembed: first })).rejects.toThrow(/cannot re-embed .* the process was stopped \(the records are kept; the next start resumes\)/)
      expect(first.texts).toBeGreaterThan(0)
      expect(first.texts).toBeLessThan(n)
      // half done, the store is refused by a node that cannot re-embed it
      await expect(SqliteStore.open({ dir: dir.path, embedder: new LexicalEmbedder(), writeWindowMs: 0 })).rejects.toThrow(/embedded with lexical-v2/)
      const second = counting(neural)
      const store = await SqliteStore.open({ dir: dir.path, embedder: neural, writeWindowMs: 0, reembed: second })
      try {
        expect(first.texts + second.texts).toBe(n)
        expect(await store.count({ communities: [C] })).toBe(n)
      } finally {
        await store.close()
      }
    } finally {
      await dir.cleanup()
    }
  })
})
