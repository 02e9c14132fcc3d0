import { SqliteStore } from './store.js'
import type { StoreAdapter } from '../adapter.js'

/**
 * The SQLite store in `<dataDir>/memory` (`memory.db`, and the vector index
 * `memory.usearch` beside it), in the node's process: every node holds its own copy,
 * kept in step by replication.
 *
 * @example
 * ```ts
 * const store = await sqliteAdapter.open({ dir: 'n1/memory', settings: config.memory, embedder, watch })
 * ```
 */
export const sqliteAdapter: StoreAdapter = {
  name: 'sqlite',
  replicated: true,
  open: async ({ dir, settings, embedder, reembed, notice }) => SqliteStore.open({
    dir,
    embedder,
    writeWindowMs: settings.writeWindowMs,
    ...(reembed === true ? { reembed: embedder } : {}),
    ...(notice == null ? {} : { notice })
  })
}
