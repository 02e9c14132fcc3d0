import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LocalEmbedder } from '../../src/memory/embedders/lexical.js'
import { MemoryStoreError } from '../../src/memory/errors.js'
import { GroupCommit } from '../../src/memory/replication/group-commit.js'
import { makeRecord } from '../../src/memory/record.js'
import { VersionVector } from '../../src/memory/replication/version-vector.js'
import { SqliteStore } from '../../src/memory/stores/sqlite/store.js'
import { tempDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import type { LocalWrite } from '../../src/memory/replication/group-commit.js'
import type { RememberInput } from '../../src/memory/record.js'
import type { MemoryRecord, MemoryStore } from '../../src/memory/types.js'

const C = 'devsupport'
const key = await generateKeyPair('Ed25519')
const self = peerIdFromPrivateKey(key).toString()
const embedder = new LocalEmbedder()
const log = defaultLogger().forComponent('oa:test:group-commit')

/** A write of plain new records: one per input, seqs from the batch's `next` on. */
function plainWrite (inputs: RememberInput[], vectors: number[][]): LocalWrite<MemoryRecord[]> {
  return {
    plan: async ({ next }) => {
      const records: MemoryRecord[] = []
      for (const [i, input] of inputs.entries()) records.push({ ...(await makeRecord(input, C, next + i, key)), vector: vectors[i] ?? [] })
      return { records, result: stored => stored as MemoryRecord[] }
    }
  }
}

/**
 * A real embedded store whose upserts can be held at a gate (to queue writes behind
 * one in flight) and made to fail by call number: `refused` fails without committing,
 * `lost-answer` commits and then fails, as a store process killed before its answer would.
 */
class GatedStore {
  upserts: number[][] = []
  readonly faults = new Map<number, 'refused' | 'lost-answer'>()
  private gate?: { promise: Promise<void>, open: () => void }
  constructor (readonly inner: SqliteStore) {}

  hold (): void {
    let open = (): void => {}
    const promise = new Promise<void>(resolve => { open = resolve })
    this.gate = { promise, open }
  }

  release (): void {
    this.gate?.open()
    this.gate = undefined
  }

  wrap (): MemoryStore {
    return new Proxy(this.inner, {
      get: (target, prop, receiver) => {
        if (prop === 'upsert') {
          return async (records: MemoryRecord[]) => {
            this.upserts.push(records.map(r => r.seq))
            const fault = this.faults.get(this.upserts.length)
            await this.gate?.promise
            if (fault === 'lost-answer') await target.upsert(records)
            if (fault != null) throw new MemoryStoreError('the memory store process (pid 1) stopped (signal SIGKILL) before it answered; the call may not have completed')
            return target.upsert(records)
          }
        }
        const value = Reflect.get(target, prop, receiver) as unknown
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
      }
    })
  }
}

describe('group commit of local memory writes', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let gated: GatedStore
  let writes: GroupCommit
  let vv: VersionVector
  const late: string[] = []

  const write = async (text: string, n = 1): Promise<MemoryRecord[]> => {
    const inputs = Array.from({ length: n }, (_, i) => ({ text: `${text} ${i}` }))
    const vectors = await embedder.embed(inputs.map(i => i.text))
    return writes.write(plainWrite(inputs, vectors))
  }

  beforeEach(async () => {
    dir = await tempDir()
    gated = new GatedStore(await SqliteStore.open({ dir: dir.path, embedder, writeWindowMs: 5 }))
    vv = new VersionVector()
    late.length = 0
    writes = new GroupCommit({ store: gated.wrap(), self, versionOf: () => vv, onLate: (records) => { late.push(...records.map(r => r.id)) }, log })
  })

  afterEach(async () => {
    gated.release()
    await writes.idle()
    await gated.inner.close()
    await dir.cleanup()
  })

  it('writes that arrive while a batch commits share the next store upsert, with unique, gap-free seqs in commit order', async () => {
    const vectors = await embedder.embed(['w'])
    gated.hold()
    const first = writes.write(plainWrite([{ text: 'the first write' }], vectors))
    await waitFor('the first batch at the store', () => gated.upserts.length === 1)
    // 100 writers (some of several records) queue behind the batch in flight
    const writers = Array.from({ length: 100 }, (_, i) => {
      const n = 1 + (i % 3)
      return writes.write(plainWrite(Array.from({ length: n }, (_, k) => ({ text: `writer ${i} record ${k}` })), Array.from({ length: n }, () => vectors[0] ?? [])))
    })
    gated.release()
    const results = await Promise.all([first, ...writers])

    expect(gated.upserts.length).toBe(2)
    const seqs = results.flat().map(r => r.seq)
    expect(new Set(seqs).size).toBe(seqs.length)
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))
    // commit order: each caller's seqs follow the previous caller's
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))
    expect(gated.upserts).toEqual([[1], seqs.slice(1)])
    expect(writes.highestSeq).toBe(seqs.length)
    expect(vv.contiguous(self)).toBe(seqs.length)
    const stats = await gated.inner.stats(C)
    expect(stats.byOrigin[self]).toEqual({ records: seqs.length, highestSeq: seqs.length })
  })

  it('a batch the store refused fails only its own callers, and its seqs go to the next batch', async () => {
    const ok = await write('before')
    gated.hold()
    const inFlight = write('in flight')
    await waitFor('a batch at the store', () => gated.upserts.length === 2)
    // two writers queue behind it and share the next batch, which the store refuses
    const refused = [write('refused a'), write('refused b', 3)]
    gated.faults.set(3, 'refused')
    gated.release()
    for (const r of refused) await expect(r).rejects.toThrow(MemoryStoreError)
    expect(gated.upserts[2]).toEqual([3, 4, 5, 6])
    const after = await write('after')
    expect((await inFlight)[0]?.seq).toBe((ok[0]?.seq ?? 0) + 1)
    expect(after[0]?.seq).toBe((ok[0]?.seq ?? 0) + 2)
    expect((await gated.inner.stats(C)).byOrigin[self]).toEqual({ records: 3, highestSeq: 3 })
  })

  it('a batch committed without an answer resolves its callers, and its seqs are never given again', async () => {
    await write('before')
    gated.hold()
    const inFlight = write('in flight')
    await waitFor('a batch at the store', () => gated.upserts.length === 2)
    const lost = [write('lost answer a', 2), write('lost answer b')]
    gated.faults.set(3, 'lost-answer')
    gated.release()
    await inFlight
    const [a, b] = await Promise.all(lost)
    const next = await write('next')
    const seqs = [...(a ?? []), ...(b ?? []), ...next].map(r => r.seq)
    expect(seqs).toEqual([3, 4, 5, 6])
    expect(gated.upserts).toEqual([[1], [2], [3, 4, 5], [6]])
    expect(late).toEqual([])
    expect((await gated.inner.stats(C)).byOrigin[self]).toEqual({ records: 6, highestSeq: 6 })
  })
})
