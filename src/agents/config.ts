import { z } from 'zod'
import { agentName, channelName, communityName } from '../config/names.js'

/** Built-in agent types. */
export const AGENT_TYPES = ['expert', 'coordinator'] as const

export const agentConfigSchema = z.strictObject({
  name: agentName,
  /** A built-in type... */
  type: z.enum(AGENT_TYPES).optional(),
  /** ...or a module whose default export extends Agent (path relative to the config file). */
  module: z.string().min(1).optional(),
  community: communityName.optional(),
  capabilities: z.array(z.string().min(1).max(64)).max(64).optional(),
  description: z.string().max(2000).optional(),
  /** Questions the agent answers well: coordinators match questions to them by meaning (at most 16). */
  examples: z.array(z.string().min(1).max(300)).max(16).optional(),
  channels: z.array(channelName).optional(),
  /** System instructions for the language model. */
  instructions: z.string().max(20_000).optional(),
  /** Settings of the agent's type or module (checked by it). */
  options: z.record(z.string(), z.unknown()).optional()
}).superRefine((agent, ctx) => {
  if ((agent.type == null) === (agent.module == null)) {
    ctx.addIssue({ code: 'custom', message: 'set exactly one of "type" (expert, coordinator) or "module"' })
  }
})

export type AgentConfig = z.infer<typeof agentConfigSchema>

/** The `agents` section of the node config: the agents this node hosts. */
export const agentsSection = z.array(agentConfigSchema)
