import { MemoryStoreError } from './errors.js'
import { makeRecord } from './record.js'
import type { RememberInput } from './record.js'
import type { VersionVector } from './replication/version-vector.js'
import type { MemoryRecord, MemoryStore } from './types.js'
import type { Logger, PrivateKey } from '@libp2p/interface'

/** A record as stored, without its vector. */
type StoredRecord = Omit<MemoryRecord, 'vector'>

/** One caller's checked inputs and their embeddings, all of one community. */
export interface LocalWrite {
  community: string
  inputs: RememberInput[]
  vectors: number[][]
}

export interface GroupCommitInit {
  store: MemoryStore
  /** The node's key: signs every record. */
  privateKey: PrivateKey
  /** The node's peer id (the origin of its records). */
  self: string
  /** The replica's version vector of a community, loaded before any write to it is queued. */
  versionOf: (community: string) => VersionVector | undefined
  /** Records of an earlier write that failed, found committed after all (their callers saw an error). */
  onLate: (records: StoredRecord[]) => void
  log: Logger
}

interface Queued extends LocalWrite {
  resolve: (records: StoredRecord[]) => void
  reject: (err: Error) => void
}

/**
 * Records past which a batch takes no more callers (a caller is never split: its
 * records are committed whole or not at all).
 */
export const MAX_BATCH_RECORDS = 2000

/**
 * This node's own writes, group-committed: writes that arrive while a batch is being
 * committed join the next batch, so one store upsert serves many callers. Seqs are
 * handed out gap-free, in commit order, when a batch is taken; each caller resolves
 * once its records are durable, and a failed batch fails only its own callers.
 *
 * A batch whose store failed without saying whether it committed (a store process that
 * died between its commit and its answer) is settled from the store before the next
 * seq is handed out, so a seq is never given to two records.
 *
 * @example
 * ```ts
 * const writes = new GroupCommit({ store, privateKey, self: peerId.toString(), versionOf, onLate, log })
 * const [record] = await writes.write({ community: 'devsupport', inputs: [{ text: 'Raise ef above k' }], vectors: [vector] })
 * ```
 */
export class GroupCommit {
  private readonly init: GroupCommitInit
  private queue: Queued[] = []
  private running?: Promise<void>
  /** The highest seq given to a durable record of this node. */
  private seq = 0
  /** A batch whose outcome is unknown, settled before the next seq is handed out. */
  private unsettled?: { records: Array<{ community: string, id: string }>, first: number, last: number }

  constructor (init: GroupCommitInit) {
    this.init = init
  }

  /** The highest seq this node has given a durable record. */
  get highestSeq (): number {
    return this.seq
  }

  /** Notes a seq of this node's found in the store (at start), so it is never given again. */
  observe (seq: number): void {
    this.seq = Math.max(this.seq, seq)
  }

  /** Queues a write; resolves with its records once they are durable. */
  async write (write: LocalWrite): Promise<StoredRecord[]> {
    return new Promise<StoredRecord[]>((resolve, reject) => {
      this.queue.push({ ...write, resolve, reject })
      this.running ??= this.run()
    })
  }

  /** Resolves once every queued write has been committed or failed. */
  async idle (): Promise<void> {
    await this.running
  }

  private async run (): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commit(this.take())
    } finally {
      // no await between the empty queue and this line: a write queued from now on starts a new run
      this.running = undefined
    }
  }

  private take (): Queued[] {
    let records = 0
    let n = 0
    while (n < this.queue.length && (n === 0 || records + (this.queue[n]?.inputs.length ?? 0) <= MAX_BATCH_RECORDS)) {
      records += this.queue[n]?.inputs.length ?? 0
      n++
    }
    return this.queue.splice(0, n)
  }

  /** Commits one batch; never throws (each caller's promise carries the outcome). */
  private async commit (batch: Queued[]): Promise<void> {
    const { store } = this.init
    let records: MemoryRecord[][]
    try {
      const late = await this.settle()
      if (late.length > 0) this.init.onLate(late)
      records = await this.build(batch)
    } catch (err) {
      for (const q of batch) q.reject(err as Error)
      return
    }
    const all = records.flat()
    const first = this.seq + 1
    const last = this.seq + all.length
    // the seqs count as used only once the batch is durable: a failed batch hands them out again
    try {
      await store.upsert(all)
    } catch (err) {
      // the store may have committed before it failed: the batch is in it whole, or not at all
      const committed = err instanceof MemoryStoreError && await this.settleFailed(all, first, last)
      if (!committed) {
        for (const q of batch) q.reject(err as Error)
        return
      }
    }
    this.seq = Math.max(this.seq, last)
    for (const r of all) this.init.versionOf(r.community)?.add(r.origin, r.seq)
    batch.forEach((q, i) => { q.resolve((records[i] ?? []).map(withoutVector)) })
  }

  /** Signs the batch's records, seqs following the highest durable one, in queue order. */
  private async build (batch: Queued[]): Promise<MemoryRecord[][]> {
    let seq = this.seq
    const out: MemoryRecord[][] = []
    for (const q of batch) {
      const records: MemoryRecord[] = []
      for (const [i, input] of q.inputs.entries()) {
        const base = await makeRecord(input, q.community, ++seq, this.init.privateKey)
        records.push({ ...base, vector: q.vectors[i] ?? [] })
      }
      out.push(records)
    }
    return out
  }

  /** After a failed upsert: true when the store holds the batch after all. */
  private async settleFailed (records: MemoryRecord[], first: number, last: number): Promise<boolean> {
    this.unsettled = { records: records.map(r => ({ community: r.community, id: r.id })), first, last }
    const held = await this.settle().catch(() => [])
    return held.length > 0
  }

  /**
   * Settles a batch whose outcome was unknown: if its records are in the store, their
   * seqs are used (the batch was durable after all: returns its records); if not, they
   * are free again. Throws while the store cannot answer, which fails the batch that waits.
   */
  private async settle (): Promise<StoredRecord[]> {
    const u = this.unsettled
    if (u == null) return []
    const communities = [...new Set(u.records.map(r => r.community))]
    const held = (await this.init.store.get(u.records.map(r => r.id), communities)).filter(r => r.origin === this.init.self && r.seq >= u.first && r.seq <= u.last)
    this.unsettled = undefined
    if (held.length === 0) return []
    this.seq = Math.max(this.seq, u.last)
    for (const r of held) this.init.versionOf(r.community)?.add(r.origin, r.seq)
    this.init.log('a write whose store failed to answer was committed: %d records, seqs %d..%d', held.length, u.first, u.last)
    return held
  }
}

function withoutVector ({ vector: _vector, ...rest }: MemoryRecord): StoredRecord {
  return rest
}
