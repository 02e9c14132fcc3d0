import { randomBytes } from 'node:crypto'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { TypedEventEmitter } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { COMMUNITY_NAME } from '../config/schema.js'
import { controlTopic, parseControlTopic } from '../wire/topics.js'
import { CommunityGossip } from '../wire/generated/community.js'
import { COMMUNITY_PROTOCOL, CONTROL_TIMEOUT_MS, CommunityRequest, refuseControl, requestControl, serveControl } from './control-protocol.js'
import { newKey } from './crypto.js'
import { CommunityError } from './errors.js'
import { readCommunityFiles, writeCommunityFile } from './files.js'
import { readMemberships, writeMemberships } from './memberships.js'
import { formatInvite, parseInvite } from './invite.js'
import { Keyring } from './keyring.js'
import { communityIdOf, signObject, verifyObject } from './objects.js'
import { CommunityRejectionCounter } from './rejections.js'
import { CommunityState } from './state.js'
import type { CommunitiesEvents, CommunityMembership, CommunitySealer } from './access.js'
import type { CommunityResponse } from './control-protocol.js'
import type { Memberships } from './memberships.js'
import type { CommunityObject, Policy, Role, Signed } from './objects.js'
import type { CommunityRejectReason, CommunityRejections } from './rejections.js'
import type { MemberView } from './state.js'
import type { PeerPenalties } from '../channels/penalties.js'
import type { NodeLimits } from '../limits/node-limits.js'
import type { GossipSub, Message, SubscriptionChangeData } from '@libp2p/gossipsub'
import type { ComponentLogger, Connection, Logger, PeerId, PrivateKey, Startable, Stream } from '@libp2p/interface'
import type { AddressManager, ConnectionManager, Registrar } from '@libp2p/interface-internal'
import { commandLine } from '../cli/invocation.js'

export interface CommunitiesComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: Registrar
  connectionManager: ConnectionManager
  addressManager: AddressManager
  pubsub: GossipSub
  logger: ComponentLogger
}

export interface CommunitiesInit {
  /** Where `communities/<id>.json` live. */
  dataDir: string
  /** Shared with gossipsub scoring: refused objects lower the sender's score. */
  penalties?: PeerPenalties
  /** The node's limits: inbound `/oa/community/1.0.0` streams count against them. */
  limits?: NodeLimits
  /** Communities the config and flags name: active at every start, even when left by command before. */
  named?: string[]
}

/** A community as `community list` shows it. */
export interface CommunityView {
  name: string
  id: string
  policy: Policy
  /** This node's role, or undefined when it was removed. */
  role?: Role
  epoch: number
  members: number
  admins: string[]
}

export interface InviteOptions {
  /** The invited peer id: the invite carries its credential. Without it, anyone holding the invite may join. */
  for?: string
  role?: Role
  /** How long the invite (bearer) or the membership (named peer) lasts, in ms. */
  expiresInMs?: number
}

const MAX_COMMUNITIES = 1000
/** Credentials a community holds at most: a leaked bearer invite cannot make it grow without bound. */
const MAX_CREDENTIALS = 10_000
const REFRESH_EVERY_MS = 5_000
/** Objects per control gossip message (a receiver takes at most 1,000). */
const GOSSIP_CHUNK = 200

/**
 * The trust layer: a node's communities with their signed genesis, members and keys.
 * Creates communities, issues and redeems invites, removes members (rotating the key),
 * keeps every member's view in step over `oa/1/<wire name>/ctl` and
 * `/oa/community/1.0.0`, and answers the other services' access questions
 * (`CommunityAccess`).
 */
export class Communities extends TypedEventEmitter<CommunitiesEvents> implements Startable, CommunityMembership {
  private readonly components: CommunitiesComponents
  private readonly init: CommunitiesInit
  private readonly log: Logger
  private readonly states = new Map<string, CommunityState>()
  private readonly byName = new Map<string, string>()
  private readonly keyrings = new Map<string, Keyring>()
  private readonly wireNames = new Map<string, string>()
  private readonly topics = new Set<string>()
  private readonly refreshed = new Map<string, number>()
  /** Grants sealed to this node already opened, by hash. */
  private readonly opened = new Set<string>()
  private readonly counts = new CommunityRejectionCounter()
  /** Joined and left by command, as `memberships.json` holds them. */
  private memberships: Memberships = { joined: [], left: [] }
  /** Names left by command and not named by the config: held, but neither followed nor served. */
  private readonly dormant = new Set<string>()
  private writes: Promise<unknown> = Promise.resolve()
  private started = false

  constructor (components: CommunitiesComponents, init: CommunitiesInit) {
    super()
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('oa:communities')
  }

