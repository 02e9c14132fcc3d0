import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from '../../src/agents/agent.js'
import { MemoryInputError, MemoryStoreError } from '../../src/memory/errors.js'
import { SqliteStore } from '../../src/memory/stores/sqlite/store.js'
import { verifyRecord } from '../../src/memory/record.js'
import { startTestNode, tcpAddr } from '../helpers/nodes.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { MemoryRecord, MemoryStore } from '../../src/memory/types.js'
import type { OaNode } from '../../src/node/oa-node.js'

const C = 'devsupport'

class Scribe extends Agent {
  override async onDirect (request: { payload: unknown }): Promise<unknown> {
    const { text } = request.payload as { text: string }
    const stored = await this.remember({ kind: 'problem_solutions', text, metadata: { by: 'scribe' } })
    const hits = await this.recall(text, { kinds: ['problem_solutions'], k: 1 })
    return { stored: stored.id, found: hits[0]?.id, scoreKind: hits[0]?.scoreKind }
  }
}

describe('the memory service on a node', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let a: OaNode
  let b: OaNode

  beforeAll(async () => {
    dir = await tempDir()
    a = await startTestNode(dir.path, 'a', { communities: [C, 'other'] })
    b = await startTestNode(dir.path, 'b', { communities: [C], network: { bootstrap: [tcpAddr(a)] }, memory: { capture: { '*': [] } } })
    await waitFor('connected', () => a.libp2p.getPeers().length === 1)
  })

  afterAll(async () => {
    await a.stop()
    await b.stop()
    await dir.cleanup()
  })

  it('remembers signed records with a per-origin sequence and recalls them by meaning', async () => {
    const memory = a.libp2p.services.memory
    const r1 = await memory.remember(C, { text: 'Raise ef above k to get better recall from an HNSW index', kind: 'expert_knowledge' })
    const r2 = await memory.remember(C, { text: 'Use a multi-stage Dockerfile for small images', kind: 'expert_knowledge' })
    expect(r2.seq).toBe(r1.seq + 1)
    expect(r1).toMatchObject({ community: C, origin: a.peerId.toString(), agent: `user@${a.peerId.toString()}` })
    expect(await verifyRecord(r1)).toBe(true)
    const hits = await memory.recall(C, 'how can HNSW recall be improved?', { k: 1 })
    expect(hits[0]?.record.id).toBe(r1.id)
  })

  it('labels each hit\'s score, knows the similarity of hybrid and text hits, and applies a floor and kind exclusions', async () => {
    const memory = a.libp2p.services.memory
    await memory.rememberMany(C, [
      { text: 'Raise efConstruction to build a better HNSW graph, more slowly', kind: 'expert_knowledge' },
      { text: 'How do I tune ef for HNSW?', kind: 'channel_message' }
    ])
    const q = 'how do I tune HNSW ef?'
    const hybrid = await memory.recall(C, q, { k: 5 })
    expect(hybrid.length).toBeGreaterThan(1)
    for (const h of hybrid) {
      expect(h.scoreKind).toBe('fused')
      expect(h.similarity).toBeCloseTo(await memory.similarity(q, h.record.text), 5)
    }
    const [vector] = await memory.recall(C, q, { k: 1, mode: 'vector' })
    expect(vector).toMatchObject({ scoreKind: 'similarity', similarity: vector?.score })
    // text hits carry BM25; a floor makes the node work out their similarity too
    const text = await memory.recall(C, q, { k: 5, mode: 'text' })
    expect(text[0]).toMatchObject({ scoreKind: 'bm25', bm25: text[0]?.score })
    expect(text[0]?.similarity).toBeUndefined()
    const floored = await memory.recall(C, q, { k: 5, mode: 'text', minSimilarity: -1 })
    for (const h of floored) expect(h.similarity).toBeCloseTo(await memory.similarity(q, h.record.text), 5)

    expect((await memory.recall(C, q, { k: 5, excludeKinds: ['channel_message'] })).map(h => h.record.kind)).not.toContain('channel_message')
    expect((await memory.recall(C, q, { k: 5, kinds: ['channel_message'] })).map(h => h.record.kind)).toEqual(['channel_message'])
    const floor = 0.3
    const above = await memory.recall(C, q, { k: 5, minSimilarity: floor })
    expect(above.length).toBeGreaterThan(0)
    expect(above.length).toBeLessThan(hybrid.length)
    for (const h of above) expect(h.similarity).toBeGreaterThanOrEqual(floor)
    expect(await memory.recall(C, 'what is the capital of France', { k: 5, minSimilarity: 0.2 })).toEqual([])
    await expect(memory.recall(C, q, { minSimilarity: 2 })).rejects.toThrow('minSimilarity must be a number from -1 to 1')
    await expect(memory.recall(C, q, { excludeKinds: ['Bad Kind'] })).rejects.toThrow('"Bad Kind" is not a kind')
  })

  it('says how many inputs of a batch were added, updated, or held already', async () => {
    const memory = a.libp2p.services.memory
    const first = await memory.rememberMany(C, [{ id: 'count-1', text: 'one' }, { id: 'count-2', text: 'two' }, { text: '' }])
    expect(first).toMatchObject({ added: 2, updated: 0, unchanged: 0 })
    const again = await memory.rememberMany(C, [{ id: 'count-1', text: 'one' }, { id: 'count-2', text: 'two, edited' }])
    expect(again).toMatchObject({ added: 0, updated: 1, unchanged: 1 })
    expect(again.records.map(r => r.text).sort()).toEqual(['one', 'two, edited'])
  })

  it('runs the embedded store, SQLite, in the node\'s process by default', () => {
    expect(a.config.memory.store).toBe('embedded')
    expect(a.libp2p.services.memory.describe().store).toBe('embedded')
    expect(existsSync(join(a.config.dataDir, 'memory', 'memory.db'))).toBe(true)
  })

  it('writes the valid records of a batch and names the rejected ones', async () => {
    const result = await a.libp2p.services.memory.rememberMany(C, [
      { text: 'valid one' },
      { text: '' },
      { text: 'bad kind', kind: 'Not A Kind' },
      { text: 'x'.repeat(40_000) },
      { text: 'valid two' }
    ])
    expect(result.records.map(r => r.text)).toEqual(['valid one', 'valid two'])
    expect(result.rejected.map(r => r.index)).toEqual([1, 2, 3])
    expect(result.rejected[2]?.error).toMatch(/over the 32768-byte limit/)
    const found = await a.libp2p.services.memory.recall(C, 'bad kind', { mode: 'text', k: 10 })
    expect(found.some(h => h.record.text === 'bad kind')).toBe(false)
  })

  it('gives up a call aborted before its write commits, and writes nothing of it', async () => {
    const memory = b.libp2p.services.memory
    const kept = await memory.remember(C, { id: 'abort-kept', text: 'kept: written before any abort' })
    const seq = memory.currentSeq
    // aborted before the call: refused at once
    await expect(memory.remember(C, { id: 'abort-1', text: 'never written' }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' })
    // aborted between its steps: after the checks, while its text is embedded
    const ac = new AbortController()
    const pending = memory.rememberMany(C, [{ id: 'abort-2', text: 'never written either' }], { signal: ac.signal })
    ac.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    const forget = new AbortController()
    const forgetting = memory.forget(C, kept.id, { signal: forget.signal })
    forget.abort()
    await expect(forgetting).rejects.toMatchObject({ name: 'AbortError' })
    const recall = new AbortController()
    const recalling = memory.recall(C, 'written', { signal: recall.signal })
    recall.abort()
    await expect(recalling).rejects.toMatchObject({ name: 'AbortError' })
    expect(memory.currentSeq).toBe(seq)
    expect((await memory.get(C, ['abort-kept', 'abort-1', 'abort-2'])).map(r => r.id)).toEqual(['abort-kept'])
    expect(await memory.remember(C, { text: 'the next write takes the next seq' })).toMatchObject({ seq: seq + 1 })
  })

  it('reads and writes only joined communities, and keeps them apart', async () => {
    const memory = b.libp2p.services.memory
    await expect(memory.remember('other', { text: 'secret of another community' })).rejects.toThrow(MemoryInputError)
    await expect(memory.recall('other', 'secret')).rejects.toThrow('has not joined community "other"')
    await a.libp2p.services.memory.remember('other', { text: 'only in other: the launch code is 1234' })
    const inC = await a.libp2p.services.memory.recall(C, 'launch code', { k: 10 })
    expect(inC.some(h => h.record.text.includes('launch code'))).toBe(false)
  })

  it('captures posts written on this node and direct exchanges it started, and honours capture config', async () => {
    const post = await a.libp2p.services.channels.post({ community: C, channel: 'general', text: 'Our staging cluster runs Kubernetes 1.31' })
    await waitFor('post captured on a', async () => (await a.libp2p.services.memory.get(C, [`msg-${post.id}`])).length === 1)
    const [captured] = await a.libp2p.services.memory.get(C, [`msg-${post.id}`])
    expect(captured).toMatchObject({ kind: 'channel_message', text: 'Our staging cluster runs Kubernetes 1.31', metadata: { channel: 'general', messageId: post.id } })

    b.libp2p.services.channels.handleDirect('oracle', () => Promise.resolve({ text: 'forty-two' }))
    const reply = await a.libp2p.services.channels.request({ community: C, from: 'asker', to: `oracle@${b.peerId.toString()}`, payload: { text: 'the answer?' } })
    const requestId = reply.event.replyTo ?? ''
    await waitFor('exchange captured on a', async () => (await a.libp2p.services.memory.get(C, [`dx-${requestId}`])).length === 1)
    const [exchange] = await a.libp2p.services.memory.get(C, [`dx-${requestId}`])
    expect(exchange?.kind).toBe('direct_exchange')
    expect(exchange?.text).toContain('the answer?')
    expect(exchange?.text).toContain('forty-two')

    // b captures nothing: its config turns capture off, and its capture passes the post over
    const skipped = b.libp2p.services.capture.status()?.skipped ?? 0
    const bPost = await b.libp2p.services.channels.post({ community: C, channel: 'general', text: 'not captured' })
    // capture reads the post log in order: once its saved position covers the post, it was handled
    const last = b.libp2p.services.channels.postLog().after(0, 1_000_000).at(-1)?.position ?? 0
    await waitFor('b\'s capture read past its post', () => (b.libp2p.services.capture.status()?.position ?? -1) >= last)
    expect(b.libp2p.services.capture.status()?.skipped).toBeGreaterThan(skipped)
    expect(await b.libp2p.services.memory.get(C, [`msg-${bPost.id}`])).toEqual([])
  })

  it('gives agents remember and recall', async () => {
    await a.libp2p.services.agents.add(new Scribe({ name: 'scribe', community: C }))
    const reply = await b.libp2p.services.channels.request({ community: C, from: 'user', to: `scribe@${a.peerId.toString()}`, payload: { text: 'Pin numpy below 2 for the legacy service' } })
    const { stored, found, scoreKind } = reply.payload as { stored: string, found: string, scoreKind: string }
    expect(found).toBe(stored)
    expect(scoreKind).toBe('fused')
    const [record] = await a.libp2p.services.memory.get(C, [stored])
    expect(record).toMatchObject({ kind: 'problem_solutions', agent: `scribe@${a.peerId.toString()}`, metadata: { by: 'scribe' } })
  })
})

/**
 * A real embedded store whose next upserts fail as a store process that died would:
 * `lost-answer` commits and then fails (the answer was lost), `refused` fails without
 * committing, `down` also fails the reads that follow until `up` is called.
 */
class FaultyStore {
  fault?: 'lost-answer' | 'refused'
  down = false
  constructor (readonly inner: SqliteStore) {}

  wrap (): MemoryStore {
    return new Proxy(this.inner, {
      get: (target, prop, receiver) => {
        if (prop === 'upsert') {
          return async (records: MemoryRecord[]) => {
            const fault = this.fault
            this.fault = undefined
            if (fault === 'lost-answer') await target.upsert(records)
            if (fault != null) throw new MemoryStoreError('the memory store process (pid 1) stopped (signal SIGKILL) before it answered; the call may not have completed')
            return target.upsert(records)
          }
        }
        if (prop === 'get' && this.down) return async () => { throw new MemoryStoreError('the memory store process has stopped') }
        const value = Reflect.get(target, prop, receiver) as unknown
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
      }
    })
  }
}

describe('a local write whose store failed without saying whether it committed', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let node: OaNode
  let faulty: FaultyStore

  beforeAll(async () => {
    dir = await tempDir()
    node = await startTestNode(dir.path, 'f', { communities: [C], memory: { capture: { '*': [] } } }, {
      openMemoryStore: async embedder => {
        faulty = new FaultyStore(await SqliteStore.open({ dir: join(dir.path, 'f-memory'), embedder, writeWindowMs: 5 }))
        return faulty.wrap()
      }
    })
  })

  afterAll(async () => {
    await node.stop()
    await dir.cleanup()
  })

  it('is acknowledged when its records are in the store after all, and their seqs are never given again', async () => {
    const memory = node.libp2p.services.memory
    const before = await memory.remember(C, { text: 'first, written normally' })
    faulty.fault = 'lost-answer'
    const lost = await memory.remember(C, { text: 'committed, but the answer was lost' })
    expect(lost.seq).toBe(before.seq + 1)
    const next = await memory.remember(C, { text: 'the next write' })
    expect(next.seq).toBe(lost.seq + 1)
    expect((await memory.get(C, [lost.id, next.id])).map(r => r.seq).sort()).toEqual([lost.seq, next.seq])
  })

  it('fails when its records are not in the store, and its seqs are given to the next write', async () => {
    const memory = node.libp2p.services.memory
    const before = await memory.remember(C, { text: 'written normally' })
    faulty.fault = 'refused'
    await expect(memory.remember(C, { text: 'never committed' })).rejects.toThrow(MemoryStoreError)
    const next = await memory.remember(C, { text: 'takes the free seq' })
    expect(next.seq).toBe(before.seq + 1)
  })

  it('is settled by the next write when the store could not be asked at once', async () => {
    const memory = node.libp2p.services.memory
    const before = await memory.remember(C, { text: 'written normally again' })
    faulty.fault = 'lost-answer'
    faulty.down = true
    await expect(memory.remember(C, { text: 'committed while the store went down' })).rejects.toThrow(MemoryStoreError)
    // while the store cannot say, no seq is handed out
    await expect(memory.remember(C, { text: 'waits for the store' })).rejects.toThrow(MemoryStoreError)
    faulty.down = false
    const next = await memory.remember(C, { text: 'after the store is back' })
    expect(next.seq).toBe(before.seq + 2)
    const seqs = (await memory.stats(C)).byOrigin[node.peerId.toString()]
    expect(seqs?.highestSeq).toBe(next.seq)
    expect(seqs?.records).toBe(next.seq)
  })
})
