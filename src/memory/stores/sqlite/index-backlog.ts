import type { IndexThread } from './index-thread.js'

/** A committed row the vector index has yet to take. */
export interface IndexChange {
  rid: number
  deleted: boolean
  vector: Float32Array
}

/** Rows sent to the index thread in one request. */
const CHUNK = 256
/** Requests in flight at once: enough to keep the thread busy, few enough to bound what waits in its queue. */
const IN_FLIGHT = 2

/**
 * Committed rows the vector index has not acknowledged yet, by row id (the last committed
 * version of each). A commit answers its writers first and hands its rows here; they go
 * to the index thread in chunks, in the background, and leave once the thread has them.
 * Until then searches score these rows from here. Nothing is lost if the process dies
 * first: the saved index no longer matches the database's generation and is rebuilt from
 * the rows.
 *
 * @example
 * ```ts
 * const backlog = new IndexBacklog(index)
 * backlog.add([{ rid: 7, deleted: false, vector }])   // the index has it a moment later
 * await backlog.empty()
 * ```
 */
export class IndexBacklog {
  private readonly index: IndexThread
  private readonly changes = new Map<number, IndexChange>()
  /** Changes of `changes` sent to the thread and not acknowledged yet. */
  private readonly sent = new Set<IndexChange>()
  private inFlight = 0
  private timer?: ReturnType<typeof setImmediate>
  private drained?: { promise: Promise<void>, resolve: () => void }
  private readonly onError: (err: Error) => void

  /** `onError` hears of a request the thread failed (the store then searches exactly). */
  constructor (index: IndexThread, onError: (err: Error) => void) {
    this.index = index
    this.onError = onError
  }

  /** Rows waiting. */
  get size (): number {
    return this.changes.size
  }

  /** Whether a row waits (the index may hold an older version of it, or one since deleted). */
  has (rid: number): boolean {
    return this.changes.has(rid)
  }

  /** The live rows waiting, with their committed vectors. */
  * live (): Generator<IndexChange> {
    for (const c of this.changes.values()) if (!c.deleted) yield c
  }

  /** Rows just committed; the index takes them in the background. */
  add (changes: IndexChange[]): void {
    for (const c of changes) {
      // a row written again goes to the back, in its last version
      this.changes.delete(c.rid)
      this.changes.set(c.rid, c)
    }
    if (this.changes.size > 0) this.schedule()
  }

  /** Lets go of every waiting row (the index thread failed: searches are exact from now on). */
  clear (): void {
    this.changes.clear()
    this.drained?.resolve()
    this.drained = undefined
  }

  /** A row deleted from the database: it must not come back into the index. */
  drop (rid: number): void {
    this.changes.delete(rid)
  }

  /** Sends every waiting row now and resolves once the index holds them (before it is saved). */
  async takeAll (): Promise<void> {
    if (this.timer != null) clearImmediate(this.timer)
    this.timer = undefined
    const unsent = this.unsent(Number.POSITIVE_INFINITY)
    await Promise.all([this.send(unsent), this.empty()])
  }

  /** Resolves once no row waits. */
  async empty (): Promise<void> {
    if (this.changes.size === 0 || this.index.failed) return
    if (this.drained == null) {
      let resolve = (): void => {}
      const promise = new Promise<void>(done => { resolve = done })
      this.drained = { promise, resolve }
    }
    await this.drained.promise
  }

  private schedule (): void {
    if (this.inFlight >= IN_FLIGHT || this.index.failed) return
    this.timer ??= setImmediate(() => {
      this.timer = undefined
      const chunk = this.unsent(CHUNK)
      if (chunk.length === 0) return
      void this.send(chunk)
      this.schedule()
    })
  }

  private unsent (max: number): IndexChange[] {
    const out: IndexChange[] = []
    for (const c of this.changes.values()) {
      if (out.length >= max) break
      if (!this.sent.has(c)) out.push(c)
    }
    return out
  }

  /** Sends rows to the thread (deletions as removals) and, once it has them, lets go of those not written again meanwhile. */
  private async send (chunk: IndexChange[]): Promise<void> {
    if (chunk.length === 0) return
    for (const c of chunk) this.sent.add(c)
    this.inFlight++
    const live = chunk.filter(c => !c.deleted)
    try {
      await Promise.all([
        this.index.remove(chunk.filter(c => c.deleted).map(c => c.rid)),
        live.length === 0 ? undefined : this.index.put(live.map(c => c.rid), live.map(c => c.vector))
      ])
    } catch (err) {
      this.onError(err as Error)
    } finally {
      this.inFlight--
      for (const c of chunk) {
        this.sent.delete(c)
        if (this.changes.get(c.rid) === c && !this.index.failed) this.changes.delete(c.rid)
      }
    }
    if (this.changes.size === 0 || this.index.failed) {
      this.drained?.resolve()
      this.drained = undefined
    } else {
      this.schedule()
    }
  }
}