  readonly [Symbol.toStringTag] = 'oa:communities'

  isStarted (): boolean { return this.started }

  private get self (): string { return this.components.peerId.toString() }

  async start (): Promise<void> {
    this.memberships = await readMemberships(this.init.dataDir)
    const named = new Set(this.init.named ?? [])
    for (const name of this.memberships.left) if (!named.has(name)) this.dormant.add(name)
    for (const { id, file, objects } of await readCommunityFiles(this.init.dataDir)) {
      const [first, ...rest] = objects
      if (first == null) continue
      const state = CommunityState.fromGenesis(await verifyObject(first))
      if (state.id !== id) throw new CommunityError('bad_file', `${file} holds community ${state.id}, not ${id}`)
      const { refused } = state.addAll(await Promise.all(rest.map(async o => verifyObject(o))))
      for (const r of refused) this.log('%s: ignoring a stored %s: %s', file, r.object.kind, r.error)
      this.adopt(state)
    }
    await this.components.registrar.handle(COMMUNITY_PROTOCOL, this.init.limits == null ? this.onStream : this.init.limits.streams.guard(COMMUNITY_PROTOCOL, this.onStream, refuseControl), { maxInboundStreams: 8, maxOutboundStreams: 8, runOnLimitedConnection: true })
    this.started = true
  }

  afterStart (): void {
    this.components.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    for (const state of this.states.values()) if (!this.dormant.has(state.name)) this.follow(state)
  }

  beforeStop (): void {
    this.components.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    for (const topic of this.topics) {
      this.components.pubsub.unsubscribe(topic)
      this.components.pubsub.topicValidators.delete(topic)
    }
    this.topics.clear()
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.writes
    await this.components.registrar.unhandle(COMMUNITY_PROTOCOL)
  }

  /** Registers a state and derives this node's keys from the grants sealed to it. */
  private adopt (state: CommunityState): void {
    const other = this.byName.get(state.name)
    if (other != null && other !== state.id) throw new CommunityError('name_taken', `this node already holds another community named "${state.name}" (${other})`)
    this.states.set(state.id, state)
    this.byName.set(state.name, state.id)
    this.refreshKeys(state)
  }

  private refreshKeys (state: CommunityState): boolean {
    let fresh = false
    for (const grant of state.grantsFor(this.self)) {
      if (this.opened.has(grant.hash)) continue
      this.opened.add(grant.hash)
      const ring = this.keyrings.get(state.id)
      try {
        const opened = Keyring.openGrant(grant.body, this.components.privateKey)
        if (ring == null) this.keyrings.set(state.id, opened)
        if (ring == null || ring.merge(opened)) fresh = true
      } catch (err) {
        this.log('a grant of %s epoch %d does not open: %s', state.name, grant.body.epoch, (err as Error).message)
      }
    }
    const ring = this.keyrings.get(state.id)
    if (ring != null) this.wireNames.set(ring.wireName(state.id), state.name)
    return fresh
  }

  private persist (state: CommunityState): Promise<void> {
    const run = this.writes.then(async () => writeCommunityFile(this.init.dataDir, state.id, state.objects()))
    this.writes = run.catch((err: unknown) => { this.log.error('cannot write community %s: %s', state.name, (err as Error).message) })
    return run
  }

  /** Records a join (`byName`: of an open community by its name alone) or a leave in `memberships.json`. */
  private remember (name: string, joined: boolean, byName = false): Promise<void> {
    const { joined: was, left } = this.memberships
    const next: Memberships = joined
      ? { joined: byName && !was.includes(name) ? [...was, name] : was, left: left.filter(n => n !== name) }
      : { joined: was.filter(n => n !== name), left: left.includes(name) ? left : [...left, name] }
    if (next.joined.length === was.length && next.left.length === left.length) return Promise.resolve()
    this.memberships = next
    const run = this.writes.then(async () => writeMemberships(this.init.dataDir, this.memberships))
    this.writes = run.catch((err: unknown) => { this.log.error('cannot write the memberships file: %s', (err as Error).message) })
    return run
  }

  /** Subscribes to the control topic of a private community this node is a member of. */
  private follow (state: CommunityState): void {
    if (state.policy !== 'private' || !this.isMemberNow(state)) return
    const ring = this.keyrings.get(state.id)
    if (ring == null) return
    const topic = controlTopic(ring.wireName(state.id))
    if (this.topics.has(topic)) return
    this.topics.add(topic)
    this.components.pubsub.topicValidators.set(topic, this.validator(state.id))
    this.components.pubsub.subscribe(topic)
    for (const peer of this.components.pubsub.getSubscribers(topic)) if (state.mayRead(peer.toString())) this.syncInBackground(peer, state.id)
  }

