import { TypedEventEmitter } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { CommunityError } from '../communities/errors.js'
import { COMMUNITY_NAME } from '../config/schema.js'
import { VERSION } from '../version.js'
import { ListenError, PeerInputError, PeerUnreachableError } from './errors.js'
import { OaError } from '../errors.js'
import { isRelayedConnection } from './reach.js'
import type { AgentStatus } from '../agents/runtime.js'
import type { LlmUsage } from '../agents/llm/client.js'
import type { Channels } from '../channels/channels.js'
import type { RejectionCounts } from '../channels/rejections.js'
import type { Communities, CommunityView } from '../communities/service.js'
import type { CommunityRejections } from '../communities/rejections.js'
import type { EndpointDown, EndpointStatus, EndpointUp } from '../endpoints/health.js'
import type { LimitsStatus } from '../limits/node-limits.js'
import type { NodeConfig } from '../config/schema.js'
import type { ReplicationStats } from '../memory/replication/replicator.js'
import type { ComposedMods, ResolvedMod } from '../mods/compose.js'
import type { ModPeers } from '../mods/contract.js'
import type { Memory, MemoryNotice } from '../memory/service.js'
import type { OaLibp2p } from './create-node.js'
import type { DataDirLock } from './data-dir.js'
import type { OaMetrics } from '../metrics/oa-metrics.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { ReachStatus } from './reach.js'

/**
 * What `GET /v1/status` and `oa-node status` report: the node's own fields, and each
 * mod's section under its name (the built-in mods' sections and fields are typed here).
 */
export interface NodeStatus {
  peerId: string
  version: string
  /** Full listen multiaddrs, each ending in `/p2p/<peer id>`. */
  multiaddrs: string[]
  /** Number of connected peers. */
  peers: number
  /** Open connections (a peer may have more than one). */
  connections: number
  /** Open streams over all connections, and by protocol (`unnegotiated` while a stream is being set up). */
  streams: { total: number, byProtocol: Record<string, number> }
  /** Memory of the node's process in MiB: resident, JavaScript heap reserved and in use, and native memory held by JavaScript objects. */
  memory: { rssMiB: number, heapTotalMiB: number, heapUsedMiB: number, externalMiB: number }
  uptimeMs: number
  communities: string[]
  /** Open channels per joined community. */
  channels: Record<string, string[]>
  /** Inbound envelopes rejected by validation, by reason and by path. */
  rejected: RejectionCounts
  /** What the node refused peers by its limits (`limits` in the config), by reason; open streams per protocol; stored provider records. */
  limits: LimitsStatus
  /** Communities with a genesis this node holds (private, and open ones made with `community create`), and refused community objects and requests. */
  trust: { communities: CommunityView[], rejected: CommunityRejections }
  /** Agents this node hosts. */
  agents: AgentStatus[]
  /** `offline`, or the model and endpoint; and token usage. */
  llm: { mode: string, usage: LlmUsage }
  /** The external endpoints the memory uses (Milvus, the embeddings endpoint): up or down, outages and failed calls. */
  endpoints: EndpointStatus[]
  /** Memory records received and refused by replication. */
  replication?: ReplicationStats
  dataDir: string
  /** The mods the node runs, in the order their services start. */
  mods: string[]
  /** Reachability (public, private, unknown) and relay reservations held (relay peer ids) and served. */
  reach: ReachStatus
  /** The sections of user mods, under their names. */
  [section: string]: unknown
}

function processMemory (): NodeStatus['memory'] {
  const usage = process.memoryUsage()
  const mib = (bytes: number): number => Math.round(bytes / 1_048_576 * 10) / 10
  return { rssMiB: mib(usage.rss), heapTotalMiB: mib(usage.heapTotal), heapUsedMiB: mib(usage.heapUsed), externalMiB: mib(usage.external) }
}

/** One connected peer, as `GET /v1/peers` and `oa-node peers` report it. */
export interface PeerInfoView {
  peerId: string
  /** Remote addresses of the open connections to this peer. */
  addresses: string[]
  direction: 'inbound' | 'outbound'
  /** Milliseconds since the oldest open connection to this peer was opened. */
  connectedForMs: number
  protocols: string[]
  /** The peer's gossipsub score; below -80 everything it sends on gossip is ignored. */
  score?: number
  /** Every open connection to this peer goes through a relay (none is direct). */
  relayed: boolean
}

