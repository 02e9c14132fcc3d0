import { ensureDataDir } from '../node/data-dir.js'
import { loadOrCreateIdentity, readIdentity } from '../node/identity.js'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { print, printJson } from './format.js'
import { clientDataDir } from './status.js'
import type { ClientFlags } from './status.js'

/**
 * `oa-node id`: the peer id of a data dir, without starting a node. Creates the
 * identity key when the data dir has none yet, so the id can be shared before the
 * first start.
 */
export async function idCommand (flags: ClientFlags): Promise<number> {
  const dataDir = clientDataDir(flags)
  await ensureDataDir(dataDir)
  const existing = await readIdentity(dataDir)
  const key = existing ?? await loadOrCreateIdentity(dataDir)
  const peerId = peerIdFromPrivateKey(key).toString()
  if (flags.json === true) printJson({ peerId, dataDir, created: existing == null })
  else print(peerId)
  return 0
}