  private unfollow (state: CommunityState): void {
    const ring = this.keyrings.get(state.id)
    if (ring == null) return
    const topic = controlTopic(ring.wireName(state.id))
    if (!this.topics.delete(topic)) return
    this.components.pubsub.unsubscribe(topic)
    this.components.pubsub.topicValidators.delete(topic)
  }

  private isMemberNow (state: CommunityState): boolean {
    return state.mayRead(this.self)
  }

  private state (name: string): CommunityState {
    const id = this.byName.get(name) ?? (this.states.has(name) ? name : undefined)
    const state = id == null ? undefined : this.states.get(id)
    if (state == null) throw new CommunityError('unknown_community', `this node holds no community named "${name}" (create one with \`${commandLine('community create')}\`, or join one with an invite)`)
    return state
  }

  private requireAdmin (state: CommunityState): void {
    if (state.roleOf(this.self) !== 'admin') throw new CommunityError('not_admin', `only an admin of ${state.name} can do that (this node is ${state.roleOf(this.self) ?? 'not a member'})`)
  }

  private count (reason: CommunityRejectReason, peer: string | undefined, message: string): void {
    this.counts.add(reason)
    if (peer != null) this.init.penalties?.penalize(peer)
    this.log('refused community %s from %s: %s', reason, peer ?? 'local', message)
  }

  // ---- what a user does ----

  /**
   * Creates a community with this node as its first admin. A private one gets its first
   * key; an open one may be joined by name by anyone, as before.
   *
   * @example
   * ```ts
   * const view = await communities.create('devsupport', 'private')   // view.id: 'c3f1...'
   * ```
   */
  async create (name: string, policy: Policy): Promise<CommunityView> {
    if (!COMMUNITY_NAME.test(name)) throw new CommunityError('bad_community', `"${name}" is not a valid community name (1-63 characters of a-z, 0-9, "_", "-")`)
    if (this.byName.has(name)) throw new CommunityError('exists', `this node already holds a community named "${name}"`)
    if (this.states.size >= MAX_COMMUNITIES) throw new CommunityError('too_many', `a node holds at most ${MAX_COMMUNITIES} communities`)
    const genesis = await signObject('genesis', { v: 1, name, policy, creator: this.self, createdAt: Date.now(), nonce: randomBytes(16).toString('hex') }, this.components.privateKey)
    const state = CommunityState.fromGenesis(genesis)
    if (policy === 'private') {
      const ring = new Keyring(newKey(), new Map([[1, newKey()]]))
      state.add(await signObject('grant', { community: state.id, member: this.self, epoch: 1, box: ring.sealFor(state.id, this.self, 1), issuedAt: Date.now() }, this.components.privateKey))
    }
    this.adopt(state)
    await this.persist(state)
    this.dormant.delete(name)
    await this.remember(name, true)
    this.follow(state)
    this.safeDispatchEvent('joined', { detail: { community: name } })
    return this.view(state)
  }

  /**
   * Makes an invite line (`oa-invite:...`). With `for`, it carries that peer's credential
   * and its sealed key grant and works offline; without, anyone holding it may join while
   * it is valid, by asking an admin (reached at this node's addresses) for a credential.
   *
   * @example
   * ```ts
   * const line = await communities.invite('devsupport', { for: '12D3KooW...', role: 'member', expiresInMs: 7 * 86_400_000 })
   * ```
   */
  async invite (name: string, options: InviteOptions = {}): Promise<{ invite: string, expiresAt?: number }> {
    const state = this.state(name)
    if (state.policy === 'open') return { invite: formatInvite({ genesis: state.genesis.object, addrs: this.addrs(), objects: [] }) }
    this.requireAdmin(state)
    const role = options.role ?? 'member'
    const now = Date.now()
    const expiresAt = options.expiresInMs == null ? undefined : now + options.expiresInMs
    if (options.for == null) {
      const bearer = await signObject('bearer', { community: state.id, role, issuedAt: now, nonce: randomBytes(16).toString('hex'), ...(expiresAt == null ? {} : { expiresAt }) }, this.components.privateKey)
      return { invite: formatInvite({ genesis: state.genesis.object, addrs: this.addrs(), objects: [], bearer: bearer.object }), ...(expiresAt == null ? {} : { expiresAt }) }
    }
    try {
      peerIdFromString(options.for)
    } catch {
      throw new CommunityError('bad_peer', `"${options.for}" is not a peer id`)
    }
    const issued = await this.admit(state, options.for, role, expiresAt)
    return { invite: formatInvite({ genesis: state.genesis.object, addrs: this.addrs(), objects: issued.map(s => s.object) }), ...(expiresAt == null ? {} : { expiresAt }) }
  }

