import { agentRoutes } from '../api/routes/agents.js'
import { defineMod } from '../mods/contract.js'
import { AGENTS_PROTOCOL } from './cards-protocol.js'
import { discoverySection, DISCOVERY_DEFAULTS } from './config.js'
import { Discovery } from './discovery.js'
import type { DiscoveryFacade } from '../agents/facades.js'
import type { NodeConfig } from '../config/schema.js'
import type { DiscoveryComponents } from './discovery.js'

/** The discovery mod: agent cards by capability through the DHT, and connections to community members. */
export const discoveryMod = defineMod<Discovery, NodeConfig['discovery'], DiscoveryFacade>({
  name: 'discovery',
  description: 'agent cards found by capability through the DHT, with no registry server; keeps connections to community members',
  needs: ['communities', 'channels'],
  config: { schema: discoverySection, defaults: DISCOVERY_DEFAULTS, section: 'discovery' },
  protocols: [AGENTS_PROTOCOL],
  service: {
    create: ({ config, node, limits }) => (components: DiscoveryComponents) => new Discovery(components, { ...config, dialTimeoutMs: node.network.dialTimeoutMs, limits }),
    dependencies: ['@libp2p/content-routing']
  },
  routes: (router, { node }) => { agentRoutes(router, node) },
  agent: (discovery, agent) => ({
    findAgents: async (query = {}) => discovery.findAgents({ community: query.community ?? agent.community, capability: query.capability, includeOffline: query.includeOffline, signal: query.signal })
  })
})
