/**
 * Files and folders of a data dir are the node's alone: files 0600, folders 0700,
 * whatever the umask and whatever was there before. A looser file or folder the node
 * finds (made by hand, by an older version, under a loose umask) is tightened, and the
 * change is logged at debug level (`DEBUG=oa:files`).
 *
 * @example
 * ```ts
 * await ensurePrivateDir('/home/me/.oa-node')
 * await writePrivateFile('/home/me/.oa-node/api.json', '{}\n')
 * ```
 */
import { chmodSync, closeSync, openSync, statSync } from 'node:fs'
import { chmod, lstat, mkdir, open, readdir, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { logger } from '@libp2p/logger'

/** The mode of every file the node writes. */
export const PRIVATE_FILE_MODE = 0o600
/** The mode of every folder the node makes. */
export const PRIVATE_DIR_MODE = 0o700

const log = logger('oa:files')

/** The permission bits `mode` should lose to be private (group and other bits, and any exec bit on a file). */
function excess (mode: number, wanted: number): number {
  return mode & 0o777 & ~wanted
}

function ownedHere (uid: number): boolean {
  return typeof process.getuid !== 'function' || process.getuid() === uid
}

async function tighten (path: string, wanted: number): Promise<void> {
  let info
  try {
    info = await lstat(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  if (info.isSymbolicLink() || excess(info.mode, wanted) === 0) return
  if (!ownedHere(info.uid)) {
    log('%s is mode %o and owned by uid %d, not this process: left as it is', path, info.mode & 0o777, info.uid)
    return
  }
  await chmod(path, wanted)
  log('%s was mode %o: set to %o', path, info.mode & 0o777, wanted)
}

/**
 * Makes `dir` (and missing parents) with mode 0700, and sets an existing looser one
 * the node owns to 0700.
 *
 * @example
 * ```ts
 * await ensurePrivateDir(join(dataDir, 'memory'))
 * ```
 */
export async function ensurePrivateDir (dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  await tighten(dir, PRIVATE_DIR_MODE)
}

/**
 * Sets an existing file the node owns to 0600 when it is looser; does nothing when the
 * file does not exist.
 *
 * @example
 * ```ts
 * await restrictFile(join(dataDir, 'identity.key'))
 * ```
 */
export async function restrictFile (path: string): Promise<void> {
  await tighten(path, PRIVATE_FILE_MODE)
}

/**
 * Writes a file atomically (a temporary file, then a rename) with mode 0600, whatever
 * the umask and whatever file was there before.
 *
 * @example
 * ```ts
 * await writePrivateFile(join(dataDir, 'api.token'), `${token}\n`)
 * ```
 */
export async function writePrivateFile (path: string, data: string | Uint8Array, options: { exclusive?: boolean } = {}): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  const handle = await open(tmp, options.exclusive === true ? 'wx' : 'w', PRIVATE_FILE_MODE)
  try {
    // a leftover temporary file keeps its old mode through open(): set it
    await handle.chmod(PRIVATE_FILE_MODE)
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(tmp, path)
}

/**
 * Creates a file that a library will open (an SQLite database) as an empty 0600 file,
 * or sets an existing looser one to 0600, before the library opens it; its companions
 * (`-wal`, `-shm`) are set to 0600 too when they exist. SQLite gives new companions
 * the mode of the database file.
 *
 * @example
 * ```ts
 * preparePrivateFileSync(join(dataDir, 'channels.db'), ['-wal', '-shm'])
 * const db = new DatabaseSync(join(dataDir, 'channels.db'))
 * ```
 */
export function preparePrivateFileSync (path: string, companions: string[] = []): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE))
  for (const file of [path, ...companions.map(suffix => `${path}${suffix}`)]) {
    let info
    try {
      info = statSync(file)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue
      throw err
    }
    if (excess(info.mode, PRIVATE_FILE_MODE) === 0) continue
    if (!ownedHere(info.uid)) {
      log('%s is mode %o and owned by uid %d, not this process: left as it is', file, info.mode & 0o777, info.uid)
      continue
    }
    chmodSync(file, PRIVATE_FILE_MODE)
    log('%s was mode %o: set to %o', file, info.mode & 0o777, PRIVATE_FILE_MODE)
  }
}

/**
 * Sets every folder under `dir` (and `dir`) to 0700 and every file to 0600 where they
 * are looser: for the memory folder, where libraries write files (SQLite, the vector
 * index) and a user may have left some.
 *
 * @example
 * ```ts
 * await restrictTree(join(dataDir, 'memory'))
 * ```
 */
export async function restrictTree (dir: string): Promise<void> {
  await tighten(dir, PRIVATE_DIR_MODE)
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (err) {
    // a folder the store removed meanwhile (compaction) has nothing left to restrict
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) await restrictTree(path)
    else if (entry.isFile()) await tighten(path, PRIVATE_FILE_MODE)
  }
}


/**
 * Narrows the process umask so that files written by libraries in this process
 * (SQLite's `-wal` and `-shm`, the saved vector index) are private too; only ever
 * removes permissions.
 *
 * @example
 * ```ts
 * restrictUmask()   // at the start of a node process
 * ```
 */
export function restrictUmask (): void {
  const before = process.umask(0o077)
  process.umask(before | 0o077)
}
