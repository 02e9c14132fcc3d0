import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { z } from 'zod'
import { COMMUNITY_NAME } from '../config/schema.js'
import { CommunityObject } from '../wire/generated/community.js'
import { digestHex } from './crypto.js'
import type { PrivateKey } from '@libp2p/interface'

export { CommunityObject }

export const ROLES = ['admin', 'member', 'reader'] as const
/** `admin`: may add and remove members and admins; `member`: may read and write; `reader`: may read only. */
export type Role = typeof ROLES[number]
export type Policy = 'open' | 'private'

const peer = z.string().min(1).max(128).refine(s => { try { peerIdFromString(s); return true } catch { return false } }, 'not a peer id')
const communityId = z.string().regex(/^c[0-9a-f]{40}$/, 'not a community id')
const time = z.number().int().nonnegative()

const SCHEMAS = {
  genesis: z.strictObject({ v: z.literal(1), name: z.string().regex(COMMUNITY_NAME), policy: z.enum(['open', 'private']), creator: peer, createdAt: time, nonce: z.string().regex(/^[0-9a-f]{32}$/) }),
  credential: z.strictObject({ community: communityId, member: peer, role: z.enum(ROLES), issuedAt: time, expiresAt: time.optional() }),
  revocation: z.strictObject({ community: communityId, member: peer, revokedAt: time, epoch: z.number().int().min(2), keep: z.array(z.string().regex(/^[0-9a-f]{32}$/)).max(20_000).optional() }),
  grant: z.strictObject({ community: communityId, member: peer, epoch: z.number().int().min(1), box: z.string().max(65_536), issuedAt: time.optional() }),
  bearer: z.strictObject({ community: communityId, role: z.enum(ROLES), issuedAt: time, expiresAt: time.optional(), nonce: z.string().regex(/^[0-9a-f]{32}$/) })
} as const

export type ObjectKind = keyof typeof SCHEMAS
export type Genesis = z.infer<typeof SCHEMAS.genesis>
export type Credential = z.infer<typeof SCHEMAS.credential>
export type Revocation = z.infer<typeof SCHEMAS.revocation>
export type Grant = z.infer<typeof SCHEMAS.grant>
export type Bearer = z.infer<typeof SCHEMAS.bearer>
export interface BodyOf { genesis: Genesis, credential: Credential, revocation: Revocation, grant: Grant, bearer: Bearer }

/** A verified object with its decoded body. */
export interface Signed<K extends ObjectKind = ObjectKind> {
  kind: K
  body: BodyOf[K]
  signer: string
  /** The object as it travels and is stored. */
  object: CommunityObject
  /** sha256 of kind, body and signer: the object's identity. */
  hash: string
}

/** A community object failed to decode or verify; the message names the problem. */
export class CommunityObjectError extends Error {
  override readonly name = 'CommunityObjectError'
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const MAX_BODY_BYTES = 800_000

function signedBytes (kind: string, body: Uint8Array): Uint8Array {
  const prefix = encoder.encode(`oa/1/community/${kind}\n`)
  const out = new Uint8Array(prefix.length + body.length)
  out.set(prefix, 0)
  out.set(body, prefix.length)
  return out
}

/**
 * Signs a community object with a node's key.
 *
 * @example
 * ```ts
 * const cred = await signObject('credential', { community: id, member: '12D3KooW...', role: 'member', issuedAt: Date.now() }, node.privateKey)
 * ```
 */
export async function signObject<K extends ObjectKind> (kind: K, body: BodyOf[K], key: PrivateKey): Promise<Signed<K>> {
  const bytes = encoder.encode(JSON.stringify(SCHEMAS[kind].parse(body)))
  const signature = await key.sign(signedBytes(kind, bytes))
  const object: CommunityObject = { kind, body: bytes, signer: peerIdFromPrivateKey(key).toString(), signature: Uint8Array.from(signature) }
  return { kind, body, signer: object.signer, object, hash: objectHash(object) }
}

/** The identity of an object: two copies of the same signed object have the same hash. */
export function objectHash (object: CommunityObject): string {
  return digestHex(object.kind, object.body, object.signer)
}

/**
 * Decodes and verifies an object from anywhere (a peer, an invite, the data dir): its
 * kind, its body's shape and its signature. Says nothing yet of whether the signer may
 * issue it; `CommunityState` decides that. Throws CommunityObjectError.
 *
 * @example
 * ```ts
 * const signed = await verifyObject(object)   // signed.kind, signed.body, signed.signer
 * ```
 */
export async function verifyObject (object: CommunityObject): Promise<Signed> {
  if (!(object.kind in SCHEMAS)) throw new CommunityObjectError(`unknown community object kind "${object.kind.slice(0, 32)}"`)
  const kind = object.kind as ObjectKind
  if (object.body.byteLength > MAX_BODY_BYTES) throw new CommunityObjectError(`${kind} body is over ${MAX_BODY_BYTES} bytes`)
  let json: unknown
  try {
    json = JSON.parse(decoder.decode(object.body))
  } catch {
    throw new CommunityObjectError(`${kind} body is not JSON`)
  }
  const parsed = SCHEMAS[kind].safeParse(json)
  if (!parsed.success) throw new CommunityObjectError(`${kind} body is malformed: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim())
  let ok: boolean
  try {
    const key = peerIdFromString(object.signer).publicKey
    ok = key != null && await key.verify(signedBytes(kind, object.body), object.signature)
  } catch {
    throw new CommunityObjectError(`${kind} signer "${object.signer.slice(0, 64)}" is not a peer id`)
  }
  if (!ok) throw new CommunityObjectError(`${kind} signature is not valid for ${object.signer.slice(0, 64)}`)
  return { kind, body: parsed.data, signer: object.signer, object, hash: objectHash(object) }
}

/**
 * The id of the community a genesis founds: `c` and 40 hex digits of sha256 over the
 * genesis body. Whoever holds the genesis can check the id; nobody can pick one.
 *
 * @example
 * ```ts
 * communityIdOf(genesis.object)   // 'c3f1...'
 * ```
 */
export function communityIdOf (genesis: CommunityObject): string {
  return `c${digestHex('oa/1/genesis', genesis.body).slice(0, 40)}`
}

/** Encodes objects to bytes (the data dir and invites use it). */
export function encodeObject (object: CommunityObject): Uint8Array {
  return CommunityObject.encode(object)
}

export function decodeObject (bytes: Uint8Array): CommunityObject {
  return CommunityObject.decode(bytes)
}
