import { constants } from 'node:fs'
import { access, open, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { ensurePrivateDir } from '../files/private-files.js'
import { DataDirError } from './errors.js'

/**
 * Creates the data dir (mode 0700) if needed, sets an existing looser one to 0700, and
 * checks that it is a writable directory.
 *
 * @example
 * ```ts
 * await ensureDataDir('/home/me/.oa-node')
 * ```
 */
export async function ensureDataDir (dir: string): Promise<void> {
  try {
    const info = await stat(dir).catch(() => undefined)
    if (info != null && !info.isDirectory()) throw new DataDirError(`data dir ${dir} is not a directory`)
    await ensurePrivateDir(dir)
    await access(dir, constants.W_OK)
  } catch (err) {
    if (err instanceof DataDirError) throw err
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    throw new DataDirError(`data dir ${dir} cannot be created or written (${code}); choose another with --data-dir`)
  }
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * The pid of the live process holding `<dataDir>/node.lock`, or undefined when the data
 * dir is free (no lock, or one left by a process that no longer runs).
 *
 * @example
 * ```ts
 * const pid = await lockHolder('/home/me/.oa-node')
 * if (pid != null) console.log(`a node runs as pid ${pid}`)
 * ```
 */
export async function lockHolder (dir: string): Promise<number | undefined> {
  const pid = Number((await readFile(join(dir, 'node.lock'), 'utf8').catch(() => '')).trim())
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid) ? pid : undefined
}

/** Locks taken by this process, so two in-process nodes cannot share a data dir either. */
const heldHere = new Set<string>()

/** An exclusive hold on a data dir, so two nodes never share one identity and store. */
export interface DataDirLock {
  release(): Promise<void>
}

/**
 * Takes `<dataDir>/node.lock`. A lock left by a process that no longer runs is taken over.
 *
 * @example
 * ```ts
 * const lock = await lockDataDir(dir)
 * try { ... } finally { await lock.release() }
 * ```
 */
export async function lockDataDir (dir: string): Promise<DataDirLock> {
  const path = join(dir, 'node.lock')
  if (heldHere.has(path)) throw new DataDirError(`data dir ${dir} is in use by another node in this process`)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600)
      await handle.writeFile(String(process.pid))
      await handle.close()
      heldHere.add(path)
      return {
        release: async () => {
          if (!heldHere.delete(path)) return
          await rm(path, { force: true })
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DataDirError(`cannot lock data dir ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
      }
      const pid = await lockHolder(dir)
      if (pid != null) {
        throw new DataDirError(`data dir ${dir} is in use by another oa-node (pid ${pid}); stop it or choose another --data-dir`)
      }
      await rm(path, { force: true })
    }
  }
  throw new DataDirError(`cannot lock data dir ${dir}`)
}

export { isAlive as isProcessAlive }
