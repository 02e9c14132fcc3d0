import { MemoryStoreError } from '../../errors.js'
import { StoreChild } from './child.js'
import { packRecords } from './messages.js'
import type { StoreCall } from './messages.js'
import type { CommunityStats, MemoryFilter, MemoryRecord, MemoryStore, SearchHit, SearchQuery, StoredRecord } from '../../types.js'
import type { EmbeddedStoreInit } from '../embedded.js'

export interface ProcessStoreInit extends EmbeddedStoreInit {
  /** Resident memory of the store process, in MiB, past which it is replaced by a fresh one (default 512). */
  recycleRssMiB?: number
  /** Least time between two replacements (default 60 s), so a store whose working set is above the bound is not replaced in a loop. */
  minRecycleIntervalMs?: number
  /** Where the store's warnings go (default `process.emitWarning`). */
  onWarning?: (message: string) => void
}

/** The store process as `GET /v1/status` reports it. */
export interface StoreProcessInfo {
  /** Process id of the store process; undefined between two processes. */
  pid?: number
  /** Its resident memory at its last answer, in MiB. */
  rssMiB: number
  /** Resident memory past which it is replaced, in MiB. */
  recycleRssMiB: number
  /** Times it was replaced for its memory. */
  recycles: number
  /** Times it stopped unexpectedly and was started again. */
  restarts: number
}

const MIB = 1_048_576
/** Least time between two starts after unexpected stops, so a store that cannot run does not spin. */
const RESTART_DELAY_MS = 1_000

/**
 * The embedded (LanceDB) store run in a child process of the node. LanceDB keeps native
 * memory for every commit (upstream lance#1983); a node that writes for days would grow
 * without end. Here the store's memory is the child's: when its resident memory passes
 * `recycleRssMiB`, the node lets the calls in flight finish, closes the store (its
 * pending writes are committed), and opens it in a fresh process. Calls made meanwhile
 * wait and then run; nothing is lost. A store process that dies is started again on
 * the next call, and the calls it had in flight reject (an upsert that rejected was not
 * acknowledged). The same files, the same behaviour, the same contract tests as
 * `EmbeddedStore`.
 *
 * @example
 * ```ts
 * const store = await ProcessStore.open({ dir: 'n1/memory', embedder: { name: 'local-hash-v2', dimension: 1024 }, writeWindowMs: 20, vectorIndexThreshold: 10_000, recycleRssMiB: 512 })
 * await store.upsert([record])
 * const hits = await store.search({ mode: 'vector', vector, k: 5, filter: { communities: ['devsupport'] } })
 * console.log(store.info()) // { pid: 4242, rssMiB: 131.2, recycleRssMiB: 512, recycles: 0, restarts: 0 }
 * await store.close()
 * ```
 */
export class ProcessStore implements MemoryStore {
  readonly kind = 'embedded'
  readonly dimension: number
  private readonly init: ProcessStoreInit
  private child?: StoreChild
  /** A replacement or restart under way; calls wait for it. */
  private switching?: Promise<void>
  private lastRecycleAt = Date.now()
  private lastStartAt = 0
  private recycles = 0
  private restarts = 0
  private closed = false

  private constructor (init: ProcessStoreInit) {
    this.init = init
    this.dimension = init.embedder.dimension
  }

  /** Starts the store process and opens the store in it; rejects with the store's own error (an embedder mismatch names both embedders). */
  static async open (init: ProcessStoreInit): Promise<ProcessStore> {
    const store = new ProcessStore(init)
    store.child = await store.startChild()
    return store
  }

  /** The store process: pid, resident memory, replacements and restarts. */
  info (): StoreProcessInfo {
    return {
      pid: this.child?.pid,
      rssMiB: Math.round((this.child?.rss ?? 0) / MIB * 10) / 10,
      recycleRssMiB: this.recycleRssMiB,
      recycles: this.recycles,
      restarts: this.restarts
    }
  }

  private get recycleRssMiB (): number {
    return this.init.recycleRssMiB ?? 512
  }

  /** The store in the process checks the records (dimension, ...); its MemoryInputError comes back as it is. */
  upsert (records: MemoryRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve()
    return this.call('upsert', [packRecords(records)]) as Promise<void>
  }

  search (query: SearchQuery): Promise<SearchHit[]> {
    return this.call('search', [query]) as Promise<SearchHit[]>
  }

  get (ids: string[], communities: string[]): Promise<StoredRecord[]> {
    return this.call('get', [ids, communities]) as Promise<StoredRecord[]>
  }

