/**
 * The thread that holds the SQLite store's HNSW index (see IndexThread). It takes one
 * request at a time, in order, except that a search goes ahead of index work waiting
 * behind it, and a large put is done a slice at a time so a search waits for one slice
 * at most. A search that goes ahead does not see the rows of the puts it passed: the
 * store scores rows the index has not acknowledged from its own backlog.
 */
import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { VectorIndex } from './vector-index.js'
import type { IndexReply, IndexRequest, IndexWorkerData } from './index-protocol.js'

/** Rows added between two looks at the queue. */
const SLICE = 32

const port = parentPort
if (port == null) throw new Error('index-worker runs as a worker thread')
const { dimension, settings } = workerData as IndexWorkerData
const index = new VectorIndex(dimension, settings)

/**
 * Index work is background work: on Linux this thread runs at a lower priority (nice
 * 10), so under load the node's event loop and its signature checks come first and the
 * index catches up when they leave it room, as databases run compaction and index builds.
 * Searches are not slowed by it when the machine is idle. Elsewhere the priority stays.
 */
function lowerPriority (): void {
  try {
    // /proc/thread-self -> <pid>/task/<tid>; setpriority of a thread id sets that thread's nice value
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1))
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, 10)
  } catch {
    // not Linux, or not allowed: the thread keeps the process's priority
  }
}
lowerPriority()

const queue: IndexRequest[] = []
/** How far the put at the head of the queue has got. */
let putDone = 0
let scheduled = false

function reply (message: IndexReply): void {
  port?.postMessage(message)
}

function fail (id: number, err: unknown): void {
  reply({ id, ok: false, size: index.size(), error: (err as Error).message ?? String(err) })
}

function search (request: Extract<IndexRequest, { op: 'search' }>): void {
  try {
    const found = index.search(request.query, request.limit)
    reply({ id: request.id, ok: true, size: index.size(), rids: Float64Array.from(found, n => n.rid), similarities: Float64Array.from(found, n => n.similarity) })
  } catch (err) {
    fail(request.id, err)
  }
}

/** Does the next piece of work of the request at the head; true when the request is done. */
function step (request: IndexRequest): boolean {
  switch (request.op) {
    case 'put': {
      const end = Math.min(request.rids.length, putDone + SLICE)
      const rids = Array.from(request.rids.subarray(putDone, end))
      const vectors = rids.map((_, i) => request.vectors.subarray((putDone + i) * dimension, (putDone + i + 1) * dimension))
      index.putMany(rids, vectors)
      putDone = end
      if (putDone < request.rids.length) return false
      putDone = 0
      reply({ id: request.id, ok: true, size: index.size() })
      return true
    }
    case 'remove':
      for (const rid of request.rids) index.remove(rid)
      reply({ id: request.id, ok: true, size: index.size() })
      return true
    case 'clear':
      index.clear()
      reply({ id: request.id, ok: true, size: index.size() })
      return true
    case 'save':
      index.save(request.path)
      reply({ id: request.id, ok: true, size: index.size() })
      return true
    case 'load': {
      const loaded = index.load(request.path)
      reply({ id: request.id, ok: true, size: index.size(), loaded })
      return true
    }
    case 'search':
      search(request)
      return true
  }
}

function pump (): void {
  scheduled = false
  const head = queue[0]
  if (head == null) return
  try {
    if (step(head)) queue.shift()
  } catch (err) {
    queue.shift()
    putDone = 0
    fail(head.id, err)
  }
  if (queue.length > 0) schedule()
}

function schedule (): void {
  if (scheduled) return
  scheduled = true
  // setImmediate lets messages that arrived meanwhile in before the next slice
  setImmediate(pump)
}

port.on('message', (request: IndexRequest) => {
  if (request.op === 'search') {
    search(request)
    return
  }
  queue.push(request)
  schedule()
})

reply({ id: 0, ok: true, size: 0, layout: index.layout })
