/** Why a node refused what a peer asked of it. */
export const LIMIT_REASONS = [
  /** A peer sent more direct requests than `limits.direct.perPeer` allows. */
  'direct_peer_rate',
  /** An agent was asked more often than `limits.direct.perAgent` allows, by all peers together. */
  'direct_agent_rate',
  /** A peer held `limits.streams.perPeer` streams of a protocol already. */
  'streams_peer',
  /** The node held `limits.streams.perProtocol` streams of a protocol already. */
  'streams_node',
  /** A peer is provider of `limits.providers.perPeer` keys in this node's store already. */
  'provider_peer',
  /** A key has `limits.providers.perKey` providers already. */
  'provider_key',
  /** The store holds `limits.providers.total` records of remote peers already. */
  'provider_total',
  /** A peer served a card that names another node (or an id that is not `<name>@<its peer id>`). */
  'card_foreign',
  /** A peer served a card with an invalid agent name, or two cards with one name. */
  'card_invalid',
  /** A peer served more than `limits.cards.perPeer` cards. */
  'card_peer',
  /** A card listed more capabilities than a card may. */
  'card_capabilities'
] as const

export type LimitReason = typeof LIMIT_REASONS[number]

/** Refusals counted since the node started, as `GET /v1/status` reports them under `limits`. */
export interface LimitRefusalCounts {
  total: number
  byReason: Record<LimitReason, number>
}

/**
 * Counts what the node refused, by reason.
 *
 * @example
 * ```ts
 * const refusals = new LimitRefusals()
 * refusals.add('direct_peer_rate')
 * refusals.snapshot().byReason.direct_peer_rate   // 1
 * ```
 */
export class LimitRefusals {
  private readonly counts: LimitRefusalCounts = {
    total: 0,
    byReason: Object.fromEntries(LIMIT_REASONS.map(r => [r, 0])) as Record<LimitReason, number>
  }

  add (reason: LimitReason, n = 1): void {
    this.counts.total += n
    this.counts.byReason[reason] += n
  }

  snapshot (): LimitRefusalCounts {
    return structuredClone(this.counts)
  }
}
