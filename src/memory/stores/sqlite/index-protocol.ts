import type { VectorIndexSettings } from './vector-index.js'

/** What the index thread is started with. */
export interface IndexWorkerData {
  dimension: number
  settings: VectorIndexSettings
}

/** A request to the index thread; `id` pairs it with its reply. */
export type IndexRequest =
  | { op: 'put', id: number, rids: Float64Array, vectors: Float32Array }
  | { op: 'remove', id: number, rids: number[] }
  | { op: 'clear', id: number }
  | { op: 'search', id: number, query: Float32Array, limit: number }
  | { op: 'save', id: number, path: string }
  | { op: 'load', id: number, path: string }

/** The index thread's answer to one request (id 0: the thread is ready). */
export interface IndexReply {
  id: number
  ok: boolean
  /** Vectors the index holds after the request. */
  size: number
  error?: string
  /** The ready message: how the index is built. */
  layout?: string
  /** A search's neighbours, nearest first. */
  rids?: Float64Array
  similarities?: Float64Array
  /** A load: whether the file was read. */
  loaded?: boolean
}
