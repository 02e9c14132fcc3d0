import { createHash, hash } from 'node:crypto'
import { endianness } from 'node:os'
import { signWith, verifyByOrigin } from '../../signatures/ed25519.js'
import type { VerifyOptions } from '../../signatures/ed25519.js'
import type { SignedVector, StoredRecord } from '../types.js'
import type { PrivateKey } from '@libp2p/interface'

/** Float32 arrays of this machine are laid out as the wire's: bytes are copied, not converted one by one. */
const LITTLE_ENDIAN = endianness() === 'LE'

/** Largest vector dimension a record may carry: a vector declared longer is refused. */
export const MAX_VECTOR_DIMENSION = 8192

/** The embedder a vector was made by, as a replica compares it with its own. */
export interface EmbedderId {
  /** The embedder's name, its version included (`local-hash-v2`). */
  name: string
  dimension: number
}

/**
 * A vector as it travels beside a record: float32 little-endian bytes, the embedder that
 * made them, and the origin's signature binding them to one version of one record. The
 * signature is empty when the vector is the one the record's own signature covers
 * (`signedVector`).
 */
export interface CarriedVector {
  embedder: string
  dimension: number
  bytes: Uint8Array
  signature: Uint8Array
}

/** The fields of a record version a vector signature binds to. */
export type VectorOwner = Pick<StoredRecord, 'community' | 'origin' | 'id' | 'seq'>

/**
 * A vector as float32 little-endian bytes (4 per value): what travels and what is signed.
 * A Float32Array's bytes are a view of it (on a little-endian machine), not a copy.
 *
 * @example
 * ```ts
 * vectorBytes([1, 0]).byteLength   // 8
 * ```
 */
export function vectorBytes (vector: readonly number[] | Float32Array): Uint8Array {
  // a Float32Array's own bytes, viewed, not copied: what travels and is signed is only read
  if (LITTLE_ENDIAN) return vector instanceof Float32Array ? new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength) : new Uint8Array(new Float32Array(vector).buffer)
  const out = new Uint8Array(vector.length * 4)
  const view = new DataView(out.buffer)
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i] ?? 0, true)
  return out
}

/**
 * The values of float32 little-endian bytes; the length must be a multiple of 4.
 *
 * @example
 * ```ts
 * vectorOfBytes(vectorBytes([0.5, 1]))   // [0.5, 1]
 * ```
 */
export function vectorOfBytes (bytes: Uint8Array): number[] {
  if (bytes.byteLength % 4 !== 0) throw new RangeError(`${bytes.byteLength} vector bytes are not float32 values`)
  // copied into a buffer of its own: `bytes` may be a view at any offset of a larger one (a Buffer's pool)
  if (LITTLE_ENDIAN) {
    const values = new Float32Array(new Uint8Array(bytes).buffer)
    // a plain loop: Array.from walks a typed array through its iterator, several times slower
    const out = new Array<number>(values.length)
    for (let i = 0; i < values.length; i++) out[i] = values[i] as number
    return out
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Array<number>(bytes.byteLength / 4)
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true)
  return out
}

/**
 * The float32 values of little-endian bytes, copied into a buffer of their own; the length
 * must be a multiple of 4.
 *
 * @example
 * ```ts
 * float32OfBytes(vectorBytes([0.5, 1]))   // Float32Array [0.5, 1]
 * ```
 */
export function float32OfBytes (bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new RangeError(`${bytes.byteLength} vector bytes are not float32 values`)
  if (LITTLE_ENDIAN) return new Float32Array(new Uint8Array(bytes).buffer)
  return Float32Array.from(vectorOfBytes(bytes))
}

/**
 * Whether every value of float32 little-endian bytes is a finite number (a NaN or an
 * infinity has all exponent bits set), read in place.
 *
 * @example
 * ```ts
 * allFinite(vectorBytes([1, Number.NaN]))   // false
 * ```
 */
export function allFinite (bytes: Uint8Array): boolean {
  // the exponent of a little-endian float32 is in bits 7-14 of its upper 16 bits
  for (let i = 2; i < bytes.byteLength; i += 4) {
    if ((((bytes[i + 1] ?? 0) << 8 | (bytes[i] ?? 0)) & 0x7f80) === 0x7f80) return false
  }
  return true
}

