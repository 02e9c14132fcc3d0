import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { beforeAll, describe, expect, it } from 'vitest'
import { LocalEmbedder } from '../../src/memory/embedders/lexical.js'
import { MemoryInputError } from '../../src/memory/errors.js'
import { makeRecord, makeTombstone, verifyRecord } from '../../src/memory/record.js'
import { keptVector, signVector, verifyVector } from '../../src/memory/replication/vector.js'
import { tempDir } from '../helpers/tmp.js'
import type { MemoryRecord, MemoryStore, SearchHit, SearchMode } from '../../src/memory/types.js'

export interface StoreHarness {
  store: MemoryStore
  /** The store returns each live record's vector and vector signature from `afterSeq` (a store may leave them out). */
  returnsVectors?: boolean
  /** Closes and opens the store again on the same data; undefined where that makes no sense. */
  reopen?: () => Promise<MemoryStore>
  cleanup: () => Promise<void>
}

/**
 * A harness for a store kept in a fresh temp folder: `open(dir)` opens it there, and
 * reopen closes it and opens it again on the same files.
 */
export function onDisk (open: (dir: string) => Promise<MemoryStore>): () => Promise<StoreHarness> {
  return async () => {
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
  }
}

const embedder = new LocalEmbedder()
const key = await generateKeyPair('Ed25519')
const otherKey = await generateKeyPair('Ed25519')
let seq = 0

/** A signed record with a local-embedder vector. */
export async function record (community: string, text: string, extra: { kind?: string, agent?: string, id?: string, metadata?: Record<string, unknown> } = {}, signer = key): Promise<MemoryRecord> {
  const base = await makeRecord({ text, ...extra }, community, ++seq, signer)
  const [vector] = await embedder.embed([text])
  return { ...base, vector: vector ?? [] }
}

const CORPUS: Array<[string, string]> = [
  ['hnsw', 'Set ef at least as large as k; raise ef to improve recall of an HNSW index at some latency cost.'],
  ['asyncio', 'asyncio.gather runs coroutines concurrently and returns their results in order.'],
  ['k8s', 'A pod in CrashLoopBackOff restarts repeatedly; check kubectl logs --previous for the crash.'],
  ['docker', 'Use a multi-stage Dockerfile to keep the final container image small.'],
  ['ivf', 'IVF_FLAT splits vectors into nlist clusters; nprobe sets how many clusters a search visits.'],
  ['django', 'Django migrations are created with makemigrations and applied with migrate.'],
  ['gil', 'The GIL lets only one thread run Python bytecode at a time; use multiprocessing for CPU-bound work.'],
  ['helm', 'helm upgrade --install applies a chart release, creating it if it does not exist.']
]

/**
 * The contract every MemoryStore passes. `open` gives a fresh, empty store of the
 * local embedder's dimension.
 */
