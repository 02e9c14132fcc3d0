import { randomBytes } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { restrictFile, writePrivateFile } from '../files/private-files.js'

/** What `<dataDir>/api.json` holds while a node runs. */
export interface ApiInfo {
  url: string
  pid: number
  peerId: string
  version: string
}

export const API_INFO_FILE = 'api.json'
export const API_TOKEN_FILE = 'api.token'

/** Reads the API token (setting a looser file to 0600), creating a random one (mode 0600) the first time. */
export async function loadOrCreateToken (dataDir: string): Promise<string> {
  const path = join(dataDir, API_TOKEN_FILE)
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

export async function writeApiInfo (dataDir: string, info: ApiInfo): Promise<void> {
  await writePrivateFile(join(dataDir, API_INFO_FILE), `${JSON.stringify(info, null, 2)}\n`)
}

export async function removeApiInfo (dataDir: string): Promise<void> {
  await rm(join(dataDir, API_INFO_FILE), { force: true })
}

/** Reads `<dataDir>/api.json`, or undefined when no node has written one. */
export async function readApiInfo (dataDir: string): Promise<ApiInfo | undefined> {
  let text: string
  try {
    text = await readFile(join(dataDir, API_INFO_FILE), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  const info = JSON.parse(text) as Partial<ApiInfo>
  if (typeof info.url !== 'string' || typeof info.pid !== 'number') return undefined
  return info as ApiInfo
}

export async function readToken (dataDir: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dataDir, API_TOKEN_FILE), 'utf8')).trim()
  } catch {
    return undefined
  }
}
