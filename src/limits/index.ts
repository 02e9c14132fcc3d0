/**
 * Limits on what one peer can make a node do: direct requests per peer and per agent
 * (`@libp2p/utils`' RateLimiter), inbound streams per protocol node-wide and per peer,
 * provider records kad-dht stores for other peers, and agent cards accepted per peer.
 * Refusals are counted by reason in `GET /v1/status` (`limits`) and lower the peer's
 * gossipsub score when the limit was its own.
 *
 * @example
 * ```ts
 * const limits = new NodeLimits(config.limits, penalties, '/oa/dht')
 * await registrar.handle(DIRECT_PROTOCOL, limits.streams.guard(DIRECT_PROTOCOL, onStream))
 * console.log(limits.status().byReason)
 * ```
 */
export { NodeLimits, LIMIT_PENALTY } from './node-limits.js'
export type { LimitsStatus } from './node-limits.js'
export { DirectRateLimits } from './direct-rate.js'
export type { LimitRefusal } from './direct-rate.js'
export { StreamLimits, refuseSignal, refuseWithFrame } from './stream-limits.js'
export type { RefuseStream, StreamLimitSettings } from './stream-limits.js'
export { ProviderRecordLimits } from './provider-records.js'
export type { ProviderRecordCounts, ProviderRecordSettings } from './provider-records.js'
export { LIMIT_REASONS, LimitRefusals } from './refusals.js'
export type { LimitReason, LimitRefusalCounts } from './refusals.js'
export { withProviderLimits } from './bounded-dht.js'
