import { createPrivateKey, createPublicKey, sign as signSync, verify } from 'node:crypto'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { sodiumCheck } from './sodium.js'
import { VerifyPool } from './verify-pool.js'
import type { KeyObject } from 'node:crypto'
import type { PrivateKey, PublicKey } from '@libp2p/interface'

/** Origins whose public keys are kept ready to verify with (the oldest is dropped past this). */
const CACHED_KEYS = 4096

/** A peer's public key as parsed once: for Ed25519 its raw bytes and Node's key object, libp2p's key otherwise. */
type OriginKey = { node: KeyObject, raw: Uint8Array } | { other: PublicKey } | { none: true }

const keys = new Map<string, OriginKey>()

function base64url (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')
}

function originKey (origin: string): OriginKey {
  const cached = keys.get(origin)
  if (cached != null) {
    // most recently used last: the first entry is the one to drop
    keys.delete(origin)
    keys.set(origin, cached)
    return cached
  }
  let key: OriginKey
  try {
    const publicKey = peerIdFromString(origin).publicKey
    if (publicKey == null) key = { none: true }
    else if (publicKey.type === 'Ed25519') key = { node: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url(publicKey.raw) }, format: 'jwk' }), raw: Uint8Array.from(publicKey.raw) }
    else key = { other: publicKey }
  } catch {
    key = { none: true }
  }
  keys.set(origin, key)
  if (keys.size > CACHED_KEYS) keys.delete(keys.keys().next().value ?? '')
  return key
}

/** Where a signature is checked. */
export interface VerifyOptions {
  /**
   * Off the calling thread (true), batched with the other checks asked in the same turn
   * of the event loop, so that many checks in flight use every core and leave the event
   * loop free: for throughput (catch-up). On the calling thread (false, the default):
   * for latency, one check at a time (gossip).
   */
  pool?: boolean
}

/**
 * Whether `signature` over `data` was made by the key of the peer `origin` (a peer id
 * string); each origin's key is parsed once. Ed25519 checks run with libsodium where
 * its addon loads (`sodium.ts`), with `node:crypto` otherwise. False, never a throw,
 * for a malformed peer id or signature.
 *
 * @example
 * ```ts
 * if (!await verifyByOrigin(record.origin, recordSigningBytes(record), record.signature)) refuse()
 * const many = await Promise.all(records.map(async r => verifyByOrigin(r.origin, recordSigningBytes(r), r.signature, { pool: true })))
 * ```
 */
export async function verifyByOrigin (origin: string, data: Uint8Array, signature: Uint8Array, options: VerifyOptions = {}): Promise<boolean> {
  const key = originKey(origin)
  if ('none' in key || signature.byteLength === 0) return false
  if ('other' in key) {
    try {
      return await key.other.verify(data, signature)
    } catch {
      return false
    }
  }
  const sodium = sodiumCheck()
  if (sodium != null) {
    if (options.pool === true) return VerifyPool.shared().verify(key.raw, data, signature)
    return sodium(signature, data, key.raw)
  }
  const node = key.node
  if (options.pool !== true) {
    try {
      return verify(null, data, node, signature)
    } catch {
      return false
    }
  }
  return new Promise<boolean>((resolve) => {
    try {
      verify(null, data, node, signature, (err, ok) => { resolve(err == null && ok) })
    } catch {
      resolve(false)
    }
  })
}

const signers = new WeakMap<PrivateKey, KeyObject>()

/**
 * Signs `data` with a node's private key; an Ed25519 key is turned into Node's key object
 * once and kept for the key's lifetime.
 *
 * @example
 * ```ts
 * const signature = await signWith(privateKey, recordSigningBytes(record))
 * ```
 */
export async function signWith (privateKey: PrivateKey, data: Uint8Array): Promise<Uint8Array> {
  if (privateKey.type !== 'Ed25519') return Uint8Array.from(await privateKey.sign(data))
  let key = signers.get(privateKey)
  if (key == null) {
    const raw = privateKey.raw
    key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: base64url(raw.subarray(0, 32)), x: base64url(privateKey.publicKey.raw) }, format: 'jwk' })
    signers.set(privateKey, key)
  }
  return new Uint8Array(signSync(null, data, key))
}

const origins = new WeakMap<PrivateKey, string>()

/**
 * The peer id string of a private key's peer, computed once per key.
 *
 * @example
 * ```ts
 * originOf(privateKey)   // '12D3KooW...'
 * ```
 */
export function originOf (privateKey: PrivateKey): string {
  let origin = origins.get(privateKey)
  if (origin == null) {
    origin = peerIdFromPrivateKey(privateKey).toString()
    origins.set(privateKey, origin)
  }
  return origin
}
