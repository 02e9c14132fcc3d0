import { EmbeddedStore } from './embedded.js'
import { ProcessStore } from './process/process-store.js'
import type { StoreAdapter } from './adapter.js'

/**
 * The embedded LanceDB store in `<dataDir>/memory`, in a child process by default
 * (`memory.storeProcess`): every node holds its own copy, kept in step by replication.
 *
 * @example
 * ```ts
 * const store = await embeddedAdapter.open({ dir: 'n1/memory', settings: config.memory, embedder, watch })
 * ```
 */
export const embeddedAdapter: StoreAdapter = {
  name: 'embedded',
  replicated: true,
  open: async ({ dir, settings, embedder }) => {
    const init = { dir, embedder, writeWindowMs: settings.writeWindowMs, commitIntervalMs: settings.commitIntervalMs, vectorIndexThreshold: settings.vectorIndexThreshold }
    // in its own process, the store's native memory (which LanceDB grows with every commit) is given back when the process is replaced
    if (settings.storeProcess) return ProcessStore.open({ ...init, recycleRssMiB: settings.storeRecycleRssMiB })
    return EmbeddedStore.open(init)
  }
}
