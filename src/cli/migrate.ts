import { access } from 'node:fs/promises'
import { migrateDataDir } from '../memory/stores/lancedb-legacy/migrate.js'
import { DataDirError } from '../node/errors.js'
import { clientDataDir } from './status.js'
import { print, printJson } from './format.js'
import type { ClientFlags } from './status.js'

/** Flags of `oa-node memory migrate`. */
export interface MigrateFlags extends ClientFlags {
  /** `embedded` (or its other name `sqlite`): the only store to move to. */
  to?: string
}

/**
 * `oa-node memory migrate`: moves a stopped node's memory from the LanceDB store of
 * release 0.1 into the embedded SQLite store of the same data dir and checks the
 * counts. A node does this by itself at its first start; the command does it ahead of
 * time. Exit 0 when every record moved, 1 when the node runs or the stores disagree.
 *
 * @example
 * ```ts
 * await memoryMigrateCommand({ dataDir: './n1' })   // 0
 * ```
 */
export async function memoryMigrateCommand (flags: MigrateFlags): Promise<number> {
  const dataDir = clientDataDir(flags)
  try {
    await access(dataDir)
  } catch {
    throw new DataDirError(`data dir ${dataDir} does not exist`)
  }
  const result = await migrateDataDir(dataDir)
  if (flags.json === true) {
    printJson(result)
    return 0
  }
  const communities = Object.entries(result.communities).map(([c, n]) => `${c} ${n}`).join(', ')
  print(`moved ${result.records} record${result.records === 1 ? '' : 's'} (communities ${communities === '' ? 'none' : communities}) into the embedded store (memory/memory.db)`)
  print('the LanceDB files (memory/memory.lance, memory/store.json) are left in place; remove them once the node runs well')
  return 0
}
