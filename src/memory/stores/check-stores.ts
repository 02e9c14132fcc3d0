import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { checkEmbeddedStore } from './embedded-check.js'
import { META_FILE } from './embedded.js'
import { checkSqliteStore } from './sqlite/check.js'
import { DB_FILE } from './sqlite/schema.js'
import type { EmbeddedStoreCheck } from './embedded-check.js'
import type { SqliteStoreCheck } from './sqlite/check.js'

/**
 * The `oa-node check` parts of the memory folder: `memory` is the store found there
 * (the SQLite store when only it is there, the embedded one otherwise); a folder that
 * holds both gets the SQLite one as `memorySqlite` too.
 *
 * @example
 * ```ts
 * const { memory } = await checkMemoryStores('/home/me/.oa-node/memory')
 * ```
 */
export async function checkMemoryStores (dir: string): Promise<{ memory: EmbeddedStoreCheck | SqliteStoreCheck, memorySqlite?: SqliteStoreCheck }> {
  const sqlite = existsSync(join(dir, DB_FILE))
  if (sqlite && !existsSync(join(dir, META_FILE))) return { memory: await checkSqliteStore(dir) }
  const memory = await checkEmbeddedStore(dir)
  return sqlite ? { memory, memorySqlite: await checkSqliteStore(dir) } : { memory }
}
