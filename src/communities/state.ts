import { CommunityObjectError, communityIdOf } from './objects.js'
import type { Bearer, Credential, Genesis, Grant, Policy, Revocation, Role, Signed } from './objects.js'
import type { CommunityObject } from './objects.js'

const RANK: Record<Role, number> = { reader: 1, member: 2, admin: 3 }
const MAX_DEPTH = 8
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
   * Adds an object an admin issued. Returns false when it was already held; throws
   * CommunityObjectError when it belongs to another community or its signer is not an
   * admin at the time it names.
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
    const at = signed.kind === 'credential' ? (body as Credential).issuedAt : signed.kind === 'revocation' ? (body as Revocation).revokedAt : Date.now()
    if (!this.wasAdminAt(signed.signer, at, 0)) throw new CommunityObjectError(`${signed.kind} signed by ${signed.signer}, who is not an admin of ${this.name}`)
    if (signed.kind === 'revocation' && (body as Revocation).member === this.creator) throw new CommunityObjectError('the creator of a community cannot be removed')
    ;(map as Map<string, Signed>).set(signed.hash, signed)
    return true
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

  private revokedAt (member: string, from: number, at: number, depth: number): boolean {
    for (const r of this.revocations.values()) {
      const b = r.body
      if (b.member === member && b.revokedAt >= from && b.revokedAt <= at && this.wasAdminAt(r.signer, b.revokedAt, depth + 1)) return true
    }
    return false
  }

  private credentialValid (c: Signed<'credential'>, at: number, depth: number, skew = 0): boolean {
    const b = c.body
    if (b.issuedAt > at + skew || (b.expiresAt != null && b.expiresAt <= at)) return false
    if (this.revokedAt(b.member, b.issuedAt, at, depth)) return false
    return this.wasAdminAt(c.signer, b.issuedAt, depth + 1)
  }

  private wasAdminAt (peer: string, at: number, depth: number): boolean {
    if (peer === this.creator) return true
    if (depth > MAX_DEPTH) return false
    for (const c of this.credentials.values()) {
      if (c.body.member === peer && c.body.role === 'admin' && this.credentialValid(c, at, depth)) return true
    }
    return false
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
    return this.credentialInForce(peer, at ?? Date.now(), at == null ? CLOCK_SKEW_MS : 0)?.body.role
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
      const c = this.credentialInForce(peer, at ?? Date.now(), at == null ? CLOCK_SKEW_MS : 0)
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

  /** Key grants sealed to one member. */
  grantsFor (member: string): Array<Signed<'grant'>> {
    return [...this.grants.values()].filter(g => g.body.member === member).sort((a, b) => a.body.epoch - b.body.epoch)
  }

  /** True when the peer was removed at or after `since` (an invite older than its removal does not readmit it). */
  removedSince (peer: string, since: number): boolean {
    return this.revokedAt(peer, since, Number.MAX_SAFE_INTEGER, 0)
  }

  /** True when a bearer invite is one an admin issued for this community and has not expired. */
  bearerValid (bearer: Signed<'bearer'>, at = Date.now()): boolean {
    const b: Bearer = bearer.body
    return b.community === this.id && (b.expiresAt == null || b.expiresAt > at) && this.wasAdminAt(bearer.signer, b.issuedAt, 0)
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
