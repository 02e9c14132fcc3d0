import type { Agent } from './agent.js'
import type { AgentRuntime } from './runtime.js'

/** Takes an attached agent off the node again. */
export type DetachAgent = () => Promise<void>

/**
 * Attaches an agent to a running node's runtime (connected, findable, dispatched to like
 * the agents of its config) and returns the call that detaches it. A gateway that
 * brings agents from elsewhere (A2A, remote processes) uses this pair.
 *
 * @example
 * ```ts
 * const detach = await attachAgent(node.libp2p.services.agents, new MyBot({ name: 'my_bot', community: 'devsupport' }))
 * await detach()
 * ```
 */
export async function attachAgent (runtime: AgentRuntime, agent: Agent): Promise<DetachAgent> {
  await runtime.add(agent)
  return async () => { await runtime.remove(agent.name) }
}
