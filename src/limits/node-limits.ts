import { DirectRateLimits } from './direct-rate.js'
import { ProviderRecordLimits } from './provider-records.js'
import { LimitRefusals } from './refusals.js'
import { StreamLimits } from './stream-limits.js'
import type { ProviderRecordCounts } from './provider-records.js'
import type { LimitReason, LimitRefusalCounts } from './refusals.js'
import type { PeerPenalties } from '../channels/penalties.js'
import type { LimitSettings } from '../config/schema.js'

/** The `limits` section of `GET /v1/status`. */
export interface LimitsStatus extends LimitRefusalCounts {
  /** Inbound streams open now, per guarded protocol. */
  openStreams: Record<string, number>
  /** Provider records of remote peers in this node's DHT store. */
  providerRecords: ProviderRecordCounts
}

/**
 * What a refused peer pays in its gossipsub score, in invalid messages: half of one. A
 * peer that keeps sending after it was told when to retry is graylisted after about 18
 * refusals in a short time; an honest burst of a few costs it little. Refusals by a
 * limit that all peers share (per agent, per node) cost nothing: the peer that meets
 * one may not be the one that filled it.
 */
export const LIMIT_PENALTY = 0.5

const SHARED: ReadonlySet<LimitReason> = new Set(['direct_agent_rate', 'streams_node', 'provider_key', 'provider_total'])

/**
 * The limits on what one peer can make this node do: direct-request rates, streams per
 * protocol, DHT provider records, agent cards. One per node, shared by the services
 * that enforce them; every refusal is counted by reason and, when it is the peer's own
 * doing, lowers its gossipsub score.
 *
 * @example
 * ```ts
 * const limits = new NodeLimits(config.limits, penalties)
 * const refusal = limits.direct.checkPeer(peer)
 * if (refusal != null) limits.refuse(refusal.reason, peer)
 * node.libp2p.services.limits.status().byReason.direct_peer_rate
 * ```
 */
export class NodeLimits {
  readonly settings: LimitSettings
  readonly direct: DirectRateLimits
  readonly streams: StreamLimits
  readonly providerRecords: ProviderRecordLimits
  private readonly refusals = new LimitRefusals()
  private readonly penalties?: PeerPenalties

  constructor (settings: LimitSettings, penalties?: PeerPenalties, dhtDatastorePrefix = '/dht') {
    this.settings = settings
    this.penalties = penalties
    this.direct = new DirectRateLimits(settings.direct)
    this.streams = new StreamLimits(settings.streams, (reason, peer) => { this.refuse(reason, peer) })
    this.providerRecords = new ProviderRecordLimits(settings.providers, dhtDatastorePrefix, (reason, peer) => { this.refuse(reason, peer) })
  }

  readonly [Symbol.toStringTag] = 'oa:limits'

  /** Counts a refusal; penalises `peer` when the limit was its own. */
  refuse (reason: LimitReason, peer?: string, n = 1): void {
    this.refusals.add(reason, n)
    if (peer != null && !SHARED.has(reason)) this.penalties?.penalizeBy(peer, LIMIT_PENALTY * n)
  }

  /**
   * Refusals by reason, open streams and stored provider records.
   *
   * @example
   * ```ts
   * const { total, byReason } = node.libp2p.services.limits.status()
   * ```
   */
  status (): LimitsStatus {
    return { ...this.refusals.snapshot(), openStreams: this.streams.open(), providerRecords: this.providerRecords.counts() }
  }
}