  delete (filter: MemoryFilter): Promise<number> {
    return this.call('delete', [filter]) as Promise<number>
  }

  count (filter: MemoryFilter): Promise<number> {
    return this.call('count', [filter]) as Promise<number>
  }

  stats (community: string): Promise<CommunityStats> {
    return this.call('stats', [community]) as Promise<CommunityStats>
  }

  page (community: string, afterId: string | undefined, limit: number): Promise<StoredRecord[]> {
    return this.call('page', [community, afterId, limit]) as Promise<StoredRecord[]>
  }

  versions (community: string): Promise<Array<{ origin: string, seq: number }>> {
    return this.call('versions', [community]) as Promise<Array<{ origin: string, seq: number }>>
  }

  afterSeq (community: string, origin: string, afterSeq: number, limit: number): Promise<StoredRecord[]> {
    return this.call('afterSeq', [community, origin, afterSeq, limit]) as Promise<StoredRecord[]>
  }

  /** Compacts files and brings indexes up to date (see `EmbeddedStore.optimize`). */
  async optimize (): Promise<void> {
    await this.call('optimize', [])
  }

  /** Waits for pending writes to be committed. */
  async flushNow (): Promise<void> {
    await this.call('flushNow', [])
  }

  /**
   * Replaces the store process now, as when it passes `recycleRssMiB`: calls in flight
   * finish, pending writes are committed, and later calls go to a fresh process.
   */
  async recycle (): Promise<void> {
    if (this.closed) throw new MemoryStoreError('the memory store is closed')
    await this.switching?.catch(() => {})
    this.switching ??= this.replace()
    await this.switching
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.switching?.catch(() => {})
    const child = this.child
    this.child = undefined
    if (child == null) return
    await child.idle()
    await child.close()
  }

  private async call (name: StoreCall, args: unknown[]): Promise<unknown> {
    const child = await this.current()
    try {
      return await child.call(name, args)
    } finally {
      this.checkMemory(child)
    }
  }

  /** The running store process: waits for a replacement under way, or starts one after a crash. */
  private async current (): Promise<StoreChild> {
    for (;;) {
      if (this.closed) throw new MemoryStoreError('the memory store is closed')
      if (this.switching != null) {
        await this.switching
        continue
      }
      if (this.child?.alive === true) return this.child
      this.switching = this.restart()
    }
  }

  private checkMemory (child: StoreChild): void {
    if (this.closed || this.switching != null || child !== this.child) return
    if (child.rss < this.recycleRssMiB * MIB) return
    if (Date.now() - this.lastRecycleAt < (this.init.minRecycleIntervalMs ?? 60_000)) return
    this.switching = this.replace()
  }

  /** Swaps the process for a fresh one once its calls are done; a failed start leaves none, and the next call tries again. */
  private async replace (): Promise<void> {
    const old = this.child
    try {
      if (old != null) {
        await old.idle()
        await old.close()
      }
      this.child = undefined
      this.child = await this.startChild()
      this.recycles++
    } catch (err) {
      this.warn(`the memory store process could not be replaced: ${(err as Error).message}`)
    } finally {
      this.lastRecycleAt = Date.now()
      this.switching = undefined
    }
  }

  /** Starts a process after the last one stopped unexpectedly; the waiting calls fail with its error when it cannot open. */
  private async restart (): Promise<void> {
    try {
      const wait = this.lastStartAt + RESTART_DELAY_MS - Date.now()
      if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
      this.child = await this.startChild()
      this.restarts++
    } finally {
      this.switching = undefined
    }
  }

  private async startChild (): Promise<StoreChild> {
    this.lastStartAt = Date.now()
    return StoreChild.start(storeInit(this.init), {
      warning: message => { this.warn(message) },
      crash: reason => { this.warn(`the memory store process stopped unexpectedly (${reason}); it starts again on the next memory call`) }
    })
  }

  private warn (message: string): void {
    if (this.init.onWarning != null) this.init.onWarning(message)
    else process.emitWarning(message)
  }
}

/** The part of the init the store process needs (no functions cross the process boundary). */
function storeInit (init: ProcessStoreInit): EmbeddedStoreInit {
  const { dir, embedder, writeWindowMs, commitIntervalMs, vectorIndexThreshold, optimizeEveryRows, optimizeEveryCommits } = init
  return { dir, embedder: { name: embedder.name, dimension: embedder.dimension }, writeWindowMs, commitIntervalMs, vectorIndexThreshold, optimizeEveryRows, optimizeEveryCommits }
}
