import { access } from 'node:fs/promises'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { BUILTIN_MODS } from '../mods/builtin.js'
import { lockHolder } from './data-dir.js'
import { DataDirError } from './errors.js'
import { readIdentity } from './identity.js'
import type { HistoryCheck } from '../channels/history-check.js'
import type { CommunitiesCheck } from '../communities/check.js'
import type { MembershipsCheck } from '../communities/memberships.js'
import type { MemoryStoreCheck } from '../memory/stores/sqlite/check.js'
import type { AnyMod, ModCheckPart } from '../mods/contract.js'
import type { OperationFileCheck } from '../mods/oplog/check.js'

/** What `checkDataDir` found, part by part. */
export interface DataDirCheck {
  dataDir: string
  /** True when no part has a problem. */
  ok: boolean
  identity: { present: boolean, peerId?: string, problems: string[] }
  channels: HistoryCheck
  /** The memory store in `memory/`: the embedded SQLite store, or a LanceDB store of release 0.1 not moved yet (`store: 'lancedb'`). */
  memory: MemoryStoreCheck
  /** Community genesis, credentials, revocations and key grants. */
  communities: CommunitiesCheck
  /** `memberships.json`: communities joined by name and left on a running node. */
  memberships: MembershipsCheck
  /** `wiki.db`: every wiki operation; absent when the wiki mod is off or never ran. */
  wiki?: OperationFileCheck
  /** `forum.db`: every forum operation; absent when the forum mod is off or never ran. */
  forum?: OperationFileCheck
  /** The parts other mods check, by part name. */
  [part: string]: unknown
}

/**
 * Checks the files of a stopped node's data dir without changing what they hold: the
 * identity key, the channel history (SQLite integrity check, every envelope decodes and
 * is signed), the memory store (every row reads back, signatures, vectors) and
 * the community files (genesis, credentials, revocations, key grants: signed, issued by
 * an admin, and the grants sealed to this node open) and `memberships.json` (communities
 * joined by name and left: it reads, and names only valid community names).
 * Each part is a mod's (its `check`); `mods` adds user mods' parts to the built-in ones.
 * Refuses a data dir whose node is running. Throws DataDirError when the folder is
 * missing or in use.
 *
 * @example
 * ```ts
 * const report = await checkDataDir('/home/me/.oa-node')
 * if (!report.ok) console.error(report.channels.problems, report.memory.problems)
 * ```
 */
export async function checkDataDir (dataDir: string, mods: readonly AnyMod[] = BUILTIN_MODS): Promise<DataDirCheck> {
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
  const parts: Record<string, ModCheckPart> = {}
  for (const mod of mods) {
    for (const [name, part] of Object.entries(await mod.check?.({ dataDir, ...(key == null ? {} : { privateKey: key }) }) ?? {})) parts[name] = part
  }
  const ok = [identity, ...Object.values(parts)].every(part => part.problems.length === 0)
  return { dataDir, ok, identity, ...parts } as DataDirCheck
}
