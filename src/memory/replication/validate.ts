import { MemoryInputError } from '../errors.js'
import { agentOfOrigin, checkCovers, checkInput, verifyRecord } from '../record.js'
import type { StoredRecord } from '../types.js'

declare const verified: unique symbol

/** A record received from another node that passed `checkRemoteRecord`: the only kind a replica ingests. */
export type VerifiedRecord = StoredRecord & { readonly [verified]: true }

/**
 * Checks a record received from another node: it belongs to `community`, its agent is
 * one of its origin's, its fields are valid (a tombstone has no text), and its signature
 * verifies against its origin's key (so the origin cannot be forged). Returns it as a
 * `VerifiedRecord`; throws MemoryInputError with a `code` naming the problem.
 *
 * @example
 * ```ts
 * const checked = await checkRemoteRecord(fromWire(wire), 'devsupport', 32_768)
 * ```
 */
export async function checkRemoteRecord (r: StoredRecord, community: string, maxTextBytes: number): Promise<VerifiedRecord> {
  if (r.community !== community) throw new MemoryInputError('community', `record ${r.id.slice(0, 64)} belongs to community "${r.community.slice(0, 64)}", not "${community}"`)
  if (!Number.isSafeInteger(r.seq) || r.seq < 1) throw new MemoryInputError('record', `record ${r.id.slice(0, 64)} has no valid seq`)
  if (!agentOfOrigin(r.agent, r.origin)) throw new MemoryInputError('owner', `record ${r.id.slice(0, 64)} names agent ${r.agent.slice(0, 140)}, not an agent of its origin ${r.origin.slice(0, 64)}`)
  try {
    if (r.deleted === true) {
      if (r.text !== '' || Object.keys(r.metadata).length > 0) throw new MemoryInputError('bad_tombstone', 'a tombstone carries no text or metadata')
      checkInput({ text: 'x', kind: r.kind, id: r.id }, maxTextBytes)
    } else {
      checkInput({ text: r.text, kind: r.kind, id: r.id, metadata: r.metadata }, maxTextBytes)
    }
    checkCovers(r.covers ?? [], r.seq)
  } catch (err) {
    throw new MemoryInputError((err as MemoryInputError).code === 'text_too_long' ? 'size' : 'record', `record ${r.id.slice(0, 64)}: ${(err as Error).message}`)
  }
  if (!await verifyRecord(r)) throw new MemoryInputError('signature', `record ${r.id.slice(0, 64)} is not signed by its origin ${r.origin.slice(0, 64)}`)
  return r as VerifiedRecord
}
