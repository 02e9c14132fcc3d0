import { checkLegacyStore } from './lancedb-legacy/check.js'
import { legacyStoreToMove } from './lancedb-legacy/migrate.js'
import { checkSqliteStore } from './sqlite/check.js'
import type { MemoryStoreCheck } from './sqlite/check.js'

/**
 * The `oa-node check` part of the memory folder: the embedded SQLite store, or, in a
 * data dir of release 0.1 whose node has not started since, the LanceDB store that
 * moves into SQLite at the next start.
 *
 * @example
 * ```ts
 * const { memory } = await checkMemoryStores('/home/me/.oa-node/memory')
 * ```
 */
export async function checkMemoryStores (dir: string): Promise<{ memory: MemoryStoreCheck }> {
  if (legacyStoreToMove(dir)) return { memory: await checkLegacyStore(dir) }
  return { memory: await checkSqliteStore(dir) }
}
