import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Bytes of the files under a directory, all levels down; 0 when it does not exist.
 * Files that vanish while it counts (a SQLite journal) are skipped.
 *
 * @example
 * ```ts
 * await directoryBytes(join(config.dataDir, 'memory'))   // 1843200
 * ```
 */
export async function directoryBytes (dir: string): Promise<number> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return 0
  }
  let total = 0
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name)
    if (entry.isDirectory()) {
      total += await directoryBytes(path)
    } else if (entry.isFile()) {
      total += await stat(path).then(s => s.size, () => 0)
    }
  }
  return total
}
