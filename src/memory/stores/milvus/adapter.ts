import { MilvusStore } from './store.js'
import type { StoreAdapter } from '../adapter.js'

/**
 * A Milvus collection shared by the nodes (`memory.milvus`): not replicated, only
 * notices of new records travel.
 *
 * @example
 * ```ts
 * const store = await milvusAdapter.open({ dir, settings: config.memory, embedder, watch })
 * ```
 */
export const milvusAdapter: StoreAdapter = {
  name: 'milvus',
  replicated: false,
  open: async ({ settings, embedder, watch }) => MilvusStore.open(settings.milvus, embedder, { health: watch('milvus', settings.milvus.address ?? '') })
}
