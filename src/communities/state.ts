import { CommunityObjectError, communityIdOf } from './objects.js'
import type { Bearer, Credential, Genesis, Grant, Policy, Revocation, Role, Signed } from './objects.js'
import type { CommunityObject } from './objects.js'

const RANK: Record<Role, number> = { reader: 1, member: 2, admin: 3 }
const MAX_DEPTH = 16
/** Objects kept aside until their signer's admin credential arrives. */
const MAX_WAITING = 1000
/** Characters of an object's hash a removal lists to keep it valid. */
export const KEEP_HASH_CHARS = 32
/** A credential issued by a node whose clock runs ahead is honoured that much early (checks against now only). */
const CLOCK_SKEW_MS = 300_000

/** One member as `community members` lists it. */
export interface MemberView {
  peerId: string
  role: Role
  /** Peer id of the admin who issued the credential in force (the creator's is its genesis). */
  issuer: string
  issuedAt: number
  expiresAt?: number
}

/**
 * What a node knows of one community: its genesis and the credentials, revocations and
 * key grants its admins issued, each verified. Answers who is an admin, member or reader
 * at a given time, and which key epoch is current. Pure: no I/O.
 *
 * @example
 * ```ts
 * const state = CommunityState.fromGenesis(await verifyObject(genesisObject))
 * state.add(await verifyObject(credentialObject))
 * state.roleOf('12D3KooW...')   // 'member'
 * ```
 */
export class CommunityState {
  readonly id: string
  readonly genesis: Signed<'genesis'>
  private readonly credentials = new Map<string, Signed<'credential'>>()
  private readonly revocations = new Map<string, Signed<'revocation'>>()
  private readonly grants = new Map<string, Signed<'grant'>>()
  private readonly waiting = new Map<string, Signed>()

  private constructor (genesis: Signed<'genesis'>) {
    this.genesis = genesis
    this.id = communityIdOf(genesis.object)
  }

  /** A state with only its genesis; throws when the genesis is not signed by its creator. */
  static fromGenesis (genesis: Signed): CommunityState {
    if (genesis.kind !== 'genesis') throw new CommunityObjectError(`a community starts with a genesis, not a ${genesis.kind}`)
    const g = genesis as Signed<'genesis'>
    if (g.signer !== g.body.creator) throw new CommunityObjectError('the genesis is not signed by its creator')
    return new CommunityState(g)
  }

  get name (): string { return this.genesis.body.name }
  get policy (): Policy { return this.genesis.body.policy }
  get creator (): string { return this.genesis.body.creator }
  get info (): Genesis { return this.genesis.body }

  /**
   * Stores an object an admin issued. Returns false when it was already held; throws
   * CommunityObjectError when it belongs to another community, removes the creator, or
   * its signer never held an admin credential here (it is kept aside and taken in once
   * one arrives). Whether a stored object counts is decided when asked, from everything
   * held, so nodes that received the same objects in any order agree.
   */
  add (signed: Signed): boolean {
    if (signed.kind === 'genesis') {
      if (signed.hash !== this.genesis.hash) throw new CommunityObjectError('a second genesis for this community')
      return false
    }
    if (signed.kind === 'bearer') throw new CommunityObjectError('a bearer invite is redeemed, not stored')
    const body = signed.body as Credential | Revocation | Grant
    if (body.community !== this.id) throw new CommunityObjectError(`object for community ${body.community}, not ${this.id}`)
    const map = signed.kind === 'credential' ? this.credentials : signed.kind === 'revocation' ? this.revocations : this.grants
    if (map.has(signed.hash)) return false
    if (signed.kind === 'revocation' && (body as Revocation).member === this.creator) throw new CommunityObjectError('the creator of a community cannot be removed')
    if (!this.adminCandidate(signed.signer)) {
      this.waiting.set(signed.hash, signed)
      if (this.waiting.size > MAX_WAITING) this.waiting.delete(this.waiting.keys().next().value ?? '')
      throw new CommunityObjectError(`${signed.kind} signed by ${signed.signer}, who is not an admin of ${this.name}`)
    }
    ;(map as Map<string, Signed>).set(signed.hash, signed)
    this.waiting.delete(signed.hash)
    // an admin credential may arrive after what that admin issued
    if (signed.kind === 'credential' && (body as Credential).role === 'admin') {
      for (const held of [...this.waiting.values()]) if (held.signer === (body as Credential).member) this.add(held)
    }
    return true
  }

