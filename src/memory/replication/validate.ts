import { MemoryInputError } from '../errors.js'
import { checkInput, verifyRecord } from '../record.js'
import type { StoredRecord } from '../service.js'

/**
 * Checks a record received from another node: it belongs to `community`, its fields
 * are valid, and its signature verifies against its origin's key (so the origin cannot
 * be forged). Throws MemoryInputError with a `code` naming the problem.
 */
export async function checkRemoteRecord (r: StoredRecord, community: string, maxTextBytes: number): Promise<void> {
  if (r.community !== community) throw new MemoryInputError('community', `record ${r.id.slice(0, 64)} belongs to community "${r.community.slice(0, 64)}", not "${community}"`)
  if (!Number.isSafeInteger(r.seq) || r.seq < 1) throw new MemoryInputError('record', `record ${r.id.slice(0, 64)} has no valid seq`)
  try {
    checkInput({ text: r.text, kind: r.kind, id: r.id, metadata: r.metadata }, maxTextBytes)
  } catch (err) {
    throw new MemoryInputError((err as MemoryInputError).code === 'text_too_long' ? 'size' : 'record', `record ${r.id.slice(0, 64)}: ${(err as Error).message}`)
  }
  if (!await verifyRecord(r)) throw new MemoryInputError('signature', `record ${r.id.slice(0, 64)} is not signed by its origin ${r.origin.slice(0, 64)}`)
}
