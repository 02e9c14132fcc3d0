import { TypedEventEmitter } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { DEFAULTS } from '../config/schema.js'
import { EventTypes } from '../events/types.js'
import { NodeLimits } from '../limits/node-limits.js'
import { AGENT_PROTOCOL_VERSION } from './card.js'
import { checkCards } from './card-check.js'
import { AGENTS_PROTOCOL, fetchCards, refuseCards, serveCards } from './cards-protocol.js'
import { CommunityPeers } from './community-peers.js'
import { capabilityKey, communityKey, normalizeCapability } from './keys.js'
import type { AgentCard, DiscoveredAgent } from './card.js'
import type { Channels } from '../channels/channels.js'
import type { CommunityAccess } from '../communities/access.js'
import type { ObservedEvent } from '../channels/context.js'
import type { ComponentLogger, Connection, ContentRouting, Libp2pEvents, Logger, PeerId, Startable, Stream, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { CID } from 'multiformats/cid'

export interface DiscoveryComponents {
  peerId: PeerId
  registrar: Registrar
  connectionManager: ConnectionManager
  contentRouting: ContentRouting
  addressManager: AddressManager
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  channels: Channels
  communities: CommunityAccess
}

export interface DiscoveryInit {
  cardTtlMs: number
  reprovideIntervalMs: number
  lookupTimeoutMs: number
  /** Members of each community the node keeps connections to (when that many exist); 0 turns it off. */
  communityPeers: number
  /** How often the node checks that, in ms. */
  communityPeersIntervalMs: number
  /** Longest a dial to a community member takes, in ms. */
  dialTimeoutMs: number
  /** The node's limits (cards per peer, streams per protocol); the defaults when not given. */
  limits?: NodeLimits
}

/** An agent this node hosts, as discovery announces it. */
export interface LocalAgent {
  name: string
  description: string
  community: string
  capabilities: string[]
  channels: string[]
  kind: string
  /** Questions the agent answers well (see AgentCard.examples). */
  examples?: string[]
}

export interface FindAgentsOptions {
  community: string
  /** Only agents offering this capability (found under its own DHT key). */
  capability?: string
  /** Also return agents last seen on nodes that are gone, marked `online: false`. */
  includeOffline?: boolean
  signal?: AbortSignal
}

export interface DiscoveryEvents {
  'agent:online': CustomEvent<DiscoveredAgent>
  'agent:offline': CustomEvent<DiscoveredAgent>
}

interface PeerCards {
  cards: DiscoveredAgent[]
  fetchedAt: number
}

const FETCH_CONCURRENCY = 8
const FETCH_TIMEOUT_MS = 5_000
const PROVIDE_TIMEOUT_MS = 30_000
/** Peers whose cards are kept; the least recently fetched go first. */
const MAX_CACHED_PEERS = 4096

/**
 * Finds agents by capability through the Kademlia DHT, with no registry: each node
 * provides a record under its communities' keys and under `(community, capability)`
 * for every capability its agents offer; a lookup finds the providers, fetches their
 * agent cards over `/oa/agents/1.0.0`, and caches them with a TTL. Agents of a node that
 * disconnects, or that announce `agent.presence.offline`, are marked offline.
 */
export class Discovery extends TypedEventEmitter<DiscoveryEvents> implements Startable {
  private readonly components: DiscoveryComponents
  private readonly init: DiscoveryInit
  private readonly log: Logger
  private readonly local = new Map<string, LocalAgent>()
  private readonly cache = new Map<string, PeerCards>()
  private readonly provided = new Set<string>()
  private provideTimer?: ReturnType<typeof setTimeout>
  private reprovideTimer?: ReturnType<typeof setInterval>
  private controller = new AbortController()
  private providing?: Promise<void>
  private started = false
  private readonly communityPeers: CommunityPeers
  private readonly limits: NodeLimits

  constructor (components: DiscoveryComponents, init: DiscoveryInit) {
    super()
    this.components = components
    this.init = init
    this.limits = init.limits ?? new NodeLimits(DEFAULTS.limits)
    this.log = components.logger.forComponent('oa:discovery')
    this.communityPeers = new CommunityPeers(components, { target: init.communityPeers, intervalMs: init.communityPeersIntervalMs, lookupTimeoutMs: init.lookupTimeoutMs, dialTimeoutMs: init.dialTimeoutMs })
  }

  readonly [Symbol.toStringTag] = 'oa:discovery'

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    this.controller = new AbortController()
    await this.components.registrar.handle(AGENTS_PROTOCOL, this.limits.streams.guard(AGENTS_PROTOCOL, this.onStream, refuseCards), { maxInboundStreams: 32, maxOutboundStreams: 32, runOnLimitedConnection: true })
    this.started = true
  }

  afterStart (): void {
    this.components.events.addEventListener('peer:connect', this.onPeerConnect)
    this.components.events.addEventListener('peer:disconnect', this.onPeerDisconnect)
    this.components.channels.addEventListener('event', this.onChannelEvent)
    this.reprovideTimer = setInterval(() => {
      this.provided.clear()
      this.scheduleProvide()
    }, this.init.reprovideIntervalMs)
    this.reprovideTimer.unref()
    this.scheduleProvide()
    if (this.init.communityPeers > 0) this.communityPeers.start(() => this.components.channels.communities().map(c => this.components.communities.wireName(c)))
  }

  beforeStop (): void {
    this.components.events.removeEventListener('peer:connect', this.onPeerConnect)
    this.components.events.removeEventListener('peer:disconnect', this.onPeerDisconnect)
    this.components.channels.removeEventListener('event', this.onChannelEvent)
  }

  async stop (): Promise<void> {
    this.started = false
    this.controller.abort()
    await this.communityPeers.stop()
    clearTimeout(this.provideTimer)
    clearInterval(this.reprovideTimer)
    await this.components.registrar.unhandle(AGENTS_PROTOCOL)
  }

  /** Announces a local agent: its card is served and its capabilities provided on the DHT. */
  register (agent: LocalAgent): void {
    this.local.set(agent.name, { ...agent, capabilities: [...new Set(agent.capabilities.map(normalizeCapability))] })
    this.scheduleProvide()
  }

  unregister (name: string): void {
    this.local.delete(name)
  }

  /** Cards of the agents this node hosts (of one community, or all). */
  localCards (community = ''): AgentCard[] {
    const peerId = this.components.peerId.toString()
    const multiaddrs = this.components.addressManager.getAddresses().map(ma => ma.toString())
    return [...this.local.values()]
      .filter(a => community === '' || a.community === community)
      .map(a => ({ ...a, examples: a.examples ?? [], id: `${a.name}@${peerId}`, peerId, multiaddrs, protocolVersion: AGENT_PROTOCOL_VERSION }))
  }

  /**
   * Finds agents of a community, optionally by capability, through the DHT.
   *
   * @example
   * ```ts
   * const experts = await node.libp2p.services.discovery.findAgents({ community: 'devsupport', capability: 'python' })
   * ```
   */
  async findAgents (options: FindAgentsOptions): Promise<DiscoveredAgent[]> {
    const capability = options.capability == null ? undefined : normalizeCapability(options.capability)
    const wire = this.components.communities.wireName(options.community)
    const key = capability == null ? communityKey(wire) : capabilityKey(wire, capability)
    const self = this.components.peerId.toString()
    const providers = await this.findProviders(key, options.signal)
    const found: DiscoveredAgent[] = []
    const now = Date.now()
    for (const card of this.localCards(options.community)) found.push({ ...card, online: true, seenAt: now })
    const remote = [...providers].filter(p => p !== self)
    for (let i = 0; i < remote.length; i += FETCH_CONCURRENCY) {
      const batch = await Promise.all(remote.slice(i, i + FETCH_CONCURRENCY).map(async peer => this.cardsOf(peer, options.signal)))
      for (const cards of batch) found.push(...cards)
    }
    if (options.includeOffline === true) {
      const seen = new Set(found.map(c => c.id))
      for (const entry of this.cache.values()) {
        for (const card of entry.cards) if (!card.online && !seen.has(card.id)) found.push(card)
      }
    }
    return found
      .filter(card => card.community === options.community && (capability == null || card.capabilities.includes(capability)))
      // in a private community, only a writing member's agents count
      .filter(card => card.peerId === self || this.components.communities.mayWrite(card.community, card.peerId))
      .sort((a, b) => a.id.localeCompare(b.id))
  }

  /** Cards seen so far (online and offline), without a lookup. */
  knownAgents (): DiscoveredAgent[] {
    return [...this.cache.values()].flatMap(e => e.cards)
  }

  private async findProviders (key: CID, signal?: AbortSignal): Promise<Set<string>> {
    const timeout = AbortSignal.timeout(this.init.lookupTimeoutMs)
    const abort = AbortSignal.any([timeout, this.controller.signal, ...(signal == null ? [] : [signal])])
    const peers = new Set<string>()
    try {
      for await (const provider of this.components.contentRouting.findProviders(key, { signal: abort })) peers.add(provider.id.toString())
    } catch (err) {
      // a lookup that runs out of time returns what it found; anything else is worth a debug line
      if (!timeout.aborted) this.log('provider lookup ended early: %s', (err as Error).message)
      if (signal?.aborted === true) throw err
    }
    return peers
  }

  private async cardsOf (peer: string, signal?: AbortSignal): Promise<DiscoveredAgent[]> {
    const cached = this.cache.get(peer)
    if (cached != null && cached.cards.every(c => c.online) && Date.now() - cached.fetchedAt < this.init.cardTtlMs) return cached.cards
    try {
      const abort = AbortSignal.any([AbortSignal.timeout(FETCH_TIMEOUT_MS), this.controller.signal, ...(signal == null ? [] : [signal])])
      const now = Date.now()
      const served = await fetchCards(this.components.connectionManager, peerIdFromString(peer), '', abort)
      const { accepted, refused } = checkCards(peer, served, this.limits.settings.cards.perPeer)
      for (const [reason, n] of Object.entries(refused) as Array<[keyof typeof refused, number]>) {
        this.limits.refuse(reason, peer, n)
        this.log('refused %d agent cards from %s: %s', n, peer, reason)
      }
      const cards = accepted.map(c => ({ ...c, online: true, seenAt: now }))
      const before = new Set(cached?.cards.filter(c => c.online).map(c => c.id) ?? [])
      this.cache.delete(peer)
      this.cache.set(peer, { cards, fetchedAt: now })
      if (this.cache.size > MAX_CACHED_PEERS) {
        const oldest = this.cache.keys().next().value
        if (oldest != null) this.cache.delete(oldest)
      }
      for (const card of cards) if (!before.has(card.id)) this.safeDispatchEvent('agent:online', { detail: card })
      for (const gone of cached?.cards.filter(c => !cards.some(n => n.id === c.id)) ?? []) this.markOffline(peer, gone.id)
      return cards
    } catch (err) {
      this.log('cannot fetch agent cards from %s: %s', peer, (err as Error).message)
      this.markOffline(peer)
      return []
    }
  }

  private markOffline (peer: string, id?: string): void {
    const entry = this.cache.get(peer)
    if (entry == null) return
    for (const card of entry.cards) {
      if ((id == null || card.id === id) && card.online) {
        card.online = false
        this.safeDispatchEvent('agent:offline', { detail: card })
      }
    }
  }

  private keys (): Map<string, CID> {
    const keys = new Map<string, CID>()
    const wire = (c: string): string => this.components.communities.wireName(c)
    for (const community of this.components.channels.communities()) keys.set(`community/${wire(community)}`, communityKey(wire(community)))
    for (const agent of this.local.values()) {
      keys.set(`community/${wire(agent.community)}`, communityKey(wire(agent.community)))
      for (const capability of agent.capabilities) keys.set(`cap/${wire(agent.community)}/${capability}`, capabilityKey(wire(agent.community), capability))
    }
    return keys
  }

  /** Provides the keys not yet provided, once the node has a peer; coalesces bursts. */
  private scheduleProvide (): void {
    if (!this.started || this.provideTimer != null) return
    this.provideTimer = setTimeout(() => {
      this.provideTimer = undefined
      if (this.components.connectionManager.getConnections().length === 0) return
      this.providing = (this.providing ?? Promise.resolve()).then(async () => { await this.provideMissing() })
    }, 100)
    this.provideTimer.unref()
  }

  private async provideMissing (): Promise<void> {
    for (const [name, cid] of this.keys()) {
      if (this.provided.has(name) || !this.started) continue
      try {
        await this.components.contentRouting.provide(cid, { signal: AbortSignal.any([AbortSignal.timeout(PROVIDE_TIMEOUT_MS), this.controller.signal]) })
        this.provided.add(name)
        // the node is now findable as a member: look for the others
        if (name.startsWith('community/')) this.communityPeers.soon()
        this.log('provided %s', name)
      } catch (err) {
        this.log('providing %s failed, will retry: %s', name, (err as Error).message)
      }
    }
  }

  private readonly onPeerConnect = (): void => {
    if ([...this.keys().keys()].some(k => !this.provided.has(k))) this.scheduleProvide()
  }

  private readonly onPeerDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.markOffline(evt.detail.toString())
    this.communityPeers.soon(5_000)
  }

  private readonly onChannelEvent = (evt: CustomEvent<ObservedEvent>): void => {
    const { event } = evt.detail
    if (event.type !== EventTypes.AGENT_PRESENCE_OFFLINE && event.type !== EventTypes.AGENT_PRESENCE_ONLINE) return
    const peer = event.source.slice(event.source.lastIndexOf('@') + 1)
    if (event.type === EventTypes.AGENT_PRESENCE_OFFLINE) this.markOffline(peer, event.source)
    else this.cache.delete(peer) // fetch fresh cards at the next lookup
  }

  private readonly onStream = async (stream: Stream, connection: Connection): Promise<void> => {
    const asker = connection.remotePeer.toString()
    try {
      // the cards of a private community's agents go only to its members
      await serveCards(stream, community => this.localCards(community).filter(card => this.components.communities.mayRead(card.community, asker)), AbortSignal.timeout(FETCH_TIMEOUT_MS))
    } catch (err) {
      this.log('serving agent cards failed: %s', (err as Error).message)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }
}
