/**
 * The discovery service: agent cards found by capability through the DHT, with no
 * registry server.
 *
 * @example
 * ```ts
 * const cards = await node.libp2p.services.discovery.findAgents({ community: 'devsupport', capability: 'python' })
 * console.log(cards.map(c => c.id))
 * ```
 */
import { Discovery } from './discovery.js'
import type { DiscoveryComponents, DiscoveryInit } from './discovery.js'

export { Discovery }
export type { DiscoveryComponents, DiscoveryInit, DiscoveryEvents, FindAgentsOptions, LocalAgent } from './discovery.js'
export { toA2ACard, AGENT_PROTOCOL_VERSION } from './card.js'
export type { AgentCard, DiscoveredAgent, A2AAgentCard } from './card.js'
export { communityKey, capabilityKey, normalizeCapability } from './keys.js'
export { AGENTS_PROTOCOL } from './cards-protocol.js'

export function discovery (init: DiscoveryInit): (components: DiscoveryComponents) => Discovery {
  return (components) => new Discovery(components, init)
}
