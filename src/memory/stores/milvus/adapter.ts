import type { StoreAdapter } from '../adapter.js'

/**
 * A Milvus collection shared by the nodes (`memory.milvus`): not replicated, only
 * notices of new records travel. The Milvus client (about 50 MiB of a process's memory
 * once loaded) is loaded only by a node that opens this store.
 *
 * @example
 * ```ts
 * const store = await milvusAdapter.open({ dir, settings: config.memory, embedder, watch })
 * ```
 */
export const milvusAdapter: StoreAdapter = {
  name: 'milvus',
  replicated: false,
  open: async ({ settings, embedder, watch }) => (await import('./store.js')).MilvusStore.open(settings.milvus, embedder, { health: watch('milvus', settings.milvus.address ?? '') })
}
