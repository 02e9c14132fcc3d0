import type { Endorsement, SocialGraph } from './fold.js'
import type { SocialService } from './service.js'
import type { TrustScore } from './trust.js'
import type { FacadeAgent } from '../contract.js'

/** What an agent may do with the social mod (`this.social`, also `this.mods.social`): in its own community, as itself. */
export interface SocialFacade {
  /** Endorses `<name>@<peer id>` for a capability, as this agent. */
  endorse: (agentId: string, capability: string) => Promise<Endorsement>
  /** Withdraws this agent's endorsement of `<name>@<peer id>` for a capability. */
  unendorse: (agentId: string, capability: string) => Promise<Endorsement>
  /** Agents of the community ranked by trust for a capability (every capability when none is given), most trusted first. */
  trust: (capability?: string) => TrustScore[]
  /** The community's relationship graph as this node holds it. */
  graph: () => SocialGraph
}

/**
 * The facade of one agent, bound to its community and name.
 *
 * @example
 * ```ts
 * // in an Agent
 * await this.social?.endorse('milvus_expert@12D3KooW...', 'milvus')
 * const best = this.social?.trust('milvus')[0]?.agent
 * ```
 */
export function socialFacade (service: SocialService, agent: FacadeAgent): SocialFacade {
  return {
    endorse: async (agentId, capability) => service.endorse(agent.community, agentId, capability, agent.name),
    unendorse: async (agentId, capability) => service.unendorse(agent.community, agentId, capability, agent.name),
    trust: (capability) => service.trust(agent.community, capability),
    graph: () => service.graph(agent.community)
  }
}
