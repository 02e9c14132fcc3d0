/**
 * A2A (Agent2Agent) 1.0, both ways, on the protocol's own SDK (`@a2a-js/sdk`).
 *
 * Inbound: `oa-node start --a2a-port 7790` makes every agent of the node an A2A server at
 * `http://127.0.0.1:7790/agents/<name>/` (signed card, JSON-RPC, HTTP+JSON, tasks kept in
 * `a2a.db`, the bearer token in `a2a.token`). Outbound: `oa-node a2a add <community> <url>`
 * hosts an external A2A agent as an agent of a community.
 *
 * @example
 * ```ts
 * import { ClientFactory } from '@a2a-js/sdk/client'
 * const client = await new ClientFactory().createFromUrl('http://127.0.0.1:7790/agents/python_expert/')
 * ```
 */
export { a2aMod } from './mod.js'
export { A2AService, A2A_ASKER } from './service.js'
export type { A2AStatus, RemoteAgentView, A2AComponents } from './service.js'
export { A2ARemoteAgent, connectA2A, cardUrlOf, capabilitiesOf, agentNameOf } from './remote-agent.js'
export type { A2AAnswer } from './remote-agent.js'
export { a2aCardOf, cardSigner, nodeJwk, agentPaths, A2A_VERSION, BEARER_SCHEME, JWKS_PATH } from './card.js'
export { A2AStore, A2A_DB_FILE, checkA2AFile } from './store.js'
export { A2ACardError, A2ARequestError, A2AListenError, A2AStoreError } from './errors.js'
export type { A2AConfig, RemoteAgentConfig } from './config.js'