  /** Issues a credential and a key grant to a peer, stores and gossips them. */
  private async admit (state: CommunityState, member: string, role: Role, expiresAt?: number): Promise<Signed[]> {
    const ring = this.keyrings.get(state.id)
    if (ring == null) throw new CommunityError('no_key', `this node holds no key of ${state.name}`)
    // after any earlier removal of that peer, so the new credential is not covered by it
    const issuedAt = Math.max(Date.now(), state.latestRemoval(member) + 1)
    const credential = await signObject('credential', { community: state.id, member, role, issuedAt, ...(expiresAt == null ? {} : { expiresAt }) }, this.components.privateKey)
    const grant = await signObject('grant', { community: state.id, member, epoch: ring.epoch, box: ring.sealFor(state.id, member, ring.epoch), issuedAt: Date.now() }, this.components.privateKey)
    state.add(credential)
    state.add(grant)
    await this.persist(state)
    await this.gossip(state, [credential, grant])
    return [credential, grant]
  }

  /**
   * Joins a community with an invite line. A named invite is used as it is; a bearer
   * invite is exchanged with an admin (at the addresses it carries) for a credential of
   * this node. Throws CommunityError naming what failed.
   *
   * @example
   * ```ts
   * const view = await communities.join('oa-invite:...')
   * ```
   */
  async join (line: string, signal?: AbortSignal): Promise<CommunityView> {
    let invite
    try {
      invite = parseInvite(line)
    } catch (err) {
      throw new CommunityError('bad_invite', (err as Error).message)
    }
    let genesis: Signed
    try {
      genesis = await verifyObject(invite.genesis)
    } catch (err) {
      throw new CommunityError('bad_invite', `the invite's genesis: ${(err as Error).message}`)
    }
    const id = communityIdOf(invite.genesis)
    const state = this.states.get(id) ?? CommunityState.fromGenesis(genesis)
    if (state.policy === 'open') {
      this.adopt(state)
      await this.persist(state)
      this.dormant.delete(state.name)
      await this.remember(state.name, true)
      this.safeDispatchEvent('joined', { detail: { community: state.name } })
      return this.view(state)
    }
    let objects = invite.objects
    if (invite.bearer != null) objects = await this.redeem(id, invite.bearer, invite.addrs, signal)
    const { refused } = state.addAll(await Promise.all(objects.map(async o => verifyObject(o).catch(() => undefined))).then(list => list.filter((s): s is Signed => s != null)))
    for (const r of refused) this.log('invite of %s: ignoring %s: %s', state.name, r.object.kind, r.error)
    if (!state.mayRead(this.self)) throw new CommunityError('not_member', `the invite does not make this node (${this.self}) a member of ${state.name}: it was issued for another peer, has expired, or was revoked`)
    this.adopt(state)
    if (this.keyrings.get(state.id) == null) throw new CommunityError('no_key', `the invite to ${state.name} carries no key this node can open`)
    await this.persist(state)
    this.dormant.delete(state.name)
    await this.remember(state.name, true)
    this.follow(state)
    await this.dialAll(invite.addrs, signal)
    this.safeDispatchEvent('joined', { detail: { community: state.name } })
    return this.view(state)
  }

  private async dialAll (addrs: string[], signal?: AbortSignal): Promise<void> {
    await Promise.allSettled(addrs.map(async a => this.components.connectionManager.openConnection(multiaddr(a), { signal: signal ?? AbortSignal.timeout(CONTROL_TIMEOUT_MS) })))
  }

  private async redeem (id: string, bearer: CommunityObject, addrs: string[], signal?: AbortSignal): Promise<CommunityObject[]> {
    const errors: string[] = []
    for (const addr of addrs) {
      try {
        const ma = multiaddr(addr)
        const peer = ma.getComponents().findLast(c => c.name === 'p2p')?.value
        if (peer == null) continue
        await this.components.connectionManager.openConnection(ma, { signal: signal ?? AbortSignal.timeout(CONTROL_TIMEOUT_MS) })
        const response = await requestControl(this.components.connectionManager, peerIdFromString(peer), { op: CommunityRequest.Op.REDEEM, community: id, bearer }, signal ?? AbortSignal.timeout(CONTROL_TIMEOUT_MS))
        if (response.error !== '') throw new Error(response.error)
        return response.objects
      } catch (err) {
        errors.push(`${addr}: ${(err as Error).message}`)
      }
    }
    throw new CommunityError('unreachable', `cannot redeem the invite with an admin (${errors.join('; ') || 'the invite names no address'}); the admin's node must be running`)
  }

