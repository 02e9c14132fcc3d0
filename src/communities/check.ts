import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { readCommunityFiles } from './files.js'
import { Keyring } from './keyring.js'
import { verifyObject } from './objects.js'
import { CommunityState } from './state.js'
import type { Signed } from './objects.js'
import type { PrivateKey } from '@libp2p/interface'

/** What `checkCommunityFiles` found. */
export interface CommunitiesCheck {
  /** Communities read, with what each holds. */
  communities: Array<{ name: string, id: string, policy: string, objects: number, epoch: number, keyEpochs: number[], role?: string }>
  /** Damage: unreadable files, bad signatures, objects no admin issued, grants that do not open. */
  problems: string[]
  /**
   * What is sound but limits the node: a private community of which it is a member but
   * holds no key of the current epoch (it gets one from the first member it meets).
   */
  notes: string[]
}

/**
 * Checks the community files of a data dir without changing them: each file decodes, its
 * genesis names its id, every object's signature verifies, every credential, revocation
 * and grant was issued by an admin, and the grants sealed to this node open. Notes a
 * private community of which this node is a member but holds no current key.
 *
 * @example
 * ```ts
 * const { communities, problems, notes } = await checkCommunityFiles('./n1', key)
 * ```
 */
export async function checkCommunityFiles (dataDir: string, key?: PrivateKey): Promise<CommunitiesCheck> {
  const report: CommunitiesCheck = { communities: [], problems: [], notes: [] }
  let files
  try {
    files = await readCommunityFiles(dataDir)
  } catch (err) {
    report.problems.push((err as Error).message)
    return report
  }
  const self = key == null ? undefined : peerIdFromPrivateKey(key).toString()
  for (const { id, file, objects } of files) {
    const verified: Signed[] = []
    for (const [i, object] of objects.entries()) {
      try {
        verified.push(await verifyObject(object))
      } catch (err) {
        report.problems.push(`${file}: object ${i + 1}: ${(err as Error).message}`)
      }
    }
    const [genesis, ...rest] = verified
    let state: CommunityState
    try {
      if (genesis == null) throw new Error('holds no genesis')
      state = CommunityState.fromGenesis(genesis)
    } catch (err) {
      report.problems.push(`${file}: ${(err as Error).message}`)
      continue
    }
    if (state.id !== id) report.problems.push(`${file}: its genesis founds ${state.id}, not ${id}`)
    for (const r of state.addAll(rest).refused) report.problems.push(`${file}: ${r.object.kind}: ${r.error}`)
    const keyEpochs: number[] = []
    let ring: Keyring | undefined
    if (key != null && self != null) {
      for (const grant of state.grantsFor(self)) {
        try {
          const opened = Keyring.openGrant(grant.body, key)
          if (ring == null) ring = opened
          else ring.merge(opened)
          keyEpochs.push(grant.body.epoch)
        } catch (err) {
          report.problems.push(`${file}: the grant of epoch ${grant.body.epoch} sealed to this node does not open (${(err as Error).message})`)
        }
      }
    }
    const role = self == null ? undefined : state.roleOf(self)
    if (state.policy === 'private' && role != null && ring?.has(state.epoch()) !== true) {
      report.notes.push(`${state.name}: this node holds no key of the current epoch ${state.epoch()} (${ring == null ? 'none at all' : `newest: ${ring.epoch}`}), so it can neither open nor seal what is written now; it gets the key from the first member it meets once it runs`)
    }
    report.communities.push({ name: state.name, id: state.id, policy: state.policy, objects: objects.length, epoch: state.epoch(), keyEpochs, ...(role == null ? {} : { role }) })
  }
  return report
}
