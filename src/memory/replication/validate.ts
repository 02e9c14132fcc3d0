import { MemoryInputError } from '../errors.js'
import { agentOfOrigin, checkCovers, checkInput, verifyRecord } from '../record.js'
import { float32OfBytes, isSignedVector, verifyVector } from './vector.js'
import type { StoredRecord, Vector } from '../types.js'
import type { CarriedVector, EmbedderId } from './vector.js'
import type { VerifyOptions } from '../../signatures/ed25519.js'

declare const verified: unique symbol

/**
 * A record received from another node that passed `checkRemoteRecord`: the only kind a
 * replica ingests. `vector` (with the origin's `vectorSignature`) is set only by
 * `checkCarriedVector`, once the origin's signature of it verified.
 */
export type VerifiedRecord = StoredRecord & { readonly [verified]: true, readonly vector?: Vector }

/**
 * What became of the vector a record carried: none came, it was `used`, it was made by
 * another embedder than the receiver's (`other_embedder`: the receiver embeds), or its
 * signature is missing or does not verify (`forged`: dropped, the receiver embeds).
 */
export type VectorOutcome = 'none' | 'used' | 'other_embedder' | 'forged'

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
export async function checkRemoteRecord (r: StoredRecord, community: string, maxTextBytes: number, options: VerifyOptions = {}): Promise<VerifiedRecord> {
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
  if (!await verifyRecord(r, options)) throw new MemoryInputError('signature', `record ${r.id.slice(0, 64)} is not signed by its origin ${r.origin.slice(0, 64)}`)
  return r as VerifiedRecord
}

/**
 * Takes the vector a verified record carried when it was made by the receiver's own
 * embedder (same name, version included, and dimension) and its origin signed it for
 * this version of the record: it is the vector the record's signature names, or it
 * carries a vector signature of its own that verifies; otherwise the record comes back without one and the
 * receiver embeds its text. The shape of the vector was checked when it was decoded.
 *
 * @example
 * ```ts
 * const { record, outcome } = await checkCarriedVector(checked, vector, { name: 'local-hash-v2', dimension: 384 })
 * ```
 */
export async function checkCarriedVector (r: VerifiedRecord, carried: CarriedVector | undefined, own: EmbedderId, options: VerifyOptions = {}): Promise<{ record: VerifiedRecord, outcome: VectorOutcome }> {
  if (carried == null || r.deleted === true) return { record: r, outcome: 'none' }
  if (carried.embedder !== own.name || carried.dimension !== own.dimension) return { record: r, outcome: 'other_embedder' }
  // the vector the record's signature names: that signature, checked already, vouches for it
  if (r.signedVector != null && isSignedVector(r.signedVector, carried)) return { record: { ...r, vector: float32OfBytes(carried.bytes) }, outcome: 'used' }
  if (carried.signature.byteLength === 0 || !await verifyVector(r, carried, options)) return { record: r, outcome: 'forged' }
  const record = { ...r, vector: float32OfBytes(carried.bytes), vectorSignature: Uint8Array.from(carried.signature) }
  return { record, outcome: 'used' }
}
