import { MemoryStoreError } from '../errors.js'
import { embeddedAdapter } from './embedded-adapter.js'
import { milvusAdapter } from './milvus/adapter.js'
import type { StoreAdapter } from './adapter.js'
import type { Embedder } from '../embedders/types.js'
import type { MemoryStore } from '../types.js'

const adapters = new Map<string, StoreAdapter>([[embeddedAdapter.name, embeddedAdapter], [milvusAdapter.name, milvusAdapter]])

/**
 * Registers a store adapter under its name; a name taken already is an error.
 *
 * @example
 * ```ts
 * registerStoreAdapter({ name: 'mine', replicated: true, open: async ({ embedder }) => MyStore.open(embedder.dimension) })
 * ```
 */
export function registerStoreAdapter (adapter: StoreAdapter): void {
  if (adapters.has(adapter.name)) throw new MemoryStoreError(`a memory store named "${adapter.name}" is registered already`)
  adapters.set(adapter.name, adapter)
}

/**
 * The adapter registered under a name (`embedded`, `milvus`, or one registered later).
 *
 * @example
 * ```ts
 * storeAdapter('milvus').replicated   // false: a shared store
 * ```
 */
export function storeAdapter (name: string): StoreAdapter {
  const adapter = adapters.get(name)
  if (adapter == null) throw new MemoryStoreError(`no memory store named "${name}" (known: ${[...adapters.keys()].join(', ')})`)
  return adapter
}

/**
 * An adapter for a store the caller opens itself (`createNode`'s `openMemoryStore`):
 * a store of the node's own, replicated like the embedded one unless said otherwise.
 *
 * @example
 * ```ts
 * const adapter = customStoreAdapter(async embedder => MyStore.open(embedder.dimension))
 * ```
 */
export function customStoreAdapter (open: (embedder: Embedder) => Promise<MemoryStore>, replicated = true): StoreAdapter {
  return { name: 'custom', replicated, open: async ({ embedder }) => open(embedder) }
}