  /**
   * Removes a member: signs a revocation, makes a new key epoch and seals it to every
   * remaining member, so the removed node can read nothing written after. A peer whose
   * credential has expired can be removed too: expiry ends its rights but not the keys
   * it holds, and only a removal rotates them. Throws `not_member` for a peer that was
   * never a member or is removed already.
   *
   * @example
   * ```ts
   * await communities.remove('devsupport', '12D3KooW...')
   * ```
   */
  async remove (name: string, member: string): Promise<CommunityView> {
    const state = this.state(name)
    this.requireAdmin(state)
    if (state.policy === 'open') throw new CommunityError('open_community', `${name} is open: anyone may join it by name, so nobody can be removed`)
    if (member === state.creator) throw new CommunityError('creator', 'the creator of a community cannot be removed')
    // an expired credential still leaves its holder with the key of its time: removing it rotates the key
    if (state.roleOf(member) == null && state.latestIssue(member) === 0) throw new CommunityError('not_member', `${member} has never been a member of ${name}`)
    if (state.roleOf(member) == null && state.removedSince(member, state.latestIssue(member))) throw new CommunityError('not_member', `${member} has already been removed from ${name}`)
    const ring = this.keyrings.get(state.id)
    if (ring == null) throw new CommunityError('no_key', `this node holds no key of ${name}`)
    const epoch = Math.max(state.epoch(), ring.epoch) + 1
    // after every credential of that peer (an admin's clock may run ahead), and keeping what it validly issued as an admin
    const keep = state.issuedBy(member)
    const revocation = await signObject('revocation', { community: state.id, member, revokedAt: Math.max(Date.now(), state.latestIssue(member) + 1), epoch, ...(keep.length === 0 ? {} : { keep }) }, this.components.privateKey)
    state.add(revocation)
    await this.rotate(state, ring, epoch, [revocation])
    return this.view(state)
  }

  /** Makes a new key of `epoch`, seals it to every member now, and stores and gossips it with `issued`. */
  private async rotate (state: CommunityState, ring: Keyring, epoch: number, issued: Signed[]): Promise<void> {
    const next = ring.withEpoch(epoch, newKey())
    for (const m of state.members()) {
      const grant = await signObject('grant', { community: state.id, member: m.peerId, epoch, box: next.sealFor(state.id, m.peerId, epoch), issuedAt: Date.now() }, this.components.privateKey)
      state.add(grant)
      issued.push(grant)
    }
    this.refreshKeys(state)
    await this.persist(state)
    await this.gossip(state, issued)
  }

  /**
   * Another admin removed a member to whom this node had sealed the newest key (two
   * removals at once): an admin rotates again, so nobody removed holds the key in use.
   */
  private async rotateIfLeaked (state: CommunityState, added: Signed[]): Promise<void> {
    const ring = this.keyrings.get(state.id)
    if (ring == null || state.policy !== 'private' || state.roleOf(this.self) !== 'admin') return
    const leaked = added.some(o => o.kind === 'revocation' && !state.mayRead((o as Signed<'revocation'>).body.member) &&
      state.grantsFor((o as Signed<'revocation'>).body.member).some(g => g.body.epoch >= ring.epoch))
    if (!leaked) return
    this.log('a member removed by another admin held the newest key of %s: rotating to epoch %d', state.name, ring.epoch + 1)
    await this.rotate(state, ring, ring.epoch + 1, [])
  }

  /**
   * As an admin, seals the newest key to those of `peers` who are members but hold no
   * grant of the current epoch (another admin admitted them while it lacked that key).
   */
  private async topUp (state: CommunityState, peers: string[]): Promise<void> {
    const ring = this.keyrings.get(state.id)
    if (ring == null || state.policy !== 'private' || state.roleOf(this.self) !== 'admin') return
    const issued: Signed[] = []
    for (const member of new Set(peers)) {
      if (member === this.self || !state.mayRead(member) || state.grantsFor(member).some(g => g.body.epoch >= ring.epoch)) continue
      const grant = await signObject('grant', { community: state.id, member, epoch: ring.epoch, box: ring.sealFor(state.id, member, ring.epoch), issuedAt: Date.now() }, this.components.privateKey)
      state.add(grant)
      issued.push(grant)
    }
    if (issued.length === 0) return
    await this.persist(state)
    await this.gossip(state, issued)
  }

