import type { ComponentLogger, Libp2pEvents, Logger, PeerId, PeerInfo, PeerRouting, Startable, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

/** Peers dialled at once in one round. */
const DIAL_CONCURRENCY = 4
/** Peers a lookup collects at most (Kademlia answers with its closest 20). */
const MAX_CANDIDATES = 20
/** Delay after a new peer is identified or a connection closes, so that bursts make one round. */
const SOON_MS = 500

export interface MeshKeeperInit {
  /** Peers the node keeps connections to, when that many exist (0: the keeper is off). */
  minPeers: number
  /** Time allowed for one dial. Default 10 s. */
  dialTimeoutMs?: number
  /** Time allowed for one DHT lookup. Default 10 s. */
  lookupTimeoutMs?: number
  /** Delay after a round that found no new peer; doubles after each such round. Default 1 s. */
  minBackoffMs?: number
  /** Longest delay between rounds. Default 60 s. */
  maxBackoffMs?: number
}

export interface MeshKeeperComponents {
  peerId: PeerId
  connectionManager: ConnectionManager
  peerRouting: PeerRouting
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

/** What the keeper has done since the node started. */
export interface MeshKeeperStatus {
  /** Lookups run because the node had fewer than `minPeers` peers. */
  rounds: number
  /** Connections opened to peers those lookups found. */
  dialled: number
  /** A round is under way now (its lookup may be connecting to peers). */
  running: boolean
}

export class MeshKeeper implements Startable {
  private readonly components: MeshKeeperComponents
  private readonly minPeers: number
  private readonly dialTimeoutMs: number
  private readonly lookupTimeoutMs: number
  private readonly minBackoffMs: number
  private readonly maxBackoffMs: number
  private readonly log: Logger
  private readonly counts: Omit<MeshKeeperStatus, 'running'> = { rounds: 0, dialled: 0 }
  private started = false
  private timer?: ReturnType<typeof setTimeout>
  private running?: Promise<void>
  private controller = new AbortController()
  private backoffMs: number

  constructor (components: MeshKeeperComponents, init: MeshKeeperInit) {
    this.components = components
    this.minPeers = init.minPeers
    this.dialTimeoutMs = init.dialTimeoutMs ?? 10_000
    this.lookupTimeoutMs = init.lookupTimeoutMs ?? 10_000
    this.minBackoffMs = init.minBackoffMs ?? 1_000
    this.maxBackoffMs = init.maxBackoffMs ?? 60_000
    this.backoffMs = this.minBackoffMs
    this.log = components.logger.forComponent('oa:mesh-keeper')
  }

  readonly [Symbol.toStringTag] = 'oa:mesh-keeper'

  isStarted (): boolean {
    return this.started
  }

  start (): void {
    if (this.started || this.minPeers <= 0) return
    this.started = true
    this.controller = new AbortController()
    // a peer is in the DHT's routing table once identify has told us it speaks the DHT
    this.components.events.addEventListener('peer:identify', this.onChange)
    this.components.events.addEventListener('connection:close', this.onChange)
    this.schedule(this.minBackoffMs)
  }

  async stop (): Promise<void> {
    this.started = false
    clearTimeout(this.timer)
    this.timer = undefined
    this.controller.abort()
    this.components.events.removeEventListener('peer:identify', this.onChange)
    this.components.events.removeEventListener('connection:close', this.onChange)
    await this.running
  }

  status (): MeshKeeperStatus {
    return { ...this.counts, running: this.running != null }
  }

  /** A peer came or went: look again soon, from the shortest backoff. */
  private readonly onChange = (): void => {
    if (!this.started) return
    this.backoffMs = this.minBackoffMs
    if (this.running == null) this.schedule(SOON_MS)
  }

  private schedule (delayMs: number): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.running = this.round().catch((err: unknown) => {
        this.log('round failed: %s', (err as Error).message)
        return false
      }).then((gained) => {
        this.running = undefined
        if (!this.started || this.timer != null || this.peers().size >= this.minPeers || this.peers().size === 0) return
        if (gained) {
          this.schedule(SOON_MS)
        } else {
          this.schedule(this.backoffMs)
          this.backoffMs = Math.min(this.maxBackoffMs, this.backoffMs * 2)
        }
      })
    }, delayMs)
    this.timer.unref()
  }

  private peers (): Set<string> {
    return new Set(this.components.connectionManager.getConnections().map(c => c.remotePeer.toString()))
  }

  /** One lookup and the dials it leads to; true when the node gained a peer. */
  private async round (): Promise<boolean> {
    const before = this.peers()
    // no connection: no route to the DHT either; the bootstrap keeper deals with that
    if (!this.started || before.size === 0 || before.size >= this.minPeers) return false
    this.counts.rounds++
    const candidates = await this.lookup(before)
    const want = this.minPeers - this.peers().size
    const picked = candidates.filter(p => !this.peers().has(p.id.toString())).slice(0, Math.max(0, want))
    for (let i = 0; i < picked.length && this.started; i += DIAL_CONCURRENCY) {
      await Promise.all(picked.slice(i, i + DIAL_CONCURRENCY).map(async p => { await this.dial(p) }))
    }
    // the lookup itself connects to the peers it asks: count those too
    return [...this.peers()].some(p => !before.has(p))
  }

  /** Peers close to this node's own id in the DHT that it is not connected to. */
  private async lookup (connected: Set<string>): Promise<PeerInfo[]> {
    const self = this.components.peerId
    const found = new Map<string, PeerInfo>()
    const signal = AbortSignal.any([AbortSignal.timeout(this.lookupTimeoutMs), this.controller.signal])
    try {
      for await (const peer of this.components.peerRouting.getClosestPeers(self.toMultihash().bytes, { signal })) {
        const id = peer.id.toString()
        if (peer.id.equals(self) || connected.has(id)) continue
        found.set(id, peer)
        if (found.size >= MAX_CANDIDATES) break
      }
    } catch (err) {
      // a lookup that runs out of time gives what it found
      if (!signal.aborted) this.log('lookup of peers ended early: %s', (err as Error).message)
    }
    return [...found.values()]
  }

  private async dial (peer: PeerInfo): Promise<void> {
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(this.dialTimeoutMs), this.controller.signal])
      // the addresses the lookup returned; without them, those the peer store knows
      await this.components.connectionManager.openConnection(peer.multiaddrs.length > 0 ? peer.multiaddrs : peer.id, { signal })
      this.counts.dialled++
      this.log('connected to %s', peer.id.toString())
    } catch (err) {
      this.log('could not connect to %s: %s', peer.id.toString(), (err as Error).message)
    }
  }
}
