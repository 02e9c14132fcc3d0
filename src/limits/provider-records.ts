import { overriding } from '../runtime/overriding.js'
import type { LimitReason } from './refusals.js'
import type { KadDHTComponents } from '@libp2p/kad-dht'
import type { AbortOptions } from '@libp2p/interface'

type Datastore = KadDHTComponents['datastore']
type Key = Parameters<Datastore['put']>[0]

export interface ProviderRecordSettings {
  /** Keys one remote peer may be a provider of here. */
  perPeer: number
  /** Providers stored per key. */
  perKey: number
  /** Records of remote peers stored in all. */
  total: number
}

/** What the provider store holds, as `GET /v1/status` reports it under `limits.providerRecords`. */
export interface ProviderRecordCounts {
  /** Records of remote peers held. */
  stored: number
  /** Remote peers with at least one record. */
  peers: number
  /** Records of the remote peer that holds the most. */
  mostByOnePeer: number
}

/**
 * Bounds the provider records kad-dht stores for other peers. kad-dht (16.x) keeps every
 * ADD_PROVIDER it receives, for 48 hours, with no bound per peer or per key; this wraps
 * the datastore the DHT is given and refuses a record (drops it, counts it) that would
 * take a peer past `perPeer` keys, a key past `perKey` providers, or the store past
 * `total` records. Refreshing a record already held is always accepted; this node's own
 * records are never bounded.
 *
 * @example
 * ```ts
 * const records = new ProviderRecordLimits({ perPeer: 256, perKey: 256, total: 65_536 }, '/oa/dht', (reason, peer) => {})
 * kadDHT({ datastorePrefix: '/oa/dht' })(new Proxy(components, { get: (c, k) => k === 'datastore' ? records.wrap(c.datastore, c.peerId.toString()) : c[k] }))
 * ```
 */
export class ProviderRecordLimits {
  private readonly settings: ProviderRecordSettings
  private readonly prefix: string
  private readonly refused: (reason: LimitReason, peer: string) => void
  private readonly byPeer = new Map<string, Set<string>>()
  private readonly byKey = new Map<string, Set<string>>()
  private stored = 0

  constructor (settings: ProviderRecordSettings, datastorePrefix: string, refused: (reason: LimitReason, peer: string) => void) {
    this.settings = settings
    this.prefix = `${datastorePrefix}/provider/`
    this.refused = refused
  }

  /** The datastore to give kad-dht: provider records of other peers go through the bounds, everything else straight through. */
  wrap (store: Datastore, self: string): Datastore {
    const put = async (key: Key, value: Uint8Array, options?: AbortOptions): Promise<Key> => {
      const record = this.parse(key, self)
      if (record == null || this.byPeer.get(record.peer)?.has(record.cid) === true) return store.put(key, value, options)
      const reason = this.admit(record)
      if (reason != null) {
        this.refused(reason, record.peer)
        return key
      }
      // held before the write, so that concurrent writes cannot pass the bounds together
      this.add(record)
      try {
        return await store.put(key, value, options)
      } catch (err) {
        this.remove(record)
        throw err
      }
    }
    const remove = async (key: Key, options?: AbortOptions): Promise<void> => {
      await store.delete(key, options)
      const record = this.parse(key, self)
      if (record != null) this.remove(record)
    }
    return overriding(store, { put, delete: remove })
  }

  counts (): ProviderRecordCounts {
    let most = 0
    for (const keys of this.byPeer.values()) most = Math.max(most, keys.size)
    return { stored: this.stored, peers: this.byPeer.size, mostByOnePeer: most }
  }

  private parse (key: Key, self: string): { cid: string, peer: string } | undefined {
    const text = key.toString()
    if (!text.startsWith(this.prefix)) return undefined
    const [cid, peer, ...rest] = text.slice(this.prefix.length).split('/')
    if (cid == null || peer == null || rest.length > 0 || peer === self) return undefined
    return { cid, peer }
  }

  private admit ({ cid, peer }: { cid: string, peer: string }): LimitReason | undefined {
    if ((this.byPeer.get(peer)?.size ?? 0) >= this.settings.perPeer) return 'provider_peer'
    if ((this.byKey.get(cid)?.size ?? 0) >= this.settings.perKey) return 'provider_key'
    if (this.stored >= this.settings.total) return 'provider_total'
    return undefined
  }

  private add ({ cid, peer }: { cid: string, peer: string }): void {
    const keys = this.byPeer.get(peer) ?? new Set()
    const peers = this.byKey.get(cid) ?? new Set()
    if (keys.has(cid)) return
    keys.add(cid)
    peers.add(peer)
    this.byPeer.set(peer, keys)
    this.byKey.set(cid, peers)
    this.stored++
  }

  private remove ({ cid, peer }: { cid: string, peer: string }): void {
    const keys = this.byPeer.get(peer)
    if (keys?.delete(cid) !== true) return
    if (keys.size === 0) this.byPeer.delete(peer)
    const peers = this.byKey.get(cid)
    peers?.delete(peer)
    if (peers?.size === 0) this.byKey.delete(cid)
    this.stored--
  }
}