  /**
   * Members of a community, admins first; only a member may list a private community's.
   *
   * @example
   * ```ts
   * for (const m of communities.members('devsupport')) console.log(m.peerId, m.role)
   * ```
   */
  members (name: string): MemberView[] {
    const state = this.state(name)
    if (state.policy === 'private' && !this.isMemberNow(state)) throw new CommunityError('not_member', `this node is not a member of ${name}`)
    return state.members()
  }

  /**
   * Every community this node holds a genesis of (private ones, and open ones it created or joined by invite).
   *
   * @example
   * ```ts
   * communities.list()   // [{ name: 'devsupport', id: 'c3f1...', policy: 'private', role: 'admin', epoch: 1, members: 3, admins: [...] }]
   * ```
   */
  list (): CommunityView[] {
    return [...this.states.values()].map(s => this.view(s)).sort((a, b) => a.name.localeCompare(b.name))
  }

  /**
   * Names of the communities to join at start: those held whose member this node is now
   * (private and created-open) and the open ones joined by name, less those left by command.
   */
  joinedNames (): string[] {
    const held = [...this.states.values()].filter(s => s.policy === 'open' || this.isMemberNow(s)).map(s => s.name)
    const byName = this.memberships.joined.filter(n => this.stateOf(n)?.policy !== 'private')
    return [...new Set([...held, ...byName])].filter(n => !this.dormant.has(n))
  }

  /**
   * Joins a community by name and remembers it across restarts: an open one (anyone may
   * join by name), or a private one this node holds a credential of (one it left before).
   * The caller opens its channels. Throws CommunityError: `bad_community` for a bad
   * name, `not_member` for a private community this node was removed from.
   *
   * @example
   * ```ts
   * await communities.joinByName('lobby')
   * channels.join('lobby')
   * ```
   */
  async joinByName (name: string): Promise<void> {
    if (!COMMUNITY_NAME.test(name)) throw new CommunityError('bad_community', `"${name}" is not a valid community name (1-63 characters of a-z, 0-9, "_", "-")`)
    const state = this.stateOf(name)
    if (state?.policy === 'private' && !this.isMemberNow(state)) throw new CommunityError('not_member', `this node was removed from the private community ${name}; it can join again only with a new invite`)
    if (state == null && !this.memberships.joined.includes(name) && this.memberships.joined.length >= MAX_COMMUNITIES) throw new CommunityError('too_many', `a node joins at most ${MAX_COMMUNITIES} communities by name`)
    this.dormant.delete(name)
    await this.remember(name, true, state == null)
    if (state != null) this.follow(state)
  }

  /**
   * Leaves a community and remembers it across restarts: a private one is no longer
   * followed nor served to its members, and its files (genesis, credentials, keys) are
   * kept, so that `joinByName` or the same invite joins it again. The caller closes its
   * channels.
   *
   * @example
   * ```ts
   * channels.leave('devsupport')
   * await communities.leave('devsupport')
   * ```
   */
  async leave (name: string): Promise<void> {
    this.dormant.add(name)
    const state = this.stateOf(name)
    if (state != null) this.unfollow(state)
    await this.remember(name, false)
  }

  /**
   * A community this node holds, or undefined.
   *
   * @example
   * ```ts
   * if (communities.describe('devsupport')?.role == null) console.log('not a member')
   * ```
   */
  describe (name: string): CommunityView | undefined {
    const id = this.byName.get(name)
    const state = id == null ? undefined : this.states.get(id)
    return state == null ? undefined : this.view(state)
  }

  private view (state: CommunityState): CommunityView {
    const role = state.roleOf(this.self)
    const members = state.members()
    return { name: state.name, id: state.id, policy: state.policy, ...(role == null ? {} : { role }), epoch: Math.max(state.epoch(), this.keyrings.get(state.id)?.epoch ?? 0), members: members.length, admins: members.filter(m => m.role === 'admin').map(m => m.peerId) }
  }

  /** Refused community objects and requests, by reason. */
  rejected (): CommunityRejections {
    return this.counts.counts()
  }

  /** The state of a community, for `oa-node check` and tests. */
  stateOf (name: string): CommunityState | undefined {
    const id = this.byName.get(name)
    return id == null ? undefined : this.states.get(id)
  }

  private addrs (): string[] {
    return this.components.addressManager.getAddresses().map(a => a.toString())
  }

  // ---- CommunityAccess ----

  private privateState (community: string): CommunityState | undefined {
    const id = this.byName.get(community)
    const state = id == null ? undefined : this.states.get(id)
    return state?.policy === 'private' ? state : undefined
  }

  isPrivate (community: string): boolean {
    return this.privateState(community) != null
  }

