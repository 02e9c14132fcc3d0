import { VERSION } from '../version.js'

/** The wire version agents speak. */
export const AGENT_PROTOCOL_VERSION = '1'

/**
 * What an agent tells the network about itself. Served by its node over
 * `/oa/agents/1.0.0`; maps onto an A2A Agent Card with `toA2ACard`.
 */
export interface AgentCard {
  /** Unique on its node. */
  name: string
  /** `<name>@<peer id>` */
  id: string
  description: string
  community: string
  /** Lowercase words: python, asyncio, kubernetes, ... */
  capabilities: string[]
  channels: string[]
  peerId: string
  multiaddrs: string[]
  protocolVersion: string
  /** `expert`, `coordinator`, or `custom` for user modules. */
  kind: string
  /** Questions the agent answers well (at most 16, 300 characters each): coordinators route by their meaning. */
  examples: string[]
}

/** A card as a lookup returns it: `online` is false for an agent last seen on a node that went away. */
export interface DiscoveredAgent extends AgentCard {
  online: boolean
  /** When the card was fetched (ms). */
  seenAt: number
}

/** The parts of an A2A (Agent2Agent) Agent Card that an oa-node agent fills. */
export interface A2AAgentCard {
  protocolVersion: string
  name: string
  description: string
  url: string
  preferredTransport: string
  version: string
  capabilities: { streaming: boolean, pushNotifications: boolean }
  defaultInputModes: string[]
  defaultOutputModes: string[]
  skills: Array<{ id: string, name: string, description: string, tags: string[] }>
}

/**
 * Maps an agent card onto the A2A Agent Card shape: the agent's capabilities become
 * skills tagged with its community, and the URL is the libp2p address of the agent
 * (`libp2p://<peer id>/<agent name>`, reached over `/oa/direct/1.0.0`).
 *
 * @example
 * ```ts
 * const a2a = toA2ACard(card)   // { name, description, url: 'libp2p://12D3KooW.../python_expert', skills: [...] }
 * ```
 */
export function toA2ACard (card: AgentCard): A2AAgentCard {
  return {
    protocolVersion: '0.3.0',
    name: card.name,
    description: card.description,
    url: `libp2p://${card.peerId}/${card.name}`,
    preferredTransport: 'libp2p:/oa/direct/1.0.0',
    version: VERSION,
    capabilities: { streaming: false, pushNotifications: false },
    defaultInputModes: ['application/json', 'text/plain'],
    defaultOutputModes: ['application/json', 'text/plain'],
    skills: card.capabilities.map(capability => ({
      id: capability,
      name: capability,
      description: `${card.name} answers ${capability} questions in ${card.community}`,
      tags: [capability, card.community, card.kind]
    }))
  }
}