export interface OaNodeInit {
  config: NodeConfig
  libp2p: OaLibp2p
  privateKey: PrivateKey
  peerId: PeerId
  lock?: DataDirLock
  /** The mods the node runs and their event types. */
  mods: ComposedMods
  /** The node's metrics registry and oa_ metrics; none with `api.metrics: false`. */
  metrics?: OaMetrics
}

export interface OaNodeEvents {
  /** The node cannot reach any bootstrap peer; it keeps retrying. */
  'bootstrap:unreachable': CustomEvent<{ message: string, attempt: number, retryInMs: number }>
  /** Milvus or the embeddings endpoint stopped answering: once per outage; the node keeps running. */
  'endpoint:down': CustomEvent<EndpointDown>
  /** It answers again. */
  'endpoint:up': CustomEvent<EndpointUp>
  /** A line about memory for the user, said once at start (no neural model installed, a re-embedding). */
  'memory:notice': CustomEvent<MemoryNotice>
}

/**
 * A running oa-node: the libp2p node with its services, its configuration and its
 * lifecycle. Made by `createNode()`.
 */
export class OaNode extends TypedEventEmitter<OaNodeEvents> {
  readonly config: NodeConfig
  readonly libp2p: OaLibp2p
  readonly peerId: PeerId
  /** The node's key: signs what the node publishes. */
  readonly privateKey: PrivateKey
  /** The mods the node runs (built-in and user mods), in the order their services start, and their event types. */
  readonly mods: ComposedMods
  /** What `GET /metrics` answers: libp2p's and oa-node's metrics; undefined with `api.metrics: false`. */
  readonly metrics?: OaMetrics
  private readonly lock?: DataDirLock
  private startedAt?: number

  constructor (init: OaNodeInit) {
    super()
    this.config = init.config
    this.libp2p = init.libp2p
    this.peerId = init.peerId
    this.privateKey = init.privateKey
    this.lock = init.lock
    this.mods = init.mods
    this.metrics = init.metrics
    this.metrics?.observe(this)
    this.libp2p.services.bootstrapKeeper.addEventListener('unreachable', (evt) => {
      this.safeDispatchEvent('bootstrap:unreachable', { detail: evt.detail })
    })
    // with the memory mod off, no external endpoint is in use
    const memory = this.service<Memory>('memory')
    memory?.addEventListener('endpoint:down', (evt) => {
      this.safeDispatchEvent('endpoint:down', { detail: evt.detail })
    })
    memory?.addEventListener('endpoint:up', (evt) => {
      this.safeDispatchEvent('endpoint:up', { detail: evt.detail })
    })
    memory?.addEventListener('notice', (evt) => {
      this.safeDispatchEvent('memory:notice', { detail: evt.detail })
    })
  }

  /** Communities this node has joined. */
  get communities (): string[] {
    return this.service<Channels>('channels')?.communities() ?? []
  }

  /**
   * A mod's service by the mod's name; undefined when the mod is off or has none.
   *
   * @example
   * ```ts
   * const polls = node.service<PollsService>('polls')
   * ```
   */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the service's type, as with libp2p.services
  service<T> (name: string): T | undefined {
    if (this.mod(name) == null) return undefined
    return (this.libp2p.services as Record<string, unknown>)[name] as T | undefined
  }