  wireName (community: string): string {
    const state = this.privateState(community)
    if (state == null) return community
    return this.keyrings.get(state.id)?.wireName(state.id) ?? `p-unkeyed-${state.id}`
  }

  nameOf (wireName: string): string {
    return this.wireNames.get(wireName) ?? wireName
  }

  roleOf (community: string, peer: string, at?: number): Role | undefined {
    const state = this.privateState(community)
    if (state == null) return 'member'
    return state.roleOf(peer, at)
  }

  mayRead (community: string, peer: string, at?: number): boolean {
    return this.roleOf(community, peer, at) != null
  }

  mayWrite (community: string, peer: string, at?: number): boolean {
    const role = this.roleOf(community, peer, at)
    return role === 'admin' || role === 'member'
  }

  idOf (community: string): string | undefined {
    return this.privateState(community)?.id
  }

  hasEpoch (community: string, epoch: number): boolean {
    const state = this.privateState(community)
    return state == null || this.keyrings.get(state.id)?.has(epoch) === true
  }

  refresh (community: string, peer: string): void {
    const state = this.privateState(community)
    if (state == null || !state.mayRead(peer)) return
    const key = `${state.id}|${peer}`
    // one refresh per peer and community at a time, at most every few seconds
    const last = this.refreshed.get(key) ?? 0
    if (Date.now() - last < REFRESH_EVERY_MS) return
    this.refreshed.set(key, Date.now())
    if (this.refreshed.size > 10_000) this.refreshed.delete(this.refreshed.keys().next().value ?? '')
    this.syncInBackground(peerIdFromString(peer), state.id)
  }

  sealer (community: string): CommunitySealer | undefined {
    const state = this.privateState(community)
    if (state == null) return undefined
    const ring = this.keyrings.get(state.id)
    const missing = (): never => { throw new CommunityError('no_key', `this node holds no key of ${community}`) }
    return {
      name: state.name,
      wireName: this.wireName(community),
      seal: (aad, plaintext) => ring == null ? missing() : ring.seal(`${state.id}|${aad}`, plaintext),
      open: (aad, epoch, bytes) => ring == null ? missing() : ring.open(`${state.id}|${aad}`, epoch, bytes)
    }
  }

  // ---- the network side ----

  private async gossip (state: CommunityState, objects: Signed[]): Promise<void> {
    const ring = this.keyrings.get(state.id)
    if (ring == null) return
    // in chunks a receiver accepts (a removal in a large community makes a grant per member)
    for (let i = 0; i < objects.length; i += GOSSIP_CHUNK) {
      await this.components.pubsub.publish(controlTopic(ring.wireName(state.id)), CommunityGossip.encode({ objects: objects.slice(i, i + GOSSIP_CHUNK).map(o => o.object) })).catch((err: unknown) => {
        // members catch up over /oa/community/1.0.0 when they meet
        this.log('gossip of %s objects failed: %s', state.name, (err as Error).message)
      })
    }
  }

  /** Takes in objects from a peer; applies what they change for this node. Returns how many were new. */
  private async absorb (state: CommunityState, objects: CommunityObject[], peer: string): Promise<{ added: number, refused: number }> {
    const verified: Signed[] = []
    let refused = 0
    for (const o of objects) {
      try {
        verified.push(await verifyObject(o))
      } catch (err) {
        refused++
        this.count('object', peer, (err as Error).message)
      }
    }
    const result = state.addAll(verified)
    for (const r of result.refused) {
      refused++
      this.count(r.error.includes('not an admin') ? 'issuer' : 'object', peer, r.error)
    }
    if (result.added.length === 0) return { added: 0, refused }
    const wasMember = this.topics.has(controlTopic(this.keyrings.get(state.id)?.wireName(state.id) ?? ''))
    const rekeyed = this.refreshKeys(state)
    await this.persist(state)
    await this.rotateIfLeaked(state, result.added)
    // members another admin admitted with an older key (it had missed a removal) get the newest one
    await this.topUp(state, result.added.flatMap(o => o.kind === 'credential' ? [(o as Signed<'credential'>).body.member] : []))
    if (rekeyed) this.safeDispatchEvent('rekeyed', { detail: { community: state.name, epoch: this.keyrings.get(state.id)?.epoch ?? 0 } })
    if (wasMember && !this.isMemberNow(state)) {
      this.unfollow(state)
      this.log('this node was removed from %s', state.name)
      this.safeDispatchEvent('left', { detail: { community: state.name } })
    }
    return { added: result.added.length, refused }
  }

