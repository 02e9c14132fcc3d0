import { MemoryRecordWire } from '../../wire/generated/memory.js'
import { MemoryInputError } from '../errors.js'
import { MAX_VECTOR_DIMENSION, allFinite } from './vector.js'
import type { CommunitySealer } from '../../communities/access.js'
import type { SignedVector, StoredRecord } from '../types.js'
import type { CarriedVector } from './vector.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Longest embedder name a record may carry. */
const MAX_EMBEDDER_NAME = 128
/** Longest vector signature accepted (an Ed25519 signature is 64 bytes). */
const MAX_VECTOR_SIGNATURE = 256
/** A SHA-256 digest. */
const DIGEST_BYTES = 32

/**
 * A record as it travels, with its origin's vector when given (never on a tombstone). In
 * a private community (`sealer` given) its text, metadata and vector are sealed with the
 * community's current key, bound to the record's origin and id: no vector in the clear.
 *
 * @example
 * ```ts
 * const wire = toWire(record, communities.sealer('devsupport'), await signVector(key, record, embedder, vector))
 * ```
 */
export function toWire (r: StoredRecord, sealer?: CommunitySealer, vector?: CarriedVector): MemoryRecordWire {
  const carried = r.deleted === true ? undefined : vector
  const wire: MemoryRecordWire = {
    id: r.id,
    community: r.community,
    kind: r.kind,
    agent: r.agent,
    origin: r.origin,
    seq: BigInt(r.seq),
    text: r.text,
    metadata: JSON.stringify(r.metadata),
    createdAt: BigInt(r.createdAt),
    signature: Uint8Array.from(r.signature),
    deleted: r.deleted === true,
    covers: (r.covers ?? []).map(([first, last]) => ({ first: BigInt(first), last: BigInt(last) })),
    epoch: 0,
    sealed: new Uint8Array(0),
    vector: new Uint8Array(0),
    embedder: '',
    dimension: 0,
    vectorSignature: new Uint8Array(0)
  }
  const signed = r.deleted === true ? undefined : r.signedVector
  if (sealer == null) {
    const withSigned = signed == null ? wire : { ...wire, signedVector: { embedder: signed.embedder, dimension: signed.dimension, digest: Uint8Array.from(signed.digest) } }
    if (carried == null) return withSigned
    // the encoder only reads the bytes: no copy
    return { ...withSigned, vector: carried.bytes as Uint8Array<ArrayBuffer>, embedder: carried.embedder, dimension: carried.dimension, vectorSignature: carried.signature as Uint8Array<ArrayBuffer> }
  }
  const parts: unknown[] = [wire.text, wire.metadata]
  if (carried != null || signed != null) parts.push(carried == null ? null : { e: carried.embedder, d: carried.dimension, v: Buffer.from(carried.bytes).toString('base64'), s: Buffer.from(carried.signature).toString('base64') })
  if (signed != null) parts.push({ e: signed.embedder, d: signed.dimension, h: Buffer.from(signed.digest).toString('base64') })
  const { epoch, bytes } = sealer.seal(aadOf(wire), encoder.encode(JSON.stringify(parts)))
  // sealed, a record names its community by the wire name only
  return { ...wire, community: sealer.wireName, text: '', metadata: '', epoch, sealed: Uint8Array.from(bytes) }
}

function aadOf (w: MemoryRecordWire): string {
  return `mem|${w.origin}|${w.id}|${w.seq}`
}

/**
 * A wire record as a stored record; opens a sealed one with `sealer`. Throws a
 * TypeError on malformed metadata, and a `SealedRecordError` when a record is sealed
 * where it should not be, clear where it should be sealed, or does not open.
 *
 * @example
 * ```ts
 * const record = fromWire(wire, communities.sealer('devsupport'))
 * ```
 */
export function fromWire (w: MemoryRecordWire, sealer?: CommunitySealer): StoredRecord {
  return decodeWire(w, sealer).record
}

/**
 * A wire record as a stored record and the vector it carries, unverified (see
 * `checkCarriedVector`). Throws as `fromWire`, and a MemoryInputError `size` when the
 * vector is not `dimension` float32 values or is longer than any embedder makes, or
 * `record` when a tombstone carries one, or a vector is carried in the clear in a
 * private community.
 *
 * @example
 * ```ts
 * const { record, vector } = decodeWire(wire, communities.sealer('devsupport'))
 * ```
 */
