import { access } from 'node:fs/promises'
import { migrateToSqlite } from '../memory/stores/migrate.js'
import { DataDirError } from '../node/errors.js'
import { clientDataDir } from './status.js'
import { print, printJson } from './format.js'
import type { ClientFlags } from './status.js'

/** Flags of `oa-node memory migrate`. */
export interface MigrateFlags extends ClientFlags {
  to?: string
}

/**
 * `oa-node memory migrate --to sqlite`: copies a stopped node's embedded memory store into
 * the SQLite store of the same data dir and checks the counts. Exit 0 when every record
 * moved, 1 when the node runs or the stores disagree.
 *
 * @example
 * ```ts
 * await memoryMigrateCommand({ to: 'sqlite', dataDir: './n1' })   // 0
 * ```
 */
export async function memoryMigrateCommand (flags: MigrateFlags): Promise<number> {
  const dataDir = clientDataDir(flags)
  try {
    await access(dataDir)
  } catch {
    throw new DataDirError(`data dir ${dataDir} does not exist`)
  }
  const result = await migrateToSqlite(dataDir)
  if (flags.json === true) {
    printJson(result)
    return 0
  }
  const communities = Object.entries(result.communities).map(([c, n]) => `${c} ${n}`).join(', ')
  print(`moved ${result.records} record${result.records === 1 ? '' : 's'} (communities ${communities === '' ? 'none' : communities}); start the node with --memory sqlite (or memory.store: sqlite)`)
  print('the embedded store (memory/memory.lance) is left in place; remove it once the node runs well on the SQLite store')
  return 0
}
