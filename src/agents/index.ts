/**
 * Agents: the `Agent` base class, the runtime that hosts a node's agents, the LLM
 * client, and the built-in `expert` and `coordinator` types.
 *
 * @example
 * ```ts
 * import { Agent } from 'oa-node'
 * export default class MyBot extends Agent {
 *   async onChannelPost (msg) { if (msg.text.includes('ping')) await this.reply(msg, 'pong') }
 * }
 * ```
 */
import { AgentRuntime } from './runtime.js'
import type { AgentRuntimeComponents, AgentRuntimeInit } from './runtime.js'

export { Agent, isAgentClass, AGENT_BRAND } from './agent.js'
export type { AgentInit, AgentContext, AgentLogger, PostOptions, SendOptions } from './agent.js'
export type { ChannelMessage } from './message.js'
export type { AgentFacades, ChannelsFacade, DiscoveryFacade, MemoryFacade } from './facades.js'
export type { FacadeMaker } from './runtime.js'
export { toChannelMessage } from './message.js'
export { AgentRuntime }
export { attachAgent } from './attach.js'
export type { DetachAgent } from './attach.js'
export type { AgentRuntimeComponents, AgentRuntimeInit, AgentStatus, AgentLogEvent, AgentRuntimeEvents } from './runtime.js'
export { ExpertAgent, questionOf } from './builtin/expert.js'
export type { ExpertAnswer, AnswerSource } from './builtin/expert.js'
export { CoordinatorAgent, rankExperts } from './builtin/coordinator.js'
export type { Routing, ExpertOutcome } from './builtin/coordinator.js'
export { LlmClient, LlmOfflineError, LlmRequestError } from './llm/client.js'
export type { LlmSettings, ChatMessage, LlmUsage } from './llm/client.js'
export { MemoryNotConfiguredError, AgentLoadError, AgentConfigError, AgentAttachError } from './errors.js'
export { terms, termsMatch, overlap } from '../text/terms.js'

export function agentRuntime (init: AgentRuntimeInit): (components: AgentRuntimeComponents) => AgentRuntime {
  return (components) => new AgentRuntime(components, init)
}