  /**
   * A mod the node runs, by name, with its resolved config.
   *
   * @example
   * ```ts
   * if (node.mod('memory') == null) console.log('memory is off')
   * ```
   */
  mod (name: string): ResolvedMod | undefined {
    return this.mods.mods.find(m => m.mod.name === name)
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- as service()
  private required<T> (name: string): T {
    const service = this.service<T>(name)
    if (service == null) throw new OaError('mod_off', `the ${name} mod is off on this node (mods.${name}.enabled: false)`, { status: 404 })
    return service
  }

  isStarted (): boolean {
    return this.startedAt != null
  }

  /**
   * Joins a community by name on the running node and remembers it: it is joined again
   * at every start. An open community is joined by its name alone; a private one only
   * when this node holds a credential of it (it left it before; else join with an invite).
   * Throws CommunityError: `bad_community` for a bad name, `not_member` for a private
   * community this node was removed from.
   *
   * @example
   * ```ts
   * await node.join('lobby')
   * ```
   */
  async join (community: string): Promise<void> {
    await this.required<Communities>('communities').joinByName(community)
    this.required<Channels>('channels').join(community)
  }

  /**
   * Leaves a community on the running node and remembers it: it is not joined at a start
   * unless the config or `--community` names it. Its history, memory records and, for a
   * private community, its credentials and keys stay in the data dir, so that `join`
   * (or the same invite) joins it again. Throws CommunityError: `bad_community` for a bad
   * name, `not_joined` when the node is not in that community.
   *
   * @example
   * ```ts
   * await node.leave('lobby')
   * ```
   */
  async leave (community: string): Promise<void> {
    if (!COMMUNITY_NAME.test(community)) throw new CommunityError('bad_community', `"${community}" is not a valid community name (1-63 characters of a-z, 0-9, "_", "-")`)
    if (!this.communities.includes(community)) throw new CommunityError('not_joined', `this node is not in community "${community}" (joined: ${this.communities.join(', ') || 'none'})`)
    this.required<Channels>('channels').leave(community)
    await this.required<Communities>('communities').leave(community)
  }

  /**
   * Starts listening and joins the network through the bootstrap peers.
   *
   * @example
   * ```ts
   * await node.start()
   * ```
   */
  async start (): Promise<void> {
    if (this.startedAt != null) return
    try {
      await this.libp2p.start()
    } catch (err) {
      await Promise.resolve(this.libp2p.stop()).catch(() => {})
      await this.lock?.release()
      throw toListenError(err, this.config.network.listen)
    }
    this.startedAt = Date.now()
  }

  /**
   * Stops libp2p and releases the data dir.
   *
   * @example
   * ```ts
   * await node.stop()
   * ```
   */
  async stop (): Promise<void> {
    try {
      await this.libp2p.stop()
    } finally {
      this.startedAt = undefined
      await this.lock?.release()
    }
  }

  /**
   * The gossipsub score this node gives a peer (below -80 the peer is graylisted:
   * its gossip is ignored). Undefined when the pubsub implementation keeps no scores.
   *
   * @example
   * ```ts
   * if ((node.peerScore(peerId) ?? 0) < -80) console.log('graylisted')
   * ```
   */
  peerScore (peerId: string): number | undefined {
    const pubsub = this.libp2p.services.pubsub as { getScore?: (id: string) => number }
    return typeof pubsub.getScore === 'function' ? pubsub.getScore(peerId) : undefined
  }

  /**
   * Connects to a peer by multiaddr (with `/p2p/<peer id>`); returns its peer id.
   * Throws PeerInputError for a bad multiaddr, PeerUnreachableError when the dial fails.
   *
   * @example
   * ```ts
   * await node.dial('/ip4/127.0.0.1/tcp/7700/p2p/12D3KooW...')
   * ```
   */
  async dial (address: string, signal?: AbortSignal): Promise<string> {
    let ma
    try {
      ma = multiaddr(address)
    } catch (err) {
      throw new PeerInputError(`invalid multiaddr "${address}" (${(err as Error).message})`)
    }
    try {
      const connection = await this.libp2p.dial(ma, { signal: signal ?? AbortSignal.timeout(this.config.network.dialTimeoutMs) })
      return connection.remotePeer.toString()
    } catch (err) {
      throw new PeerUnreachableError(`cannot connect to ${address}: ${(err as Error).message}`)
    }
  }

  /**
   * Closes every connection to a peer; returns false when there was none.
   *
   * @example
   * ```ts
   * await node.hangUp('12D3KooW...')
   * ```
   */
  async hangUp (peer: string): Promise<boolean> {
    let id
    try {
      id = peerIdFromString(peer)
    } catch {
      throw new PeerInputError(`"${peer}" is not a peer id`)
    }
    const connected = this.libp2p.getConnections(id).length > 0
    await this.libp2p.hangUp(id)
    return connected
  }

  /** Listen multiaddrs, each ending in `/p2p/<peer id>`. */
  multiaddrs (): string[] {
    return this.libp2p.getMultiaddrs().map(ma => ma.toString())
  }

  /**
   * A snapshot of the node for `GET /v1/status`.
   *
   * @example
   * ```ts
   * const { peerId, peers } = node.status()
   * ```
   */
  status (): NodeStatus {
    const status: Record<string, unknown> = {
      peerId: this.peerId.toString(),
      version: VERSION,
      multiaddrs: this.multiaddrs(),
      peers: this.libp2p.getPeers().length,
      connections: this.libp2p.getConnections().length,
      streams: this.openStreams(),
      memory: processMemory(),
      uptimeMs: this.startedAt == null ? 0 : Date.now() - this.startedAt,
      communities: [],
      channels: {},
      limits: this.libp2p.services.limits.status(),
      dataDir: this.config.dataDir,
      mods: this.mods.mods.map(m => m.mod.name),
      reach: this.libp2p.services.reach.status(this.libp2p.services.relay)
    }
    const peers: ModPeers = { service: name => this.service<unknown>(name) }
    for (const { mod } of this.mods.mods) {
      const service = this.service(mod.name)
      if (mod.status != null) status[mod.name] = mod.status(service, peers)
      for (const [field, value] of Object.entries(mod.statusFields?.(service, peers) ?? {})) {
        // a mod does not overwrite what the node or another mod reports
        if (!(field in status)) status[field] = value
      }
    }
    // with memory off, no endpoint is in use
    status.endpoints ??= []
    return status as NodeStatus
  }

  private openStreams (): NodeStatus['streams'] {
    const byProtocol: Record<string, number> = {}
    let total = 0
    for (const connection of this.libp2p.getConnections()) {
      for (const stream of connection.streams) {
        const protocol = stream.protocol === '' ? 'unnegotiated' : stream.protocol
        byProtocol[protocol] = (byProtocol[protocol] ?? 0) + 1
        total++
      }
    }
    return { total, byProtocol }
  }

  /**
   * The connected peers, for `GET /v1/peers`.
   *
   * @example
   * ```ts
   * for (const p of await node.peers()) console.log(p.peerId, p.addresses)
   * ```
   */
  async peers (): Promise<PeerInfoView[]> {
    const now = Date.now()
    const byPeer = new Map<string, { view: PeerInfoView, id: PeerId }>()
    for (const conn of this.libp2p.getConnections()) {
      const key = conn.remotePeer.toString()
      const entry = byPeer.get(key) ?? { id: conn.remotePeer, view: { peerId: key, addresses: [], direction: conn.direction, connectedForMs: 0, protocols: [], relayed: true } }
      entry.view.addresses.push(conn.remoteAddr.toString())
      if (!isRelayedConnection(conn)) entry.view.relayed = false
      entry.view.connectedForMs = Math.max(entry.view.connectedForMs, now - conn.timeline.open)
      byPeer.set(key, entry)
    }
    for (const { id, view } of byPeer.values()) {
      const peer = await this.libp2p.peerStore.get(id).catch(() => undefined)
      view.protocols = peer == null ? [] : [...peer.protocols].sort()
      view.score = this.peerScore(view.peerId)
    }
    return [...byPeer.values()].map(e => e.view).sort((a, b) => a.peerId.localeCompare(b.peerId))
  }
}

function toListenError (err: unknown, listen: string[]): Error {
  // a mod's own refusal (the A2A gateway's port) already names what failed
  if (err instanceof OaError) return err
  const cause = err instanceof Error ? (err as Error & { cause?: unknown }).cause : undefined
  const text = err instanceof Error ? `${err.message} ${cause instanceof Error ? cause.message : ''}` : String(err)
  if (/EADDRINUSE|address already in use/i.test(text)) {
    return new ListenError(`cannot listen on ${listen.join(', ')}: a port is already in use; choose other ports with --listen (port 0 picks a free one)`)
  }
  if (/EADDRNOTAVAIL|EACCES|UnsupportedListenAddress|failed to be listened on/i.test(text)) {
    return new ListenError(`cannot listen on ${listen.join(', ')}: ${err instanceof Error ? err.message.split('\n')[0] ?? '' : text}`)
  }
  return err instanceof Error ? err : new Error(text)
}