  private validator (id: string) {
    return async (from: PeerId, message: Message): Promise<TopicValidatorResult> => {
      const state = this.states.get(id)
      const peer = from.toString()
      let gossip: CommunityGossip
      try {
        gossip = CommunityGossip.decode(message.data)
      } catch (err) {
        this.count('decode', peer, (err as Error).message)
        return TopicValidatorResult.Reject
      }
      if (state == null || gossip.objects.length === 0 || gossip.objects.length > 1000) {
        this.count('decode', peer, 'an empty or oversized control message')
        return TopicValidatorResult.Reject
      }
      const { refused } = await this.absorb(state, gossip.objects, peer)
      return refused > 0 ? TopicValidatorResult.Reject : TopicValidatorResult.Accept
    }
  }

  private readonly onSubscriptionChange = (evt: CustomEvent<SubscriptionChangeData>): void => {
    for (const { topic, subscribe } of evt.detail.subscriptions) {
      if (!subscribe || !this.topics.has(topic)) continue
      const name = this.nameOf(parseControlTopic(topic) ?? '')
      const id = this.byName.get(name)
      // only members are asked: a request names the community's id
      if (id != null && this.states.get(id)?.mayRead(evt.detail.peerId.toString()) === true) this.syncInBackground(evt.detail.peerId, id)
    }
  }

  private syncInBackground (peer: PeerId, id: string): void {
    this.sync(peer, id).catch((err: unknown) => { this.log('community sync with %p failed: %s', peer, (err as Error).message) })
  }

  /**
   * Asks a member for the community's objects (and the grants sealed to this node);
   * returns how many were new. A node that was offline during a removal gets its new key here.
   *
   * @example
   * ```ts
   * await node.libp2p.services.communities.sync(peerId, state.id)
   * ```
   */
  async sync (peer: PeerId, id: string, signal?: AbortSignal): Promise<number> {
    const state = this.states.get(id)
    if (state == null) return 0
    const response = await requestControl(this.components.connectionManager, peer, { op: CommunityRequest.Op.SYNC, community: id }, signal ?? AbortSignal.timeout(CONTROL_TIMEOUT_MS))
    if (response.error !== '') throw new Error(`peer refused: ${response.error}`)
    if (response.objects.length > 100_000) throw new Error('peer sent too many objects')
    return (await this.absorb(state, response.objects, peer.toString())).added
  }

  private readonly onStream = async (stream: Stream, connection: Connection): Promise<void> => {
    const peer = connection.remotePeer.toString()
    await serveControl(stream, async request => this.answer(request, peer), (message) => { this.count('decode', peer, message) })
  }

  private async answer (request: CommunityRequest, peer: string): Promise<CommunityResponse> {
    const refuse = (reason: CommunityRejectReason, error: string): CommunityResponse => {
      this.count(reason, peer, error)
      return { objects: [], error }
    }
    const state = this.states.get(request.community)
    // the same answer whether the community is unknown here or the asker is not a member of it
    if (state == null || state.policy !== 'private' || !this.isMemberNow(state) || this.dormant.has(state.name)) return refuse('unknown_community', 'no such community open to this peer here')
    if (request.op === CommunityRequest.Op.SYNC) {
      if (!state.mayRead(peer)) {
        // a member removed while it was away learns of its removal, and nothing else
        const removals = state.removalsOf(peer)
        if (removals.length > 0) return { objects: [state.genesis.object, ...removals.map(r => r.object)], error: '' }
        return refuse('not_member', 'no such community open to this peer here')
      }
      await this.topUp(state, [peer])
      return { objects: state.objects({ grantsFor: peer }), error: '' }
    }
    if (request.op !== CommunityRequest.Op.REDEEM || request.bearer == null) return refuse('decode', 'unknown request')
    if (state.roleOf(this.self) !== 'admin') return refuse('bearer', 'this node is not an admin of that community')
    let bearer: Signed
    try {
      bearer = await verifyObject(request.bearer)
    } catch (err) {
      return refuse('bearer', `bad invite: ${(err as Error).message}`)
    }
    if (bearer.kind !== 'bearer' || !state.bearerValid(bearer as Signed<'bearer'>)) return refuse('bearer', 'the invite is not valid for that community, or has expired')
    const { role, issuedAt } = (bearer as Signed<'bearer'>).body
    if (state.summary().credentials >= MAX_CREDENTIALS) return refuse('bearer', `the community holds ${MAX_CREDENTIALS} credentials, its most; ask an admin`)
    if (state.removedSince(peer, issuedAt)) return refuse('bearer', 'this peer was removed from the community after the invite was issued; ask an admin for a new invite')
    if (state.roleOf(peer) == null || state.grantsFor(peer).length === 0) await this.admit(state, peer, role)
    return { objects: state.objects({ grantsFor: peer }), error: '' }
  }
}

