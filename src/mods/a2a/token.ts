import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { restrictFile, writePrivateFile } from '../../files/private-files.js'

/** The bearer token A2A clients send to the inbound gateway: its own, so a client never holds the control API's. */
export const A2A_TOKEN_FILE = 'a2a.token'

/**
 * Reads `<dataDir>/a2a.token` (setting a looser file to 0600), creating a random one
 * (mode 0600) the first time.
 *
 * @example
 * ```ts
 * const token = await loadOrCreateA2AToken('./n1')   // 64 hex characters
 * ```
 */
export async function loadOrCreateA2AToken (dataDir: string): Promise<string> {
  const path = join(dataDir, A2A_TOKEN_FILE)
  try {
    const token = (await readFile(path, 'utf8')).trim()
    if (/^[0-9a-f]{64}$/.test(token)) {
      await restrictFile(path)
      return token
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const token = randomBytes(32).toString('hex')
  await writePrivateFile(path, `${token}\n`)
  return token
}
