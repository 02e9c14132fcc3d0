/**
 * The remote-agent gateway: an agent in any language runs in its own process and joins
 * through its node. The process opens `WS /v1/agents/connect` on the node's control API
 * with the subprotocol `oa-agent.v1` and the node's API token (or a per-agent token from
 * `oa-node agents token <name>`), registers agents with their cards, then receives their
 * events and direct requests and performs their actions as JSON frames. The node hosts
 * them like its own agents (`AgentRuntime.attach`): cards in the DHT, presence, the
 * community's rules and the node's limits. The protocol is protocols/remote-agent.md.
 *
 * @example
 * ```js
 * import WebSocket from 'ws'
 * const ws = new WebSocket('ws://127.0.0.1:7780/v1/agents/connect', 'oa-agent.v1', { headers: { authorization: `Bearer ${token}` } })
 * ws.on('open', () => ws.send(JSON.stringify({ type: 'register', id: '1', agent: { name: 'echo', capabilities: ['echo'] } })))
 * ws.on('message', (data) => {
 *   const frame = JSON.parse(data)
 *   if (frame.type === 'request') ws.send(JSON.stringify({ type: 'answer', request: frame.request.id, payload: { echoed: frame.request.payload } }))
 * })
 * ```
 */
export { remoteAgentsMod } from './mod.js'
export { RemoteAgentGateway } from './gateway.js'
export type { RemoteAgentGatewayComponents, RemoteAgentGatewayInit, RemoteAgentGatewayStatus } from './gateway.js'
export { RemoteAgent } from './remote-agent.js'
export type { RemoteLink } from './remote-agent.js'
export { AgentTokens } from './tokens.js'
export type { AgentTokenScope } from './tokens.js'
export { FrameError, RemoteAgentGoneError, FRAME_REJECTIONS } from './errors.js'
export type { FrameRejection } from './errors.js'
export { REMOTE_AGENT_PATH, REMOTE_AGENT_SUBPROTOCOL, AGENT_TOKENS_FILE } from './constants.js'
export { FRAME_SCHEMAS, ACTION_NAMES, ACTION_PARAMS } from './frames.js'
export type { ServerFrame, ActionName } from './frames.js'