export function memoryStoreContract (name: string, open: () => Promise<StoreHarness>): void {
  describe(`MemoryStore contract: ${name}`, () => {
    let h: StoreHarness
    let ids: Record<string, string>

    beforeAll(async () => {
      h = await open()
      ids = {}
      const records = await Promise.all(CORPUS.map(async ([tag, text]) => record('alpha', text, { kind: tag === 'asyncio' ? 'problem_solutions' : 'expert_knowledge', agent: `${tag}_bot@peer` })))
      CORPUS.forEach(([tag], i) => { ids[tag] = records[i]?.id ?? '' })
      await h.store.upsert(records)
      return async () => { await h.cleanup() }
    })

    it('stores records and gives them back whole, signature included', async () => {
      const [got] = await h.store.get([ids.hnsw ?? ''], ['alpha'])
      expect(got).toMatchObject({ id: ids.hnsw, community: 'alpha', kind: 'expert_knowledge', agent: 'hnsw_bot@peer', text: CORPUS[0]?.[1] })
      expect(await verifyRecord(got!)).toBe(true)
      expect(await h.store.count({ communities: ['alpha'] })).toBe(CORPUS.length)
    })

    it('keys records by (community, origin, id): a higher seq replaces, an older version changes nothing, another origin\'s record stays apart', async () => {
      const v1 = await record('alpha', 'first version', { id: 'fixed-id-1' })
      const v2 = await record('alpha', 'second version', { id: 'fixed-id-1' })
      await h.store.upsert([v2])
      await h.store.upsert([v1])
      expect((await h.store.get(['fixed-id-1'], ['alpha'])).map(g => g.text)).toEqual(['second version'])
      const theirs = await record('alpha', 'another node, same id', { id: 'fixed-id-1' }, otherKey)
      await h.store.upsert([theirs])
      const got = await h.store.get(['fixed-id-1'], ['alpha'])
      expect(got.map(g => [g.origin, g.text]).sort()).toEqual([[v2.origin, 'second version'], [theirs.origin, 'another node, same id']].sort())
      expect(await h.store.delete({ communities: ['alpha'], ids: ['fixed-id-1'] })).toBe(2)
    })

    it('gives back from afterSeq the vector and the origin\'s vector signature that were written, when it returns vectors at all', async () => {
      const plain = await record('epsilon', 'a record whose vector carries no signature')
      const signed = await record('epsilon', 'a record whose vector the origin signed')
      const carried = await signVector(key, signed, { name: embedder.name, dimension: embedder.dimension }, signed.vector)
      await h.store.upsert([plain, { ...signed, vectorSignature: carried.signature }])
      const page = await h.store.afterSeq('epsilon', signed.origin, 0, 10)
      expect(page.map(r => r.id)).toEqual([plain.id, signed.id])
      const [gotPlain, gotSigned] = page
      if (h.returnsVectors === true) {
        expect(Array.from(gotPlain?.vector ?? [])).toEqual(Array.from(Float32Array.from(plain.vector)))
        expect(gotPlain?.vectorSignature).toBeUndefined()
        expect(Array.from(gotSigned?.vector ?? [])).toEqual(Array.from(Float32Array.from(signed.vector)))
        expect(gotSigned?.vectorSignature).toEqual(carried.signature)
      }
      for (const got of page) {
        // whatever a store returns is what was written: the vector as float32, and a signature that verifies
        const written = got.id === plain.id ? plain : signed
        if (got.vector != null) expect(Array.from(got.vector)).toEqual(Array.from(Float32Array.from(written.vector)))
        if (got.vectorSignature != null) expect(await verifyVector(got, keptVector({ name: embedder.name, dimension: embedder.dimension }, got.vector ?? written.vector, got.vectorSignature))).toBe(true)
      }
    })

    it('keeps a tombstone: searches, counts, stats and pages skip it; get, versions and afterSeq include it; an older version does not bring the record back', async () => {
      const live = await record('delta', 'pin numpy below 2 for the legacy service', { id: 'to-delete' })
      await h.store.upsert([live])
      const tombstone = { ...await makeTombstone(live, ++seq, key, [[live.seq, live.seq]]), vector: live.vector }
      await h.store.upsert([tombstone])
      await h.store.upsert([live])
      const [got] = await h.store.get(['to-delete'], ['delta'])
      expect(got).toMatchObject({ deleted: true, text: '', seq: tombstone.seq, covers: [[live.seq, live.seq]] })
      expect(await verifyRecord(got!)).toBe(true)
      const [vector] = await embedder.embed(['numpy legacy service'])
      for (const mode of ['vector', 'text', 'hybrid'] as const) {
        expect(await h.store.search({ mode, text: 'numpy legacy service', vector, k: 5, filter: { communities: ['delta'] } })).toEqual([])
      }
      expect(await h.store.count({ communities: ['delta'] })).toBe(0)
      expect((await h.store.stats('delta')).records).toBe(0)
      expect(await h.store.page('delta', undefined, 10)).toEqual([])
      expect(await h.store.versions('delta')).toEqual([{ origin: live.origin, seq: tombstone.seq, covers: [[live.seq, live.seq]] }])
      expect((await h.store.afterSeq('delta', live.origin, 0, 10)).map(r => r.seq)).toEqual([tombstone.seq])
    })

    const find = async (mode: SearchMode, q: string, k = 3, community = 'alpha'): Promise<string[]> => {
      const [vector] = await embedder.embed([q])
      return (await h.store.search({ mode, text: q, vector, k, filter: { communities: [community] } })).map(hit => hit.record.id)
    }

    it('finds by meaning (vector), by words (text) and by both (hybrid)', async () => {
      expect((await find('vector', 'how do I get better recall from my HNSW index?'))[0]).toBe(ids.hnsw)
      expect((await find('vector', 'my kubernetes pod keeps restarting'))[0]).toBe(ids.k8s)
      expect((await find('text', 'nprobe nlist'))[0]).toBe(ids.ivf)
      expect((await find('text', 'makemigrations'))[0]).toBe(ids.django)
      expect((await find('hybrid', 'run several coroutines concurrently with asyncio'))[0]).toBe(ids.asyncio)
      expect((await find('hybrid', 'smaller docker images'))[0]).toBe(ids.docker)
    })

    it('says what each score is: a cosine similarity (vector), BM25 (text), a fused rank (hybrid)', async () => {
      const q = 'raise ef to improve recall of an HNSW index'
      const [vector] = await embedder.embed([q])
      const search = async (mode: SearchMode): Promise<SearchHit[]> => h.store.search({ mode, text: q, vector, k: 3, filter: { communities: ['alpha'] } })
      const [v] = await search('vector')
      expect(v).toMatchObject({ scoreKind: 'similarity', similarity: v?.score })
      expect(v?.score).toBeGreaterThan(0.5)
      expect(v?.score).toBeLessThanOrEqual(1.0001)
      const [t] = await search('text')
      expect(t).toMatchObject({ scoreKind: 'bm25', bm25: t?.score })
      expect(t?.score).toBeGreaterThan(1)
      const [f] = await search('hybrid')
      expect(f?.record.id).toBe(ids.hnsw)
      expect(f?.scoreKind).toBe('fused')
      // a fused rank is a sum of 1 / (60 + rank) over the two lists
      expect(f?.score).toBeLessThan(2 / 60)
    })

    it('filters by kind, agent and time', async () => {
      const [vector] = await embedder.embed(['concurrency'])
      const hits = await h.store.search({ mode: 'vector', vector, text: 'concurrency', k: 10, filter: { communities: ['alpha'], kinds: ['problem_solutions'] } })
      expect(hits.map(x => x.record.id)).toEqual([ids.asyncio])
      for (const mode of ['vector', 'text', 'hybrid'] as const) {
        const others = await h.store.search({ mode, vector, text: 'concurrency coroutines', k: 10, filter: { communities: ['alpha'], excludeKinds: ['problem_solutions'] } })
        expect(others.map(x => x.record.id), mode).not.toContain(ids.asyncio)
        expect(await h.store.count({ communities: ['alpha'], excludeKinds: ['problem_solutions', 'expert_knowledge'] })).toBe(0)
      }
      const byAgent = await h.store.search({ mode: 'vector', vector, k: 10, filter: { communities: ['alpha'], agent: 'gil_bot@peer' } })
      expect(byAgent.map(x => x.record.id)).toEqual([ids.gil])
      expect(await h.store.count({ communities: ['alpha'], since: Date.now() + 60_000 })).toBe(0)
    })

    it('keeps communities apart, even for identical text', async () => {
      const twin = await record('beta', CORPUS[0]?.[1] ?? '')
      await h.store.upsert([twin])
      for (const mode of ['vector', 'text', 'hybrid'] as const) {
        const inAlpha = await find(mode, 'raise ef to improve recall of an HNSW index', 10, 'alpha')
        expect(inAlpha).not.toContain(twin.id)
        expect(await find(mode, 'raise ef to improve recall of an HNSW index', 10, 'beta')).toEqual([twin.id])
      }
      expect(await h.store.get([twin.id], ['alpha'])).toEqual([])
    })

    it('cannot be widened by a filter value that tries to escape its quotes', async () => {
      const [vector] = await embedder.embed(['recall'])
      for (const agent of ['x\' OR community != \'y', 'x" or community != "y', 'x\\\' OR 1=1 --']) {
        expect(await h.store.search({ mode: 'vector', vector, text: 'recall', k: 10, filter: { communities: ['alpha'], agent } })).toEqual([])
        expect(await h.store.count({ communities: ['alpha'], agent })).toBe(0)
      }
      await expect(h.store.search({ mode: 'vector', vector, k: 5, filter: { communities: ['alpha'], kinds: ['bad kind\''] } })).rejects.toThrow(MemoryInputError)
    })

    it('refuses vectors of another dimension', async () => {
      const r = await record('alpha', 'wrong size')
      await expect(h.store.upsert([{ ...r, vector: r.vector.slice(0, 10) }])).rejects.toThrow(/dimension/)
      await expect(h.store.search({ mode: 'vector', vector: [1, 2, 3], k: 1, filter: { communities: ['alpha'] } })).rejects.toThrow(/dimension/)
      expect(await h.store.get([r.id], ['alpha'])).toEqual([])
    })

    it('counts per community, kind and origin, and pages by id', async () => {
      const stats = await h.store.stats('alpha')
      expect(stats.records).toBe(CORPUS.length)
      expect(stats.byKind).toEqual({ expert_knowledge: CORPUS.length - 1, problem_solutions: 1 })
      expect(Object.values(stats.byOrigin)[0]?.records).toBe(CORPUS.length)
      const first = await h.store.page('alpha', undefined, 5)
      const rest = await h.store.page('alpha', first.at(-1)?.id, 100)
      expect([...first, ...rest].map(r => r.id)).toEqual(Object.values(ids).sort())
    })

    it('deletes by filter', async () => {
      const r = await record('gamma', 'to be deleted', { kind: 'tool_output' })
      const keep = await record('gamma', 'to be kept', { kind: 'message' })
      await h.store.upsert([r, keep])
      expect(await h.store.delete({ communities: ['gamma'], kinds: ['tool_output'] })).toBe(1)
      expect((await h.store.page('gamma', undefined, 10)).map(x => x.id)).toEqual([keep.id])
    })

    it('persists across a reopen', async (ctx) => {
      if (h.reopen == null) ctx.skip()
      h.store = await h.reopen!()
      expect(await h.store.count({ communities: ['alpha'] })).toBe(CORPUS.length)
      expect((await find('hybrid', 'helm chart release upgrade'))[0]).toBe(ids.helm)
    })
  })
}
