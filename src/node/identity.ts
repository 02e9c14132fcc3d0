import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { restrictFile, writePrivateFile } from '../files/private-files.js'
import { IdentityError } from './errors.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

export const IDENTITY_FILE = 'identity.key'

/** Where a data dir keeps the node's key. */
export function identityPath (dataDir: string): string {
  return join(dataDir, IDENTITY_FILE)
}

/**
 * Reads the node's Ed25519 key from `<dataDir>/identity.key`. Returns undefined when
 * the file does not exist; throws IdentityError naming the file when it is unusable.
 */
export async function readIdentity (dataDir: string): Promise<PrivateKey | undefined> {
  const path = identityPath(dataDir)
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new IdentityError(`cannot read identity key ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new IdentityError(`identity key ${path} is corrupt (${(err as Error).message}); restore it from a backup, or move it away to start with a new peer id`)
  }
  if (key.type !== 'Ed25519') {
    throw new IdentityError(`identity key ${path} is a ${key.type} key; oa-node uses Ed25519 keys`)
  }
  return key
}

/**
 * Loads the node's key, creating it (mode 0600) on first start; an existing key file
 * that is looser is set to 0600. The peer id stays the same across restarts; a corrupt
 * key file is an error, never replaced.
 *
 * @example
 * ```ts
 * const key = await loadOrCreateIdentity('/home/me/.oa-node')
 * console.log(peerIdFromPrivateKey(key).toString())
 * ```
 */
export async function loadOrCreateIdentity (dataDir: string): Promise<PrivateKey> {
  const existing = await readIdentity(dataDir)
  if (existing != null) {
    await restrictFile(identityPath(dataDir))
    return existing
  }
  const key = await generateKeyPair('Ed25519')
  await writePrivateFile(identityPath(dataDir), privateKeyToProtobuf(key), { exclusive: true })
  return key
}

/** The peer id a data dir's key gives, or undefined before the first start. */
export async function readPeerId (dataDir: string): Promise<PeerId | undefined> {
  const key = await readIdentity(dataDir)
  return key == null ? undefined : peerIdFromPrivateKey(key)
}