/**
 * The bytes a vector signature covers: the record version (community, origin, id, seq),
 * the embedder's name and dimension, and the SHA-256 of the vector bytes. The record's
 * own signature is left as it is, so records stored before vectors travelled verify.
 *
 * @example
 * ```ts
 * const bytes = vectorSigningBytes(record, { name: 'local-hash-v2', dimension: 384 }, vectorBytes(vector))
 * ```
 */
export function vectorSigningBytes (r: VectorOwner, embedder: EmbedderId, bytes: Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(bytes).digest('hex')
  return new TextEncoder().encode(JSON.stringify(['oa/1/memory-vector', r.community, r.origin, r.id, r.seq, embedder.name, embedder.dimension, digest]))
}

/**
 * Signs the vector of one of this node's records with the node's key (the record's origin).
 *
 * @example
 * ```ts
 * const carried = await signVector(privateKey, record, { name: embedder.name, dimension: embedder.dimension }, vector)
 * ```
 */
export async function signVector (key: PrivateKey, r: VectorOwner, embedder: EmbedderId, vector: readonly number[] | Float32Array): Promise<CarriedVector> {
  const bytes = vectorBytes(vector)
  return { embedder: embedder.name, dimension: embedder.dimension, bytes, signature: await signWith(key, vectorSigningBytes(r, embedder, bytes)) }
}

/**
 * A vector held with a signature kept from its origin, as it travels again (a member
 * relaying another origin's record, or the origin serving one it signed before).
 *
 * @example
 * ```ts
 * const carried = keptVector({ name: 'local-hash-v2', dimension: 1024 }, vector, record.vectorSignature)
 * ```
 */
export function keptVector (embedder: EmbedderId, vector: readonly number[] | Float32Array, signature: Uint8Array): CarriedVector {
  return { embedder: embedder.name, dimension: embedder.dimension, bytes: vectorBytes(vector), signature: Uint8Array.from(signature) }
}

/**
 * Whether a carried vector was signed by the record's origin for this version of it.
 *
 * @example
 * ```ts
 * if (await verifyVector(record, carried)) useVector(vectorOfBytes(carried.bytes))
 * ```
 */
export async function verifyVector (r: VectorOwner, carried: CarriedVector, options: VerifyOptions = {}): Promise<boolean> {
  try {
    return await verifyByOrigin(r.origin, vectorSigningBytes(r, { name: carried.embedder, dimension: carried.dimension }, carried.bytes), carried.signature, options)
  } catch {
    return false
  }
}

/**
 * The SHA-256 digest of float32 little-endian vector bytes.
 *
 * @example
 * ```ts
 * vectorDigest(vectorBytes(vector)).byteLength   // 32
 * ```
 */
export function vectorDigest (bytes: Uint8Array): Uint8Array {
  return new Uint8Array(hash('sha256', bytes, 'buffer'))
}

/**
 * A vector as a record's signature names it: the embedder that made it and its digest.
 *
 * @example
 * ```ts
 * const record = await makeRecord(input, 'devsupport', seq, key, { signedVector: signedVectorOf(embedder, vector) })
 * ```
 */
export function signedVectorOf (embedder: EmbedderId, vector: readonly number[] | Float32Array): SignedVector {
  return { embedder: embedder.name, dimension: embedder.dimension, digest: vectorDigest(vectorBytes(vector)) }
}

/**
 * Whether a carried vector is the one a record's signature names (same embedder,
 * dimension and digest): then that signature, once checked, vouches for it.
 *
 * @example
 * ```ts
 * if (record.signedVector != null && isSignedVector(record.signedVector, carried)) useVector(carried)
 * ```
 */
export function isSignedVector (signed: SignedVector, carried: Pick<CarriedVector, 'embedder' | 'dimension' | 'bytes'>): boolean {
  if (signed.embedder !== carried.embedder || signed.dimension !== carried.dimension) return false
  const digest = vectorDigest(carried.bytes)
  return digest.byteLength === signed.digest.byteLength && digest.every((b, i) => b === signed.digest[i])
}
