import type { VectorIndex } from './vector-index.js'

/** A committed row the vector index has yet to take. */
export interface IndexChange {
  rid: number
  deleted: boolean
  vector: Float32Array
}

/** Rows the index takes per turn of the event loop. */
const CHUNK = 64

/**
 * Committed rows the vector index has not taken yet, by row id (the last committed
 * version of each). A commit answers its writers first and hands its rows here; the
 * index takes them in the background, a chunk per turn of the event loop, so a large
 * batch never holds the event loop for the whole of its index work. Until then searches
 * score these rows from here. Nothing is lost if the process dies first: the saved index
 * no longer matches the database's generation and is rebuilt from the rows.
 *
 * @example
 * ```ts
 * const backlog = new IndexBacklog(index)
 * backlog.add([{ rid: 7, deleted: false, vector }])   // the index has it a turn or so later
 * await backlog.empty()
 * ```
 */
export class IndexBacklog {
  private readonly index: VectorIndex
  private readonly changes = new Map<number, IndexChange>()
  private timer?: ReturnType<typeof setImmediate>
  private drained?: { promise: Promise<void>, resolve: () => void }

  constructor (index: VectorIndex) {
    this.index = index
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

  /** A row deleted from the database: it must not come back into the index. */
  drop (rid: number): void {
    this.changes.delete(rid)
  }

  /** The index takes every waiting row now (before it is saved). */
  takeAll (): void {
    if (this.timer != null) clearImmediate(this.timer)
    this.timer = undefined
    this.take(Number.POSITIVE_INFINITY)
  }

  /** Resolves once no row waits. */
  async empty (): Promise<void> {
    if (this.changes.size === 0) return
    if (this.drained == null) {
      let resolve = (): void => {}
      const promise = new Promise<void>(done => { resolve = done })
      this.drained = { promise, resolve }
    }
    await this.drained.promise
  }

  private schedule (): void {
    this.timer ??= setImmediate(() => {
      this.timer = undefined
      this.take(CHUNK)
      if (this.changes.size > 0) this.schedule()
    })
  }

  /** Moves up to `max` rows into the index, oldest first (a rebuild under way reads the rest from the database). */
  private take (max: number): void {
    const taken: IndexChange[] = []
    for (const c of this.changes.values()) {
      if (taken.length >= max) break
      taken.push(c)
    }
    for (const c of taken) {
      this.changes.delete(c.rid)
      if (c.deleted) this.index.remove(c.rid)
    }
    const live = taken.filter(c => !c.deleted)
    this.index.putMany(live.map(c => c.rid), live.map(c => c.vector))
    if (this.changes.size === 0) {
      this.drained?.resolve()
      this.drained = undefined
    }
  }
}
