import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { IndexReply, IndexRequest, IndexWorkerData } from './index-protocol.js'
import type { Neighbour, VectorIndexSettings } from './vector-index.js'

/** Requests in flight, as the calls that made them wait for them. */
interface Waiting {
  resolve: (reply: IndexReply) => void
  reject: (err: Error) => void
}

/** Distributes an Omit over the members of a union. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never

/**
 * The worker script: beside this module once built; run from the sources (the tests run
 * them), the built one, since a worker thread runs JavaScript.
 */
function workerFile (): string {
  const here = import.meta.url
  const url = here.endsWith('.ts')
    ? new URL('../../../../dist/src/memory/stores/sqlite/index-worker.js', here)
    : new URL('./index-worker.js', here)
  const path = fileURLToPath(url)
  if (!existsSync(path)) throw new Error(`the vector index thread's script ${path} is missing (run npm run build)`)
  return path
}

/**
 * The SQLite store's HNSW index (a VectorIndex), held by a thread of its own: adding a
 * vector to the graph is the costliest part of a write, and on its own thread it runs
 * beside the node's event loop instead of inside it. Requests are answered in order,
 * except that a search goes ahead of index work queued before it (and a large put waits
 * for it between slices), so a search does not wait behind a catch-up's worth of adds:
 * the caller scores the rows it has not had acknowledged yet itself.
 *
 * @example
 * ```ts
 * const index = await IndexThread.start(1024)
 * await index.put([7], [vector])
 * await index.search(query, 10)   // [{ rid: 7, similarity: 0.93 }]
 * await index.close()
 * ```
 */
export class IndexThread {
  readonly dimension: number
  /** How the index is built (quantization, links, expansion_add). */
  readonly layout: string
  private readonly worker: Worker
  private readonly waiting = new Map<number, Waiting>()
  private nextId = 1
  private held = 0
  private failure?: Error

  private constructor (dimension: number, worker: Worker, layout: string) {
    this.dimension = dimension
    this.worker = worker
    this.layout = layout
    worker.on('message', (reply: IndexReply) => { this.answer(reply) })
    worker.on('error', (err: Error) => { this.fail(new Error(`the vector index thread failed: ${err.message}`)) })
    worker.on('exit', (code) => { this.fail(new Error(`the vector index thread stopped (exit code ${code})`)) })
    // an idle thread does not keep the process alive (the store closes it); one with requests in flight does
    worker.unref()
  }

  /** Starts the thread and waits until it has loaded the index library. */
  static async start (dimension: number, settings: VectorIndexSettings = {}): Promise<IndexThread> {
    const data: IndexWorkerData = { dimension, settings }
    const worker = new Worker(workerFile(), { workerData: data, name: 'oa-memory-index' })
    let onMessage = (_reply: IndexReply): void => {}
    let onError = (_err: Error): void => {}
    let onExit = (_code: number): void => {}
    const ready = await new Promise<IndexReply>((resolve, reject) => {
      onMessage = resolve
      onError = reject
      onExit = (code) => { reject(new Error(`the vector index thread stopped as it started (exit code ${code})`)) }
      worker.once('message', onMessage).once('error', onError).once('exit', onExit)
    }).finally(() => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit)
    })
    return new IndexThread(dimension, worker, ready.layout ?? '')
  }

  /** Vectors the index held at its last answer. */
  size (): number {
    return this.held
  }

  /** Whether the thread has failed: every call since rejects. */
  get failed (): boolean {
    return this.failure != null
  }

  /** Adds or replaces the vectors of rows; resolves once the index holds them. */
  async put (rids: readonly number[], vectors: readonly Float32Array[]): Promise<void> {
    const flat = new Float32Array(rids.length * this.dimension)
    for (let i = 0; i < rids.length; i++) flat.set(vectors[i] ?? new Float32Array(this.dimension), i * this.dimension)
    await this.request({ op: 'put', rids: Float64Array.from(rids), vectors: flat }, [flat.buffer])
  }

  /** Drops the vectors of rows, where held. */
  async remove (rids: readonly number[]): Promise<void> {
    if (rids.length > 0) await this.request({ op: 'remove', rids: [...rids] })
  }

  /** Drops everything. */
  async clear (): Promise<void> {
    await this.request({ op: 'clear' })
  }

  /** The `limit` nearest rows, nearest first. */
  async search (query: Float32Array, limit: number): Promise<Neighbour[]> {
    const reply = await this.request({ op: 'search', query: Float32Array.from(query), limit })
    const rids = reply.rids ?? new Float64Array(0)
    const similarities = reply.similarities ?? new Float64Array(0)
    return Array.from(rids, (rid, i) => ({ rid, similarity: similarities[i] ?? 0 }))
  }

  /** Writes the index to `path` (through a temporary file). */
  async save (path: string): Promise<void> {
    await this.request({ op: 'save', path })
  }

  /** Reads the index from `path`; false (and left empty) when it is missing or unreadable. */
  async load (path: string): Promise<boolean> {
    return (await this.request({ op: 'load', path })).loaded === true
  }

  /** Stops the thread; requests still in flight reject. */
  async close (): Promise<void> {
    this.fail(new Error('the vector index thread is closed'))
    await this.worker.terminate()
  }

  private async request (body: WithoutId<IndexRequest>, transfer: ArrayBuffer[] = []): Promise<IndexReply> {
    if (this.failure != null) throw this.failure
    const id = this.nextId++
    const reply = await new Promise<IndexReply>((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref()
      this.waiting.set(id, { resolve, reject })
      this.worker.postMessage({ ...body, id }, transfer)
    })
    if (!reply.ok) throw new Error(`vector index: ${reply.error ?? 'failed'}`)
    return reply
  }

  private answer (reply: IndexReply): void {
    this.held = reply.size
    const waiting = this.waiting.get(reply.id)
    if (waiting == null) return
    this.waiting.delete(reply.id)
    if (this.waiting.size === 0) this.worker.unref()
    waiting.resolve(reply)
  }

  private fail (err: Error): void {
    this.failure ??= err
    for (const w of this.waiting.values()) w.reject(this.failure)
    this.waiting.clear()
  }
}
