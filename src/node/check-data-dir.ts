import { access } from 'node:fs/promises'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { checkHistoryFile } from '../channels/history-check.js'
import { checkCommunityFiles } from '../communities/check.js'
import { checkMemberships } from '../communities/memberships.js'
import { checkEmbeddedStore } from '../memory/stores/embedded-check.js'
import { lockHolder } from './data-dir.js'
import { DataDirError } from './errors.js'
import { readIdentity } from './identity.js'
import type { HistoryCheck } from '../channels/history-check.js'
import type { CommunitiesCheck } from '../communities/check.js'
import type { MembershipsCheck } from '../communities/memberships.js'
import type { EmbeddedStoreCheck } from '../memory/stores/embedded-check.js'

/** What `checkDataDir` found, part by part. */
export interface DataDirCheck {
  dataDir: string
  /** True when no part has a problem. */
  ok: boolean
  identity: { present: boolean, peerId?: string, problems: string[] }
  channels: HistoryCheck
  memory: EmbeddedStoreCheck
  /** Community genesis, credentials, revocations and key grants. */
  communities: CommunitiesCheck
  /** `memberships.json`: communities joined by name and left on a running node. */
  memberships: MembershipsCheck
}

/**
 * Checks the files of a stopped node's data dir without changing what they hold: the
 * identity key, the channel history (SQLite integrity check, every envelope decodes and
 * is signed), the embedded memory store (every row reads back, signatures, vectors) and
 * the community files (genesis, credentials, revocations, key grants: signed, issued by
 * an admin, and the grants sealed to this node open) and `memberships.json` (communities
 * joined by name and left: it reads, and names only valid community names).
 * Refuses a data dir whose node is running. Throws DataDirError when the folder is
 * missing or in use.
 *
 * @example
 * ```ts
 * const report = await checkDataDir('/home/me/.oa-node')
 * if (!report.ok) console.error(report.channels.problems, report.memory.problems)
 * ```
 */
export async function checkDataDir (dataDir: string): Promise<DataDirCheck> {
  try {
    await access(dataDir)
  } catch {
    throw new DataDirError(`data dir ${dataDir} does not exist`)
  }
  const pid = await lockHolder(dataDir)
  if (pid != null) {
    throw new DataDirError(`data dir ${dataDir} is in use by a running oa-node (pid ${pid}); stop it before checking its files`)
  }
  const identity: DataDirCheck['identity'] = { present: false, problems: [] }
  let key
  try {
    key = await readIdentity(dataDir)
    if (key != null) {
      identity.present = true
      identity.peerId = peerIdFromPrivateKey(key).toString()
    }
  } catch (err) {
    identity.present = true
    identity.problems.push((err as Error).message)
  }
  const channels = await checkHistoryFile(join(dataDir, 'channels.db'))
  const memory = await checkEmbeddedStore(join(dataDir, 'memory'))
  const communities = await checkCommunityFiles(dataDir, key ?? undefined)
  const memberships = await checkMemberships(dataDir)
  const ok = [identity, channels, memory, communities, memberships].every(part => part.problems.length === 0)
  return { dataDir, ok, identity, channels, memory, communities, memberships }
}