  /** The creator, or a peer some stored credential names an admin (valid or not). */
  private adminCandidate (peer: string): boolean {
    if (peer === this.creator) return true
    for (const c of this.credentials.values()) if (c.body.member === peer && c.body.role === 'admin') return true
    return false
  }

  /**
   * Adds many objects in an order that lets each find its issuer (credentials by issue
   * time, then revocations, then grants); returns those added and the errors of the rest.
   */
  addAll (objects: Signed[]): { added: Signed[], refused: Array<{ object: Signed, error: string }> } {
    const order = (s: Signed): number => s.kind === 'credential' ? 0 : s.kind === 'revocation' ? 1 : 2
    const time = (s: Signed): number => s.kind === 'credential' ? (s.body as Credential).issuedAt : s.kind === 'revocation' ? (s.body as Revocation).revokedAt : 0
    let pending = [...objects].filter(o => o.kind !== 'genesis').sort((a, b) => order(a) - order(b) || time(a) - time(b))
    const added: Signed[] = []
    let refused: Array<{ object: Signed, error: string }> = []
    // an admin credential may arrive after what that admin issued: retry until nothing changes
    for (let round = 0; round < MAX_DEPTH && pending.length > 0; round++) {
      refused = []
      const before = added.length
      for (const object of pending) {
        try {
          if (this.add(object)) added.push(object)
        } catch (err) {
          refused.push({ object, error: (err as Error).message })
        }
      }
      pending = refused.map(r => r.object)
      if (added.length === before) break
    }
    return { added, refused }
  }

  /** A valid revocation of `member` between `from` and `at` (inclusive). */
  private revokedAt (member: string, from: number, at: number, depth: number, skew = 0): boolean {
    for (const r of this.revocations.values()) {
      const b = r.body
      // asked about now, a removal dated a little ahead (its admin's clock) counts already, as a credential does
      if (b.member === member && b.revokedAt >= from && b.revokedAt <= at + skew && this.issuedValidly(r, b.revokedAt, depth + 1)) return true
    }
    return false
  }

  /**
   * Was `signed` issued by an admin? Its signer must be an admin just before the time
   * the object names (so two admins removing each other at once are both removed), and,
   * if the signer was removed after that time, the removal must list the object among
   * those that stay valid: a removed admin cannot backdate what it signs.
   */
  private issuedValidly (signed: Signed, at: number, depth: number): boolean {
    if (signed.signer === this.creator) return true
    if (depth > MAX_DEPTH) return false
    if (!this.wasAdminAt(signed.signer, at - 1, depth + 1)) return false
    const short = signed.hash.slice(0, KEEP_HASH_CHARS)
    for (const r of this.revocations.values()) {
      const b = r.body
      if (b.member !== signed.signer || b.revokedAt < at) continue
      if (b.keep?.includes(short) !== true && this.issuedValidly(r, b.revokedAt, depth + 1)) return false
    }
    return true
  }

  private credentialValid (c: Signed<'credential'>, at: number, depth: number, skew = CLOCK_SKEW_MS): boolean {
    const b = c.body
    if (b.issuedAt > at + skew || (b.expiresAt != null && b.expiresAt <= at)) return false
    if (this.revokedAt(b.member, b.issuedAt, at, depth, skew)) return false
    return this.issuedValidly(c, b.issuedAt, depth + 1)
  }

  private wasAdminAt (peer: string, at: number, depth: number): boolean {
    if (peer === this.creator) return true
    if (depth > MAX_DEPTH) return false
    for (const c of this.credentials.values()) {
      if (c.body.member === peer && c.body.role === 'admin' && this.credentialValid(c, at, depth, 0)) return true
    }
    return false
  }

  /** Hashes (shortened) of the objects `peer` signed: what a removal of an admin keeps valid. */
  issuedBy (peer: string): string[] {
    return [...this.credentials.values(), ...this.revocations.values(), ...this.grants.values()]
      .filter(o => o.signer === peer).map(o => o.hash.slice(0, KEEP_HASH_CHARS))
  }

  /** The latest issue time of a credential of `member`, or 0. */
  latestIssue (member: string): number {
    let at = 0
    for (const c of this.credentials.values()) if (c.body.member === member) at = Math.max(at, c.body.issuedAt)
    return at
  }

