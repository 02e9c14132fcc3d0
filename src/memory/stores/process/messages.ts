import { EmbedderMismatchError, MemoryInputError, MemoryStoreError } from '../../errors.js'
import type { MemoryRecord } from '../../types.js'
import type { EmbeddedStoreInit } from '../embedded.js'

/**
 * Messages between a node and its store process, over the Node.js IPC channel with
 * structured-clone serialization (typed arrays, bigints and Maps pass as they are).
 */

/** The calls a store process answers: the MemoryStore methods, plus optimize and flushNow. */
export const STORE_CALLS = ['upsert', 'search', 'get', 'delete', 'count', 'stats', 'page', 'versions', 'afterSeq', 'optimize', 'flushNow'] as const
export type StoreCall = typeof STORE_CALLS[number]

/** An error as it crosses the process boundary: its class name, code and message. */
export interface WireError {
  name: string
  message: string
  code?: string
}

export type ToHost =
  | { type: 'open', init: EmbeddedStoreInit }
  | { type: 'call', id: number, call: StoreCall, args: unknown[] }
  | { type: 'close' }

export type FromHost =
  | { type: 'opened', rss: number }
  | { type: 'result', id: number, value?: unknown, error?: WireError, rss: number }
  | { type: 'warning', message: string }
  | { type: 'failed', error: WireError }

/** A record whose vector travels as a Float32Array: a quarter of the bytes of a number array, no loss at the store's precision. */
export type PackedRecord = Omit<MemoryRecord, 'vector'> & { vector: Float32Array }

export function packRecords (records: MemoryRecord[]): PackedRecord[] {
  return records.map(r => ({ ...r, vector: Float32Array.from(r.vector) }))
}

export function unpackRecords (records: PackedRecord[]): MemoryRecord[] {
  return records.map(r => ({ ...r, vector: Array.from(r.vector) }))
}

export function toWireError (err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) }
  const code = err instanceof MemoryStoreError ? err.storeCode : (err as { code?: unknown }).code
  return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) }
}

/** The error a caller sees: the store's own error classes keep their class and code. */
export function fromWireError (wire: WireError): Error {
  switch (wire.name) {
    case 'MemoryInputError': return new MemoryInputError(wire.code ?? 'bad_input', wire.message)
    case 'EmbedderMismatchError': return new EmbedderMismatchError(wire.message)
    case 'MemoryStoreError': return new MemoryStoreError(wire.message, wire.code)
    default: return new MemoryStoreError(`the memory store failed: ${wire.message}`)
  }
}

/** Whether a message from a node is one the host understands; anything else is refused by name. */
export function isToHost (msg: unknown): msg is ToHost {
  if (typeof msg !== 'object' || msg == null) return false
  const m = msg as Record<string, unknown>
  switch (m.type) {
    case 'open': return typeof m.init === 'object' && m.init != null
    case 'call': return typeof m.id === 'number' && (STORE_CALLS as readonly unknown[]).includes(m.call) && Array.isArray(m.args)
    case 'close': return true
    default: return false
  }
}
