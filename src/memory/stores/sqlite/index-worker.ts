/**
 * The thread that holds the SQLite store's HNSW index (see IndexThread). It runs one
 * loop and never returns to its event loop: it answers a search asked through the
 * search lane (shared memory) as soon as it sees it, takes the other requests from its
 * port in order, does a large put a few rows at a time so that a search waits for a few
 * rows at most, and sleeps on the lane's doorbell when there is nothing to do. A search
 * does not see the rows of puts still queued: the store scores rows the index has not
 * acknowledged from its own backlog.
 */
import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { receiveMessageOnPort, workerData } from 'node:worker_threads'
import { VectorIndex } from './vector-index.js'
import { ANSWERED, ASKED, FAILED, LANE, MAX_FOUND } from './index-protocol.js'
import type { IndexReply, IndexRequest, IndexWorkerData } from './index-protocol.js'

/** Rows added between two looks at the search lane. */
const STEP = 4
/** Longest sleep between two looks at the port (a request always rings the doorbell; this is a safety net). */
const IDLE_WAIT_MS = 1_000

const { dimension, settings, lane, port } = workerData as IndexWorkerData
const control = new Int32Array(lane.control)
const query = new Float32Array(lane.query)
const rids = new Float64Array(lane.rids)
const similarities = new Float64Array(lane.similarities)
const index = new VectorIndex(dimension, settings)

/**
 * Index work is background work: on Linux this thread runs at a lower priority (nice
 * 10), so under load the node's event loop and its signature checks come first and the
 * index catches up when they leave it room, as databases run compaction and index builds.
 * Elsewhere the priority stays.
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

function reply (message: IndexReply): void {
  port.postMessage(message)
}

function fail (id: number, err: unknown): void {
  reply({ id, ok: false, size: index.size(), error: (err as Error).message ?? String(err) })
}

/** Answers the search waiting in the lane, if one is. */
function answerSearch (): void {
  if (Atomics.load(control, LANE.state) !== ASKED) return
  let state = ANSWERED
  try {
    const found = index.search(query, Math.min(MAX_FOUND, Atomics.load(control, LANE.limit)))
    for (let i = 0; i < found.length; i++) {
      rids[i] = found[i]?.rid ?? 0
      similarities[i] = found[i]?.similarity ?? 0
    }
    Atomics.store(control, LANE.found, found.length)
  } catch {
    state = FAILED
  }
  Atomics.store(control, LANE.size, index.size())
  Atomics.store(control, LANE.state, state)
  Atomics.notify(control, LANE.state)
}

const queue: IndexRequest[] = []
/** How far the put at the head of the queue has got. */
let putDone = 0

/** Does the next piece of work of the request at the head; true when the request is done. */
function step (request: IndexRequest): boolean {
  switch (request.op) {
    case 'put': {
      const end = Math.min(request.rids.length, putDone + STEP)
      const keys = Array.from(request.rids.subarray(putDone, end))
      const vectors = keys.map((_, i) => request.vectors.subarray((putDone + i) * dimension, (putDone + i + 1) * dimension))
      index.putMany(keys, vectors)
      putDone = end
      if (putDone < request.rids.length) return false
      putDone = 0
      reply({ id: request.id, ok: true, size: index.size() })
      return true
    }
    case 'remove':
      for (const rid of request.rids) index.remove(rid)
      break
    case 'clear':
      index.clear()
      break
    case 'save':
      index.save(request.path)
      break
    case 'load': {
      const loaded = index.load(request.path)
      reply({ id: request.id, ok: true, size: index.size(), loaded })
      return true
    }
    case 'close':
      break
  }
  reply({ id: request.id, ok: true, size: index.size() })
  return true
}

function run (): void {
  for (;;) {
    const rung = Atomics.load(control, LANE.doorbell)
    answerSearch()
    for (let m = receiveMessageOnPort(port); m != null; m = receiveMessageOnPort(port)) queue.push(m.message as IndexRequest)
    const head = queue[0]
    if (head == null) {
      Atomics.wait(control, LANE.doorbell, rung, IDLE_WAIT_MS)
      continue
    }
    try {
      if (step(head)) queue.shift()
    } catch (err) {
      queue.shift()
      putDone = 0
      fail(head.id, err)
    }
    if (head.op === 'close' && queue[0] !== head) break
  }
  port.close()
}

lowerPriority()
reply({ id: 0, ok: true, size: 0, layout: index.layout })
run()
