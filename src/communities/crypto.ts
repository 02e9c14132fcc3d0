import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { randomBytes } from '@noble/ciphers/utils.js'
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { peerIdFromString } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'

const NONCE_BYTES = 24
const KEY_BYTES = 32
const encoder = new TextEncoder()

/** A fresh random 32-byte key (an epoch key, a community secret). */
export function newKey (): Uint8Array {
  return randomBytes(KEY_BYTES)
}

/**
 * Encrypts with XChaCha20-Poly1305 under `key`; the result is nonce || ciphertext.
 * `aad` binds the ciphertext to where it belongs (community, epoch, object id).
 *
 * @example
 * ```ts
 * const sealed = encrypt(epochKey, plaintext, 'oa/1/env|c1...|01J...|3')
 * ```
 */
export function encrypt (key: Uint8Array, plaintext: Uint8Array, aad: string): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES)
  const ct = xchacha20poly1305(key, nonce, encoder.encode(aad)).encrypt(plaintext)
  const out = new Uint8Array(NONCE_BYTES + ct.length)
  out.set(nonce, 0)
  out.set(ct, NONCE_BYTES)
  return out
}

/** Decrypts what `encrypt` made; throws when the key, the aad or the bytes are wrong. */
export function decrypt (key: Uint8Array, sealed: Uint8Array, aad: string): Uint8Array {
  if (sealed.length < NONCE_BYTES + 16) throw new Error('sealed data is too short')
  return xchacha20poly1305(key, sealed.subarray(0, NONCE_BYTES), encoder.encode(aad)).decrypt(sealed.subarray(NONCE_BYTES))
}

function ed25519PublicOf (peerId: string): Uint8Array {
  const key = peerIdFromString(peerId).publicKey
  if (key?.type !== 'Ed25519') throw new Error(`peer ${peerId} has no Ed25519 key to seal to`)
  return key.raw
}

function boxKey (shared: Uint8Array, ephemeral: Uint8Array, recipient: Uint8Array): Uint8Array {
  const info = new Uint8Array(ephemeral.length + recipient.length)
  info.set(ephemeral, 0)
  info.set(recipient, ephemeral.length)
  return hkdf(sha256, shared, encoder.encode('oa/1/seal'), info, KEY_BYTES)
}

/**
 * Seals bytes to one peer: only the holder of that peer id's private key can open them.
 * X25519 (the Ed25519 key, converted) with an ephemeral key, HKDF-SHA256, XChaCha20-Poly1305.
 * The result is ephemeral public key (32) || nonce || ciphertext.
 *
 * @example
 * ```ts
 * const box = sealTo('12D3KooW...', epochKey, 'oa/1/grant|c1...|2')
 * ```
 */
export function sealTo (peerId: string, plaintext: Uint8Array, aad: string): Uint8Array {
  const recipient = ed25519.utils.toMontgomery(ed25519PublicOf(peerId))
  const ephemeral = x25519.keygen()
  const shared = x25519.getSharedSecret(ephemeral.secretKey, recipient)
  const body = encrypt(boxKey(shared, ephemeral.publicKey, recipient), plaintext, aad)
  const out = new Uint8Array(32 + body.length)
  out.set(ephemeral.publicKey, 0)
  out.set(body, 32)
  return out
}

/** Opens what `sealTo` sealed to this node's key; throws when it was sealed to another key. */
export function openSealed (privateKey: PrivateKey, box: Uint8Array, aad: string): Uint8Array {
  if (privateKey.type !== 'Ed25519') throw new Error('only Ed25519 node keys can open sealed keys')
  if (box.length < 32) throw new Error('sealed box is too short')
  const secret = ed25519.utils.toMontgomerySecret(privateKey.raw.subarray(0, 32))
  const mine = x25519.getPublicKey(secret)
  const ephemeral = box.subarray(0, 32)
  const shared = x25519.getSharedSecret(secret, ephemeral)
  return decrypt(boxKey(shared, ephemeral, mine), box.subarray(32), aad)
}

/** Hex of sha256 over the parts joined by "|". */
export function digestHex (...parts: Array<string | Uint8Array>): string {
  const h = sha256.create()
  parts.forEach((p, i) => {
    if (i > 0) h.update(encoder.encode('|'))
    h.update(typeof p === 'string' ? encoder.encode(p) : p)
  })
  return Buffer.from(h.digest()).toString('hex')
}
