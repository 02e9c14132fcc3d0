import { restrictTree } from '../../files/private-files.js'
import { legacyStoreToMove, moveLegacyStore } from './lancedb-legacy/migrate.js'
import { sqliteAdapter } from './sqlite/adapter.js'
import type { StoreAdapter } from './adapter.js'

/**
 * The embedded store: SQLite and an HNSW index in `<dataDir>/memory`, in the node's
 * process; every node holds its own copy, kept in step by replication. A memory folder
 * of release 0.1 (LanceDB) is moved into it first, once, at the first start.
 *
 * @example
 * ```ts
 * const store = await embeddedAdapter.open({ dir: 'n1/memory', settings: config.memory, embedder, watch, log })
 * ```
 */
export const embeddedAdapter: StoreAdapter = {
  name: 'embedded',
  replicated: true,
  open: async (ctx) => {
    if (legacyStoreToMove(ctx.dir)) {
      ctx.log?.('memory: moving the LanceDB store of release 0.1 in %s into SQLite', ctx.dir)
      const moved = await moveLegacyStore(ctx.dir)
      const communities = Object.entries(moved.communities).map(([c, n]) => `${c} ${n}`).join(', ')
      ctx.log?.('memory: moved %d records (%s); the LanceDB files (memory.lance, store.json) are left in place and may be removed', moved.records, communities === '' ? 'none' : communities)
    }
    // files left in the folder (by hand, or by an older release) are made private, as every file the node writes
    await restrictTree(ctx.dir)
    return sqliteAdapter.open(ctx)
  }
}
