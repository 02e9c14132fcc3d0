import { peerIdFromString } from '@libp2p/peer-id'
import { communityKey } from './keys.js'
import type { ComponentLogger, ContentRouting, Logger, PeerId } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface CommunityPeersInit {
  /** Community peers a node keeps connections to, per community (when that many exist). */
  target: number
  /** How often the count is checked and, below the target, more community peers are looked up and dialled. */
  intervalMs: number
  /** Longest one provider lookup takes. */
  lookupTimeoutMs: number
  /** Longest one dial takes. */
  dialTimeoutMs: number
}

export interface CommunityPeersComponents {
  peerId: PeerId
  connectionManager: ConnectionManager
  contentRouting: ContentRouting
  logger: ComponentLogger
}

const DIAL_CONCURRENCY = 4

/**
 * Keeps a node connected to the other members of its communities, not only to its
 * bootstrap peer: every `intervalMs` (and soon after a start or a lost connection), for
 * each community with fewer than `target` connected members, it looks up the
 * community's DHT providers and dials the ones it is not connected to. Without it, the
 * members of a community that all joined through one bootstrap node may stay connected
 * to that node alone (the DHT's own self-query finds them only if it runs at the right
 * moment), which makes it a hub every message goes through.
 */
export class CommunityPeers {
  private readonly components: CommunityPeersComponents
  private readonly init: CommunityPeersInit
  private readonly log: Logger
  private timer?: ReturnType<typeof setTimeout>
  private running?: Promise<void>
  private controller = new AbortController()
  private stopped = true

  constructor (components: CommunityPeersComponents, init: CommunityPeersInit) {
    this.components = components
    this.init = init
    this.log = components.logger.forComponent('oa:discovery:community-peers')
  }

  start (communities: () => string[]): void {
    this.stopped = false
    this.controller = new AbortController()
    this.communities = communities
    this.schedule(this.init.intervalMs)
  }

  async stop (): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    this.controller.abort()
    await this.running
  }

  /** Runs a check soon (a provide has just landed, or a connection was lost); coalesces bursts. */
  soon (delayMs = 1_000): void {
    if (this.stopped || this.running != null) return
    this.schedule(delayMs)
  }

  private communities: () => string[] = () => []

  private schedule (delayMs: number): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.running = this.check().finally(() => {
        this.running = undefined
        if (!this.stopped && this.timer == null) this.schedule(this.init.intervalMs)
      })
    }, delayMs)
    this.timer.unref()
  }

  /** One pass over the communities: dials community peers where the node has fewer than the target. */
  private async check (): Promise<void> {
    for (const community of this.communities()) {
      if (this.stopped) return
      const connected = new Set(this.components.connectionManager.getConnections().map(c => c.remotePeer.toString()))
      // no connection: no route to the DHT either; the bootstrap keeper deals with that
      if (connected.size === 0) return
      const providers = await this.providers(community)
      const self = this.components.peerId.toString()
      const members = [...providers.keys()].filter(p => p !== self)
      const want = this.init.target - members.filter(p => connected.has(p)).length
      const candidates = members.filter(p => !connected.has(p)).slice(0, Math.max(0, want))
      for (let i = 0; i < candidates.length && !this.stopped; i += DIAL_CONCURRENCY) {
        await Promise.all(candidates.slice(i, i + DIAL_CONCURRENCY).map(async p => { await this.dial(p, providers.get(p) ?? []) }))
      }
    }
  }

  private async providers (community: string): Promise<Map<string, Multiaddr[]>> {
    const found = new Map<string, Multiaddr[]>()
    const signal = AbortSignal.any([AbortSignal.timeout(this.init.lookupTimeoutMs), this.controller.signal])
    try {
      for await (const provider of this.components.contentRouting.findProviders(communityKey(community), { signal })) {
        found.set(provider.id.toString(), provider.multiaddrs)
      }
    } catch (err) {
      // a lookup that runs out of time gives what it found
      if (!signal.aborted) this.log('provider lookup for %s ended early: %s', community, (err as Error).message)
    }
    return found
  }

  private async dial (peer: string, addrs: Multiaddr[]): Promise<void> {
    try {
      // the provider record's addresses; without them, those the peer store or the DHT know
      await this.components.connectionManager.openConnection(addrs.length > 0 ? addrs : peerIdFromString(peer), { signal: AbortSignal.any([AbortSignal.timeout(this.init.dialTimeoutMs), this.controller.signal]) })
      this.log('connected to community peer %s', peer)
    } catch (err) {
      this.log('could not connect to community peer %s: %s', peer, (err as Error).message)
    }
  }
}