export function decodeWire (w: MemoryRecordWire, sealer?: CommunitySealer): { record: StoredRecord, vector?: CarriedVector } {
  let text = w.text
  let meta = w.metadata
  let community = w.community
  const clearVector = w.vector.byteLength > 0 || w.embedder !== '' || w.dimension !== 0 || w.vectorSignature.byteLength > 0
  let vector: CarriedVector | undefined = clearVector ? { embedder: w.embedder, dimension: w.dimension, bytes: w.vector, signature: w.vectorSignature } : undefined
  let signed: SignedVector | undefined = w.signedVector == null ? undefined : { embedder: w.signedVector.embedder, dimension: w.signedVector.dimension, digest: w.signedVector.digest }
  if (sealer != null && (clearVector || signed != null)) throw new MemoryInputError('record', `record ${w.id.slice(0, 64)} of a private community carries its vector in the clear`)
  if (sealer == null && w.epoch !== 0) throw new SealedRecordError(`record ${w.id.slice(0, 64)} is sealed, but its community's records travel in the clear`)
  if (sealer != null) {
    if (w.epoch === 0) throw new SealedRecordError(`record ${w.id.slice(0, 64)} of a private community is not sealed`)
    if (w.community !== sealer.wireName) throw new SealedRecordError(`record ${w.id.slice(0, 64)} names another community than its topic or request`)
    community = sealer.name
    try {
      const parts = JSON.parse(decoder.decode(sealer.open(aadOf(w), w.epoch, w.sealed))) as unknown
      if (!Array.isArray(parts) || typeof parts[0] !== 'string' || typeof parts[1] !== 'string') throw new Error('sealed content is malformed')
      text = parts[0]
      meta = parts[1]
      vector = parts[2] == null ? undefined : sealedVector(parts[2])
      signed = parts[3] == null ? undefined : sealedSignedVector(parts[3])
    } catch (err) {
      throw new SealedRecordError(`record ${w.id.slice(0, 64)} does not open: ${(err as Error).message}`)
    }
  }
  if (vector != null) checkVectorShape(w.id, w.deleted, vector)
  if (signed != null) checkSignedShape(w.id, w.deleted, signed)
  const metadata = JSON.parse(meta === '' ? '{}' : meta) as unknown
  if (metadata == null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new TypeError('metadata is not a JSON object')
  const record: StoredRecord = {
    id: w.id,
    community,
    kind: w.kind,
    agent: w.agent,
    origin: w.origin,
    seq: Number(w.seq),
    text,
    metadata: metadata as Record<string, unknown>,
    createdAt: Number(w.createdAt),
    signature: Uint8Array.from(w.signature),
    ...(w.deleted ? { deleted: true } : {}),
    ...(w.covers.length > 0 ? { covers: w.covers.map(c => [Number(c.first), Number(c.last)] as [number, number]) } : {}),
    ...(signed == null ? {} : { signedVector: { embedder: signed.embedder, dimension: signed.dimension, digest: Uint8Array.from(signed.digest) } })
  }
  return vector == null ? { record } : { record, vector }
}

/** The vector inside a sealed record: `{ e: embedder, d: dimension, v: base64 bytes, s: base64 signature }`. */
function sealedVector (part: unknown): CarriedVector {
  const p = part as { e?: unknown, d?: unknown, v?: unknown, s?: unknown }
  if (typeof p !== 'object' || typeof p.e !== 'string' || typeof p.d !== 'number' || typeof p.v !== 'string' || typeof p.s !== 'string') throw new Error('sealed vector is malformed')
  return { embedder: p.e, dimension: p.d, bytes: Uint8Array.from(Buffer.from(p.v, 'base64')), signature: Uint8Array.from(Buffer.from(p.s, 'base64')) }
}

/** The signed vector inside a sealed record: `{ e: embedder, d: dimension, h: base64 digest }`. */
function sealedSignedVector (part: unknown): SignedVector {
  const p = part as { e?: unknown, d?: unknown, h?: unknown }
  if (typeof p !== 'object' || typeof p.e !== 'string' || typeof p.d !== 'number' || typeof p.h !== 'string') throw new Error('sealed signed vector is malformed')
  return { embedder: p.e, dimension: p.d, digest: Uint8Array.from(Buffer.from(p.h, 'base64')) }
}

/** Bounds the vector a record's signature names: an embedder name, a dimension, a SHA-256 digest; none on a tombstone. */
function checkSignedShape (id: string, deleted: boolean, v: SignedVector): void {
  const name = id.slice(0, 64)
  if (deleted) throw new MemoryInputError('record', `tombstone ${name} names a signed vector`)
  if (!Number.isSafeInteger(v.dimension) || v.dimension < 1 || v.dimension > MAX_VECTOR_DIMENSION) throw new MemoryInputError('size', `record ${name} names a signed vector of dimension ${v.dimension}, not 1 to ${MAX_VECTOR_DIMENSION}`)
  if (v.embedder === '' || v.embedder.length > MAX_EMBEDDER_NAME) throw new MemoryInputError('record', `record ${name} names a signed vector with no embedder name, or one over ${MAX_EMBEDDER_NAME} characters`)
  if (v.digest.byteLength !== DIGEST_BYTES) throw new MemoryInputError('record', `record ${name} names a signed vector whose digest is ${v.digest.byteLength} bytes, not ${DIGEST_BYTES}`)
}

/** Bounds a carried vector: `dimension` finite float32 values, a named embedder, a signature of sensible size; none on a tombstone. */
function checkVectorShape (id: string, deleted: boolean, v: CarriedVector): void {
  const name = id.slice(0, 64)
  if (deleted) throw new MemoryInputError('record', `tombstone ${name} carries a vector`)
  if (!Number.isSafeInteger(v.dimension) || v.dimension < 1 || v.dimension > MAX_VECTOR_DIMENSION) throw new MemoryInputError('size', `record ${name} carries a vector of dimension ${v.dimension}, not 1 to ${MAX_VECTOR_DIMENSION}`)
  if (v.bytes.byteLength !== v.dimension * 4) throw new MemoryInputError('size', `record ${name} carries ${v.bytes.byteLength} vector bytes, not ${v.dimension} float32 values`)
  if (!allFinite(v.bytes)) throw new MemoryInputError('record', `record ${name} carries a vector with a value that is not a finite number`)
  if (v.embedder === '' || v.embedder.length > MAX_EMBEDDER_NAME) throw new MemoryInputError('record', `record ${name} carries a vector with no embedder name, or one over ${MAX_EMBEDDER_NAME} characters`)
  if (v.signature.byteLength > MAX_VECTOR_SIGNATURE) throw new MemoryInputError('size', `record ${name} carries a vector signature of ${v.signature.byteLength} bytes`)
}

/** A replicated record is sealed where it must not be, or the reverse, or does not open. */
export class SealedRecordError extends Error {
  override readonly name = 'SealedRecordError'
}
