import type { MessagePort } from 'node:worker_threads'
import type { VectorIndexSettings } from './vector-index.js'

/**
 * The search lane: memory shared by the store's thread and the index thread, through
 * which a search is asked and answered without a message (a message between threads
 * takes 0.1 ms at p50 and over 2 ms at p99 on a 2-core virtual machine; a wake through
 * shared memory, tens of microseconds). Control words, as an Int32Array:
 */
export const LANE = {
  /** IDLE, ASKED, ANSWERED or FAILED (below). */
  state: 0,
  /** Bumped by the store on every request and search: the index thread waits on it when idle. */
  doorbell: 1,
  /** Neighbours asked for. */
  limit: 2,
  /** Neighbours found. */
  found: 3,
  /** Vectors the index holds after the search. */
  size: 4,
  words: 8
} as const

export const IDLE = 0
export const ASKED = 1
export const ANSWERED = 2
export const FAILED = 3

/** Most neighbours one search returns. */
export const MAX_FOUND = 16_384

/** The shared memory of one index thread. */
export interface SearchLane {
  control: SharedArrayBuffer
  /** The query: `dimension` float32 values. */
  query: SharedArrayBuffer
  /** Row ids of the neighbours found, nearest first: MAX_FOUND float64 values. */
  rids: SharedArrayBuffer
  /** Their cosine similarities. */
  similarities: SharedArrayBuffer
}

/** Makes the shared memory of a search lane for vectors of `dimension` values. */
export function searchLane (dimension: number): SearchLane {
  return {
    control: new SharedArrayBuffer(LANE.words * 4),
    query: new SharedArrayBuffer(dimension * 4),
    rids: new SharedArrayBuffer(MAX_FOUND * 8),
    similarities: new SharedArrayBuffer(MAX_FOUND * 8)
  }
}

/** What the index thread is started with: `port` carries the requests other than searches. */
export interface IndexWorkerData {
  dimension: number
  settings: VectorIndexSettings
  lane: SearchLane
  port: MessagePort
}

/** A request to the index thread, other than a search; `id` pairs it with its reply. */
export type IndexRequest =
  | { op: 'put', id: number, rids: Float64Array, vectors: Float32Array }
  | { op: 'remove', id: number, rids: number[] }
  | { op: 'clear', id: number }
  | { op: 'save', id: number, path: string }
  | { op: 'load', id: number, path: string }
  | { op: 'close', id: number }

/** The index thread's answer to one request (id 0: the thread is ready). */
export interface IndexReply {
  id: number
  ok: boolean
  /** Vectors the index holds after the request. */
  size: number
  error?: string
  /** The ready message: how the index is built. */
  layout?: string
  /** A load: whether the file was read. */
  loaded?: boolean
}
