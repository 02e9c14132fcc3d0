import { defineMod } from '../mods/contract.js'
import { agentsSection } from './config.js'
import { PRESENCE_EVENTS } from './events.js'
import { AgentRuntime } from './runtime.js'
import type { AgentConfig } from './config.js'
import type { AgentRuntimeComponents } from './runtime.js'

/** The agents mod: the runtime that hosts the node's agents (built-in types and modules from config). */
export const agentsMod = defineMod<AgentRuntime, AgentConfig[]>({
  name: 'agents',
  description: 'hosts the node\'s agents: built-in expert and coordinator types and agent modules from config',
  needs: ['channels', 'discovery'],
  config: { schema: agentsSection, defaults: [], section: 'agents' },
  events: [...PRESENCE_EVENTS],
  service: {
    create: ({ config, node, facades }) => (components: AgentRuntimeComponents) => new AgentRuntime(components, { agents: config, llm: node.llm, facades })
  },
  status: (runtime) => runtime.list(),
  statusFields: (runtime) => ({ llm: { mode: runtime.llm.describe(), usage: runtime.llm.usage() } })
})
