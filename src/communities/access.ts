import type { Role } from './objects.js'
import type { TypedEventTarget } from '@libp2p/interface'

/** What a community's content is sealed with, and how it is opened. */
export interface CommunitySealer {
  /** The community's name, as the clear form carries it. */
  name: string
  /** The community's wire name, which sealed content carries instead of its name. */
  wireName: string
  /** Encrypts with the current epoch key; `aad` names the thing sealed (kind and id). */
  seal: (aad: string, plaintext: Uint8Array) => { epoch: number, bytes: Uint8Array }
  /** Decrypts; throws when the key of `epoch` is not held or the bytes were altered. */
  open: (aad: string, epoch: number, bytes: Uint8Array) => Uint8Array
}

/**
 * The trust layer as the other services use it: who may read and write a community,
 * what it is called on the wire, and how its content is sealed. Open communities (named,
 * as before) answer `true` and send content in the clear; private ones check the
 * member's credential and seal with the community's epoch key.
 *
 * @example
 * ```ts
 * if (!access.mayWrite('devsupport', peer)) reject('membership', `${peer} may not write to devsupport`)
 * ```
 */
export interface CommunityAccess {
  /** True for a private community this node is a member of. */
  isPrivate: (community: string) => boolean
  /** The community's name on the wire: its name when open, a label derived from its id and secret when private. */
  wireName: (community: string) => string
  /** The community a wire name stands for (the name itself for open communities). */
  nameOf: (wireName: string) => string
  /** The peer's role, or undefined when it is no member; open communities give every peer `member`. */
  roleOf: (community: string, peer: string, at?: number) => Role | undefined
  /** May the peer read (history, memory sync, agent cards)? */
  mayRead: (community: string, peer: string, at?: number) => boolean
  /** May the peer write (post, remember, send direct requests)? `at` is the time the content names. */
  mayWrite: (community: string, peer: string, at?: number) => boolean
  /** The sealer of a private community; undefined for an open one. */
  sealer: (community: string) => CommunitySealer | undefined
  /** The community's id (private communities), for binding sealed content to it. */
  idOf: (community: string) => string | undefined
  /** True when this node holds the key of that epoch (always true for open communities). */
  hasEpoch: (community: string, epoch: number) => boolean
  /** Asks a peer for newer community objects (a key this node lacks), in the background. */
  refresh: (community: string, peer: string) => void
}

/** The access of a node with no private communities: every community is open. */
export const OPEN_ACCESS: CommunityAccess = {
  isPrivate: () => false,
  wireName: c => c,
  nameOf: w => w,
  roleOf: () => 'member',
  mayRead: () => true,
  mayWrite: () => true,
  sealer: () => undefined,
  idOf: () => undefined,
  hasEpoch: () => true,
  refresh: () => {}
}

export interface CommunitiesEvents {
  /** This node became a member of a community (created, joined by invite). */
  joined: CustomEvent<{ community: string }>
  /** This node was removed from a community. */
  left: CustomEvent<{ community: string }>
  /** This node received a newer key of a private community: content it could not open may be fetched again. */
  rekeyed: CustomEvent<{ community: string, epoch: number }>
}

/** Access plus the membership changes the channels service follows. */
export interface CommunityMembership extends CommunityAccess, TypedEventTarget<CommunitiesEvents> {
  /** Communities this node holds as a member now (private, and open ones it created or joined by invite). */
  joinedNames: () => string[]
}

/** A role an operation needs: `read` (readers, members, admins), `write` (members, admins) or `admin`. */
export type Requirement = 'read' | 'write' | 'admin'

/**
 * Does the peer hold the role an operation needs in a community (at time `at`)? The one
 * check every mod's operations go through; open communities give every peer `member`.
 *
 * @example
 * ```ts
 * if (!allows(access, 'admin', 'devsupport', peer)) throw new OaError('not_admin', 'only an admin may close polls', { status: 403 })
 * ```
 */
export function allows (access: CommunityAccess, requirement: Requirement, community: string, peer: string, at?: number): boolean {
  switch (requirement) {
    case 'read': return access.mayRead(community, peer, at)
    case 'write': return access.mayWrite(community, peer, at)
    case 'admin': return access.roleOf(community, peer, at) === 'admin'
  }
}
