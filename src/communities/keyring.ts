import { decrypt, digestHex, encrypt, openSealed, sealTo } from './crypto.js'
import type { Grant } from './objects.js'
import type { PrivateKey } from '@libp2p/interface'

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'))

function grantAad (community: string, member: string, epoch: number): string {
  return `oa/1/grant|${community}|${member}|${epoch}`
}

/**
 * The keys of a private community a member holds: the community secret (which names its
 * topics and DHT keys) and 32-byte keys per epoch. Content is sealed with the newest
 * epoch's key; older keys open older content. Two admins removing members at the same
 * moment make two keys for one epoch: a ring keeps both, seals with the one that sorts
 * first (so members holding both agree) and opens with either.
 *
 * @example
 * ```ts
 * const ring = new Keyring(secret, new Map([[1, key1]]))
 * const sealed = ring.seal('oa/1/env|c1...|01J...', bytes)   // { epoch: 1, bytes }
 * ```
 */
export class Keyring {
  readonly secret: Uint8Array
  private readonly keys = new Map<number, Uint8Array[]>()

  constructor (secret: Uint8Array, keys: Map<number, Uint8Array | Uint8Array[]>) {
    this.secret = secret
    for (const [epoch, k] of keys) for (const key of Array.isArray(k) ? k : [k]) this.add(epoch, key)
  }

  private add (epoch: number, key: Uint8Array): boolean {
    const list = this.keys.get(epoch) ?? []
    if (list.some(k => hex(k) === hex(key))) return false
    this.keys.set(epoch, [...list, key].sort((a, b) => hex(a).localeCompare(hex(b))))
    return true
  }

  /** The newest epoch whose key is held. */
  get epoch (): number {
    return Math.max(0, ...this.keys.keys())
  }

  has (epoch: number): boolean {
    return this.keys.has(epoch)
  }

  /** Adds the keys of another ring of the same community; returns true when one was new. */
  merge (other: Keyring): boolean {
    let fresh = false
    for (const [epoch, list] of other.keys) for (const key of list) if (this.add(epoch, key)) fresh = true
    return fresh
  }

  withEpoch (epoch: number, key: Uint8Array): Keyring {
    const ring = new Keyring(this.secret, this.keys)
    ring.add(epoch, key)
    return ring
  }

  /** Encrypts with the newest key; `aad` names what the bytes are, so they cannot be moved. */
  seal (aad: string, plaintext: Uint8Array): { epoch: number, bytes: Uint8Array } {
    const epoch = this.epoch
    const key = this.keys.get(epoch)?.[0]
    if (key == null) throw new Error('no community key is held')
    return { epoch, bytes: encrypt(key, plaintext, `${aad}|${epoch}`) }
  }

  /** Decrypts bytes sealed under `epoch`; throws when no key of it is held or the bytes were changed. */
  open (aad: string, epoch: number, bytes: Uint8Array): Uint8Array {
    const keys = this.keys.get(epoch)
    if (keys == null || keys.length === 0) throw new Error(`no key for epoch ${epoch}`)
    let failure: unknown
    for (const key of keys) {
      try {
        return decrypt(key, bytes, `${aad}|${epoch}`)
      } catch (err) {
        failure = err
      }
    }
    throw failure instanceof Error ? failure : new Error('the sealed bytes do not open')
  }

  /** The label that names the community on the wire (topics, DHT keys): derived from id and secret. */
  wireName (community: string): string {
    return `p${digestHex('oa/1/wire-name', community, this.secret).slice(0, 32)}`
  }

  /** Seals every key of this ring to one member, for a grant of `epoch`. */
  sealFor (community: string, member: string, epoch: number): string {
    const payload = { secret: hex(this.secret), keys: Object.fromEntries([...this.keys].filter(([e]) => e <= epoch).map(([e, list]) => [String(e), list.map(hex)])) }
    return Buffer.from(sealTo(member, encoder.encode(JSON.stringify(payload)), grantAad(community, member, epoch))).toString('base64')
  }

  /** Opens a grant sealed to this node's key; throws when it is not for this key or is damaged. */
  static openGrant (grant: Grant, privateKey: PrivateKey): Keyring {
    const plain = openSealed(privateKey, Uint8Array.from(Buffer.from(grant.box, 'base64')), grantAad(grant.community, grant.member, grant.epoch))
    const payload = JSON.parse(decoder.decode(plain)) as { secret?: unknown, keys?: unknown }
    if (typeof payload.secret !== 'string' || payload.keys == null || typeof payload.keys !== 'object') throw new Error('a grant holds no keys')
    const keys = new Map<number, Uint8Array[]>()
    for (const [e, k] of Object.entries(payload.keys as Record<string, unknown>)) {
      const list = (Array.isArray(k) ? k : [k]).filter((x): x is string => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x))
      if (Number.isInteger(Number(e)) && list.length > 0) keys.set(Number(e), list.map(unhex))
    }
    if (!/^[0-9a-f]{64}$/.test(payload.secret) || !keys.has(grant.epoch)) throw new Error(`a grant of epoch ${grant.epoch} lacks its key`)
    return new Keyring(unhex(payload.secret), keys)
  }
}
