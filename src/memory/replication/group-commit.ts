import { MemoryStoreError } from '../errors.js'
import type { VersionVector } from './version-vector.js'
import type { MemoryRecord, MemoryStore, StoredRecord } from '../types.js'
import type { Logger } from '@libp2p/interface'

/** What a write is given when its batch is built. */
export interface PlanContext {
  /** The first seq this write may use; it uses `next`, `next + 1`, ... one per record, in order. */
  next: number
  /** Versions built earlier in this batch, by `<community>|<id>`: they are not in the store yet. */
  pending: Map<string, StoredRecord>
}

/** What a write builds: its signed records (seqs from `next` on), and what its caller gets once they are durable. */
export interface Plan<T> {
  records: MemoryRecord[]
  result: (stored: StoredRecord[]) => T
}

/**
 * One caller's write. `plan` runs when the write's batch is built, in queue order, with
 * the store as every earlier batch left it; it may refuse (throw), which fails only this
 * caller.
 */
export interface LocalWrite<T> {
  plan: (ctx: PlanContext) => Promise<Plan<T>>
}

export interface GroupCommitInit {
  store: MemoryStore
  /** The node's peer id (the origin of its records). */
  self: string
  /** The replica's version vector of a community, loaded before any write to it is queued. */
  versionOf: (community: string) => VersionVector | undefined
  /** Makes seqs up to `last` durable as handed out, before a batch using them is written (the seq ledger). */
  reserve?: (last: number) => Promise<void>
  /** Records of an earlier write that failed, found committed after all (their callers saw an error). */
  onLate: (records: StoredRecord[]) => void
  log: Logger
}

interface Queued {
  plan: (ctx: PlanContext) => Promise<Plan<unknown>>
  resolve: (value: unknown) => void
  reject: (err: Error) => void
}

/** Callers past which a batch takes no more (a caller is never split: its records are committed whole or not at all). */
export const MAX_BATCH_WRITES = 256

/**
 * This node's own writes, group-committed: writes that arrive while a batch is being
 * committed join the next batch, so one store upsert serves many callers. Seqs are
 * handed out gap-free, in commit order, when a batch is taken; each caller resolves
 * once its records are durable, and a failed batch fails only its own callers.
 *
 * A batch whose store failed without saying whether it committed (a call to a server that
 * died between its commit and its answer) is settled from the store before the next
 * seq is handed out, so a seq is never given to two records.
 *
 * @example
 * ```ts
 * const writes = new GroupCommit({ store, self: peerId.toString(), versionOf, onLate, log })
 * const record = await writes.write({ plan: async ({ next }) => {
 *   const r = { ...(await makeRecord({ text: 'Raise ef above k' }, 'devsupport', next, key)), vector }
 *   return { records: [r], result: ([stored]) => stored }
 * } })
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

  /** The highest seq this node may have handed out: a batch whose outcome is unknown may hold seqs above `highestSeq`. */
  get handedOut (): number {
    return Math.max(this.seq, this.unsettled?.last ?? 0)
  }

  /** Notes a seq of this node's found in the store (at start), so it is never given again. */
  observe (seq: number): void {
    this.seq = Math.max(this.seq, seq)
  }

  /** Queues a write; resolves with what its plan returns once its records are durable. */
  async write<T> (write: LocalWrite<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ plan: write.plan, resolve: resolve as (value: unknown) => void, reject })
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
    return this.queue.splice(0, MAX_BATCH_WRITES)
  }

  /** Commits one batch; never throws (each caller's promise carries the outcome). */
  private async commit (batch: Queued[]): Promise<void> {
    const { store } = this.init
    try {
      const late = await this.settle()
      if (late.length > 0) this.init.onLate(late)
    } catch (err) {
      for (const q of batch) q.reject(err as Error)
      return
    }
    const planned = await this.build(batch)
    const all = planned.flatMap(p => p.plan.records)
    const first = this.seq + 1
    const last = this.seq + all.length
    if (all.length > 0) {
      // the seqs count as used only once the batch is durable: a failed batch hands them out again
      try {
        await this.init.reserve?.(last)
        await store.upsert(all)
      } catch (err) {
        // the store may have committed before it failed: the batch is in it whole, or not at all
        const committed = err instanceof MemoryStoreError && await this.settleFailed(all, first, last)
        if (!committed) {
          for (const { q } of planned) q.reject(err as Error)
          return
        }
      }
      this.seq = Math.max(this.seq, last)
      for (const r of all) {
        const vv = this.init.versionOf(r.community)
        vv?.add(r.origin, r.seq)
        for (const [a, b] of r.covers ?? []) vv?.cover(r.origin, a, b)
      }
    }
    for (const { q, plan } of planned) q.resolve(plan.result(plan.records.map(withoutVector)))
  }

  /**
   * Runs the plans of a batch in queue order, seqs following the highest durable one.
   * A plan that throws fails its caller alone and uses no seq.
   */
  private async build (batch: Queued[]): Promise<Array<{ q: Queued, plan: Plan<unknown> }>> {
    let next = this.seq + 1
    const pending = new Map<string, StoredRecord>()
    const out: Array<{ q: Queued, plan: Plan<unknown> }> = []
    for (const q of batch) {
      try {
        const plan = await q.plan({ next, pending })
        plan.records.forEach((r, i) => {
          if (r.seq !== next + i) throw new Error(`a planned record has seq ${r.seq}, expected ${next + i}`)
        })
        next += plan.records.length
        for (const r of plan.records) pending.set(`${r.community}|${r.id}`, withoutVector(r))
        out.push({ q, plan })
      } catch (err) {
        q.reject(err as Error)
      }
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
    for (const r of held) {
      const vv = this.init.versionOf(r.community)
      vv?.add(r.origin, r.seq)
      for (const [a, b] of r.covers ?? []) vv?.cover(r.origin, a, b)
    }
    this.init.log('a write whose store failed to answer was committed: %d records, seqs %d..%d', held.length, u.first, u.last)
    return held
  }
}

function withoutVector ({ vector: _vector, ...rest }: MemoryRecord): StoredRecord {
  return rest
}
