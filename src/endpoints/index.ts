/**
 * The external endpoints a node uses (Milvus, the OpenAI-compatible embeddings endpoint,
 * the language model): one error type whose message names the endpoint, its address and
 * the cause, the short causes of failed connections, and the health of each endpoint,
 * learned from the node's calls (one `down` event per outage, not one per call).
 *
 * @example
 * ```ts
 * node.addEventListener('endpoint:down', (evt) => { console.warn(evt.detail.message) })
 * node.status().endpoints // [{ endpoint: 'milvus', address: '127.0.0.1:19530', state: 'up', outages: 0, failures: 0 }]
 * ```
 */
export { EndpointError, ENDPOINT_LABEL, withHint } from './errors.js'
export type { EndpointKind, EndpointErrorInit } from './errors.js'
export { EndpointHealth } from './health.js'
export type { EndpointStatus, EndpointDown, EndpointUp, EndpointHealthEvents } from './health.js'
export { networkCause } from './network-cause.js'
export { openAiFailure } from './openai-failure.js'
