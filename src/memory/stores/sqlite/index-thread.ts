import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { MessageChannel, Worker } from 'node:worker_threads'
import { ANSWERED, ASKED, FAILED, IDLE, LANE, MAX_FOUND, searchLane } from './index-protocol.js'
import type { IndexReply, IndexRequest, IndexWorkerData, SearchLane } from './index-protocol.js'
import type { Neighbour, VectorIndexSettings } from './vector-index.js'
import type { MessagePort } from 'node:worker_threads'

/** Requests in flight, as the calls that made them wait for them. */
interface Waiting {
  resolve: (reply: IndexReply) => void
  reject: (err: Error) => void
}

/** Distributes an Omit over the members of a union. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never

/**
 * How long a search blocks this thread for its answer before it waits without blocking
 * (the index thread is in the middle of a long request: a save, a load, a large removal).
 */
const BLOCKING_WAIT_MS = 20
/** Longest wait for a search's answer: past it, the thread is taken for failed. */
const SEARCH_TIMEOUT_MS = 30_000

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
 * beside the node's event loop instead of inside it. Requests are answered in order;
 * a search goes ahead of them through shared memory (the search lane) and is answered
 * between two steps of index work, so a search waits for a few rows' worth of adds at
 * most, not behind a catch-up: the caller scores the rows it has not had acknowledged
 * yet itself. A search blocks the calling thread for its answer as an in-process index
 * would (a fraction of a millisecond), and waits without blocking when the index thread
 * is busy with a long request.
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
  private readonly port: MessagePort
  private readonly control: Int32Array
  private readonly query: Float32Array
  private readonly rids: Float64Array
  private readonly similarities: Float64Array
  private readonly waiting = new Map<number, Waiting>()
  private nextId = 1
  private held = 0
  /** Requests and searches waiting on the thread (see hold). */
  private holds = 0
  private failure?: Error
  /** The search in flight: a second one waits for it, since the lane holds one. */
  private searching?: Promise<unknown>

  private constructor (dimension: number, worker: Worker, port: MessagePort, lane: SearchLane, layout: string) {
    this.dimension = dimension
    this.worker = worker
    this.port = port
    this.layout = layout
    this.control = new Int32Array(lane.control)
    this.query = new Float32Array(lane.query)
    this.rids = new Float64Array(lane.rids)
    this.similarities = new Float64Array(lane.similarities)
    port.on('message', (reply: IndexReply) => { this.answer(reply) })
    worker.on('error', (err: Error) => { this.fail(new Error(`the vector index thread failed: ${err.message}`)) })
    worker.on('exit', (code) => { this.fail(new Error(`the vector index thread stopped (exit code ${code})`)) })
    // an idle thread does not keep the process alive (the store closes it); one with requests in flight does
    worker.unref()
    port.unref()
  }

  /** Starts the thread and waits until it has loaded the index library. */
  static async start (dimension: number, settings: VectorIndexSettings = {}): Promise<IndexThread> {
    const lane = searchLane(dimension)
    const { port1, port2 } = new MessageChannel()
    const data: IndexWorkerData = { dimension, settings, lane, port: port2 }
    const worker = new Worker(workerFile(), { workerData: data, transferList: [port2], name: 'oa-memory-index' })
    let onMessage = (_reply: IndexReply): void => {}
    let onError = (_err: Error): void => {}
    let onExit = (_code: number): void => {}
    const ready = await new Promise<IndexReply>((resolve, reject) => {
      onMessage = resolve
      onError = reject
      onExit = (code) => { reject(new Error(`the vector index thread stopped as it started (exit code ${code})`)) }
      port1.once('message', onMessage)
      worker.once('error', onError).once('exit', onExit)
    }).finally(() => {
      port1.off('message', onMessage)
      worker.off('error', onError).off('exit', onExit)
    })
    return new IndexThread(dimension, worker, port1, lane, ready.layout ?? '')
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

  /** The `limit` nearest rows (at most 16,384), nearest first. */
  async search (query: Float32Array, limit: number): Promise<Neighbour[]> {
    while (this.searching != null) await this.searching.catch(() => {})
    const searching = this.searchAlone(query, limit)
    this.searching = searching
    try {
      return await searching
    } finally {
      if (this.searching === searching) this.searching = undefined
    }
  }

  private async searchAlone (query: Float32Array, limit: number): Promise<Neighbour[]> {
    if (this.failure != null) throw this.failure
    if (query.length !== this.dimension) throw new Error(`vector index: the query has ${query.length} values, not ${this.dimension}`)
    const control = this.control
    this.query.set(query)
    Atomics.store(control, LANE.limit, Math.max(1, Math.min(MAX_FOUND, Math.trunc(limit))))
    Atomics.store(control, LANE.state, ASKED)
    this.ring()
    // the caller goes on meanwhile (a hybrid search reads the full-text table), then waits for the answer
    await Promise.resolve()
    if (Atomics.wait(control, LANE.state, ASKED, BLOCKING_WAIT_MS) === 'timed-out') {
      // an asynchronous wait does not keep the event loop alive: the thread is held
      // referenced until the answer, or a process with nothing else to do would exit
      // with the search pending (and the thread torn down in the middle of it)
      this.hold(1)
      try {
        const wait = Atomics.waitAsync(control, LANE.state, ASKED, SEARCH_TIMEOUT_MS)
        if (wait.async && await wait.value === 'timed-out') this.fail(new Error(`the vector index thread did not answer a search in ${SEARCH_TIMEOUT_MS / 1000} s`))
      } finally {
        this.hold(-1)
      }
    }
    const state = Atomics.load(control, LANE.state)
    // the thread may have failed while this search waited
    if (this.failed) throw this.failure ?? new Error('the vector index thread failed')
    Atomics.store(control, LANE.state, IDLE)
    if (state === FAILED) throw new Error('vector index: the search failed')
    if (state !== ANSWERED) throw new Error(`vector index: the search lane is in state ${state}`)
    this.held = Atomics.load(control, LANE.size)
    const found = Atomics.load(control, LANE.found)
    const out = new Array<Neighbour>(found)
    for (let i = 0; i < found; i++) out[i] = { rid: this.rids[i] ?? 0, similarity: this.similarities[i] ?? 0 }
    return out
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

  /** Wakes the index thread: a request or a search waits. */
  private ring (): void {
    Atomics.add(this.control, LANE.doorbell, 1)
    Atomics.notify(this.control, LANE.doorbell)
  }

  private async request (body: WithoutId<IndexRequest>, transfer: ArrayBuffer[] = []): Promise<IndexReply> {
    if (this.failure != null) throw this.failure
    const id = this.nextId++
    const reply = await new Promise<IndexReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.hold(1)
      this.port.postMessage({ ...body, id }, transfer)
      this.ring()
    })
    if (!reply.ok) throw new Error(`vector index: ${reply.error ?? 'failed'}`)
    return reply
  }

  private answer (reply: IndexReply): void {
    this.held = reply.size
    const waiting = this.waiting.get(reply.id)
    if (waiting == null) return
    this.waiting.delete(reply.id)
    this.hold(-1)
    waiting.resolve(reply)
  }

  /**
   * Counts what waits on the thread (requests, a search waiting without blocking): while
   * anything does, the thread and its port keep the event loop alive; idle, they do not.
   */
  private hold (delta: 1 | -1): void {
    const before = this.holds
    this.holds = Math.max(0, this.holds + delta)
    if (before === 0 && this.holds > 0) {
      this.worker.ref()
      this.port.ref()
    } else if (before > 0 && this.holds === 0) {
      this.worker.unref()
      this.port.unref()
    }
  }

  private fail (err: Error): void {
    this.failure ??= err
    for (const w of this.waiting.values()) w.reject(this.failure)
    for (let i = 0; i < this.waiting.size; i++) this.hold(-1)
    this.waiting.clear()
    // a search waiting for its answer without blocking wakes up and finds the failure
    Atomics.notify(this.control, LANE.state)
  }
}