  /** The valid removals of `member`. */
  removalsOf (member: string): Array<Signed<'revocation'>> {
    return [...this.revocations.values()].filter(r => r.body.member === member && this.issuedValidly(r, r.body.revokedAt, 0))
  }

  /** The latest removal time of `member`, or 0. */
  latestRemoval (member: string): number {
    let at = 0
    for (const r of this.revocations.values()) if (r.body.member === member) at = Math.max(at, r.body.revokedAt)
    return at
  }

  private credentialInForce (peer: string, at: number, skew: number): Signed<'credential'> | undefined {
    let best: Signed<'credential'> | undefined
    for (const c of this.credentials.values()) {
      if (c.body.member !== peer || !this.credentialValid(c, at, 0, skew)) continue
      if (best == null || RANK[c.body.role] > RANK[best.body.role]) best = c
    }
    return best
  }

  /** The role of a peer at a time (default now), or undefined when it is not a member then. */
  roleOf (peer: string, at?: number): Role | undefined {
    if (peer === this.creator) return 'admin'
    return this.credentialInForce(peer, at ?? Date.now(), CLOCK_SKEW_MS)?.body.role
  }

  /** True when the peer may read the community's content now. */
  mayRead (peer: string, at?: number): boolean {
    return this.roleOf(peer, at) != null
  }

  /** True when the peer may write (post, remember, ask agents) at that time. */
  mayWrite (peer: string, at?: number): boolean {
    const role = this.roleOf(peer, at)
    return role === 'admin' || role === 'member'
  }

  /** Members now, admins first. */
  members (at?: number): MemberView[] {
    const peers = new Set([this.creator, ...[...this.credentials.values()].map(c => c.body.member)])
    const out: MemberView[] = []
    for (const peer of peers) {
      if (peer === this.creator) {
        out.push({ peerId: peer, role: 'admin', issuer: peer, issuedAt: this.genesis.body.createdAt })
        continue
      }
      const c = this.credentialInForce(peer, at ?? Date.now(), CLOCK_SKEW_MS)
      if (c != null) out.push({ peerId: peer, role: c.body.role, issuer: c.signer, issuedAt: c.body.issuedAt, ...(c.body.expiresAt == null ? {} : { expiresAt: c.body.expiresAt }) })
    }
    return out.sort((a, b) => RANK[b.role] - RANK[a.role] || a.peerId.localeCompare(b.peerId))
  }

  /** The current key epoch: 1, raised by every removal. */
  epoch (): number {
    let epoch = 1
    for (const r of this.revocations.values()) epoch = Math.max(epoch, r.body.epoch)
    return epoch
  }

  /** Key grants sealed to one member by an admin (at the grant's time). */
  grantsFor (member: string): Array<Signed<'grant'>> {
    return [...this.grants.values()]
      .filter(g => g.body.member === member && this.issuedValidly(g, g.body.issuedAt ?? 0, 0))
      .sort((a, b) => a.body.epoch - b.body.epoch)
  }

  /** True when the peer was removed at or after `since` (an invite older than its removal does not readmit it). */
  removedSince (peer: string, since: number): boolean {
    return this.revokedAt(peer, since, Number.MAX_SAFE_INTEGER, 0)
  }

  /** True when a bearer invite is one an admin issued for this community and has not expired. */
  bearerValid (bearer: Signed<'bearer'>, at = Date.now()): boolean {
    const b: Bearer = bearer.body
    return b.community === this.id && (b.expiresAt == null || b.expiresAt > at) && this.issuedValidly(bearer, b.issuedAt, 0) && this.wasAdminAt(bearer.signer, at, 0)
  }

  /** Every object held, genesis first: what the data dir keeps and a member's sync returns. */
  objects (options: { grantsFor?: string } = {}): CommunityObject[] {
    const grants = options.grantsFor == null ? [...this.grants.values()] : this.grantsFor(options.grantsFor)
    return [this.genesis, ...this.credentials.values(), ...this.revocations.values(), ...grants].map(s => s.object)
  }

  /** Counts for status. */
  summary (): { credentials: number, revocations: number, grants: number } {
    return { credentials: this.credentials.size, revocations: this.revocations.size, grants: this.grants.size }
  }
}
